/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark tooling: process.memoryUsage, never shipped */
/**
 * Bulk scenarios for `npm run bench` and its smoke test: real Group Chat nodes run through
 * n8n-core's WorkflowExecute against the provider sandbox over loopback HTTP, with injected
 * latency and the sandbox's rate limits.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEMO, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-workflow';
import { inProcessSandbox, workerSandbox, type BenchSandbox } from './sandbox-host';

export type BenchProvider = 'chert' | 'linq' | 'periskope';

export interface ScenarioSpec {
	name: string;
	provider: BenchProvider;
	/** Add-participant items, spread round-robin over `groups` groups. */
	items: number;
	groups: number;
	/** Addresses per item. */
	addressesPerItem: number;
	latencyMs: number;
	/** Requests per second the sandbox allows (per provider), or none. */
	ratePerSecond?: number;
	concurrency: number;
}

export interface RunFigures {
	ms: number;
	requests: number;
	/** Items that ended with a rate-limit error. */
	rateLimitFailures: number;
	failures: number;
	rssDeltaMb: number;
	/** Output order and pairedItem match the input, and every address of every item is reported. */
	ordered: boolean;
	/** Every requested address is now in its group (Linq: after its queued changes settle). */
	applied: boolean;
	/** The first failed item's error, to say what went wrong. */
	firstError?: string;
}

/**
 * A distinct, valid US number for each index (415-556-xxxx, then 415-557-…) whose last four
 * digits stay below 8000: the sandbox's Linq treats numbers ending in 8888 or 9999 as lines
 * without iMessage (they cannot join an iMessage group).
 */
export function phone(index: number): string {
	return `+1415${5560000 + Math.floor(index / 8000) * 10_000 + (index % 8000)}`;
}

async function createGroups(
	sandbox: BenchSandbox,
	provider: BenchProvider,
	count: number,
): Promise<string[]> {
	const items: IDataObject[] = Array.from({ length: count }, (_, group) => ({
		to: [phone(900_000 + 2 * group), phone(900_001 + 2 * group)],
		name: `Bench ${group}`,
	}));
	const parameters: IDataObject = {
		provider,
		operation: 'create',
		participants: '={{ $json.to }}',
		options: {
			concurrency: 20,
			idempotencyKey: provider === 'periskope' ? undefined : '={{ "bench-" + $json.name }}',
		},
	};
	if (provider === 'periskope') parameters.groupName = '={{ $json.name }}';
	else {
		parameters.sender = provider === 'chert' ? DEMO.chert.senders[0] : DEMO.linq.senders[0];
		parameters.firstMessage = 'Welcome';
	}
	const run = await runWorkflow({
		nodes: [groupChatNode('Create', parameters)],
		items,
		credentials: sandboxCredentials(sandbox as unknown as Sandbox),
		workflowId: `bench-setup-${provider}`,
	});
	if (run.error) throw new Error(`bench setup failed: ${run.error.message}`);
	return run.output('Create').map((item) => String(item.json.chatId));
}

/**
 * Runs one scenario at one concurrency on a fresh sandbox and measures it. `inWorker` puts the
 * sandbox on its own thread (the bench); the smoke test keeps it in-process.
 */
export async function runScenario(
	spec: ScenarioSpec,
	concurrency: number,
	inWorker = false,
): Promise<RunFigures> {
	// Without a rate limit in the scenario, Periskope's always-sent X-RateLimit-* headers get a
	// limit no run reaches (the node paces itself by them).
	const rateLimits = {
		[spec.provider]: { limit: spec.ratePerSecond ?? 1_000_000, windowSeconds: 1, aligned: true },
	};
	const options = { seed: false, linqApplyDelayMs: 5, rateLimits };
	const sandbox = inWorker ? await workerSandbox(options) : await inProcessSandbox(options);
	try {
		const groups = await createGroups(sandbox, spec.provider, spec.groups);
		await sandbox.setLatency(spec.latencyMs);
		const items: IDataObject[] = Array.from({ length: spec.items }, (_, index) => ({
			index,
			chatId: groups[index % groups.length],
			phones: Array.from({ length: spec.addressesPerItem }, (_unused, offset) =>
				phone(index * spec.addressesPerItem + offset),
			),
		}));
		await sandbox.markRequests();
		global.gc?.();
		const rssBefore = process.memoryUsage().rss;
		const started = performance.now();
		const run = await runWorkflow({
			nodes: [
				groupChatNode(
					'Add',
					{
						provider: spec.provider,
						operation: 'addParticipants',
						chatId: '={{ $json.chatId }}',
						participants: '={{ $json.phones }}',
						options: { concurrency, onPartialFailure: 'output', includeRaw: false },
					},
					{ onError: 'continueRegularOutput' },
				),
			],
			items,
			credentials: sandboxCredentials(sandbox as unknown as Sandbox),
			workflowId: `bench-${spec.provider}`,
		});
		const ms = performance.now() - started;
		const rssDeltaMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
		const output = run.output('Add');
		// Requests that did the work (a 429 answered is not one: the floor counts the work).
		const requests = await sandbox.workRequests(spec.provider);
		const errors = output.map((item) => String(item.json.error ?? ''));
		const ordered =
			!run.error &&
			output.length === items.length &&
			output.every((item, index) => {
				const paired = item.pairedItem as { item: number };
				const addresses = ((item.json.participants as IDataObject[]) ?? []).map((entry) =>
					String(entry.address),
				);
				const expected = (items[index].phones as string[]).map((number) =>
					spec.provider === 'periskope' ? number.slice(1) : number,
				);
				return (
					paired.item === index &&
					item.json.chatId === items[index].chatId &&
					JSON.stringify(addresses) === JSON.stringify(expected)
				);
			});
		if (spec.provider === 'linq') await sandbox.settle();
		const chats = new Map<string, Awaited<ReturnType<BenchSandbox['getChat']>>>();
		for (const chatId of new Set(items.map((item) => String(item.chatId)))) {
			chats.set(chatId, await sandbox.getChat(spec.provider, chatId));
		}
		const applied = items.every((item) => {
			const chat = chats.get(String(item.chatId));
			const members = new Set([
				...(chat?.participants ?? []),
				...((chat as { invited?: string[] } | undefined)?.invited ?? []),
			]);
			return (item.phones as string[]).every(
				(number) => members.has(number) || members.has(number.slice(1)),
			);
		});
		return {
			ms,
			requests,
			rateLimitFailures: errors.filter((error) => /rate limit|too many requests/i.test(error))
				.length,
			failures: errors.filter(Boolean).length,
			rssDeltaMb,
			ordered,
			applied,
			firstError: errors.find(Boolean),
		};
	} finally {
		await sandbox.stop();
	}
}

/** The floor: what no client can beat, `max(requests × latency / concurrency, requests / rate)`. */
export function floorMs(spec: ScenarioSpec, requests: number): number {
	const latencyBound = (requests * spec.latencyMs) / spec.concurrency;
	const rateBound = spec.ratePerSecond ? (requests / spec.ratePerSecond) * 1000 : 0;
	return Math.max(latencyBound, rateBound);
}

export function scenarios(provider: BenchProvider, scale = 1): ScenarioSpec[] {
	const n = (value: number) => Math.max(1, Math.round(value * scale));
	return [
		{
			name: 'a-latency',
			provider,
			items: n(1000),
			groups: n(100),
			addressesPerItem: 1,
			latencyMs: 50,
			concurrency: 10,
		},
		{
			name: 'b-rate',
			provider,
			items: n(1000),
			groups: n(100),
			addressesPerItem: 1,
			latencyMs: 50,
			ratePerSecond: 10,
			concurrency: 10,
		},
		{
			name: 'c-one-item-300',
			provider,
			items: 1,
			groups: 1,
			addressesPerItem: n(300),
			latencyMs: 50,
			concurrency: 10,
		},
		{
			name: 'd-10000-items',
			provider,
			items: n(10_000),
			groups: n(100),
			addressesPerItem: 1,
			latencyMs: 0,
			concurrency: 10,
		},
	];
}
