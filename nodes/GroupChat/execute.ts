import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { InputError, PartialFailureError, ProviderError } from '../../src/errors';
import { LaneScheduler, RateBudget, laneOf } from '../../src/lanes';
import type { HttpSend } from '../../src/network';
import { parseNodeOptions } from '../../src/operations';
import type { RawParameters } from '../../src/operations';
import { entryFor } from '../../src/providers';
import { prepare, runPrepared } from '../../src/run';
import type { GroupChatResult } from '../../src/types';
import { toNodeError } from './errors';
import { N8N_HOOKS, gate } from './transport';

/**
 * Chat ID as saved: a resource locator ({__rl, mode, value}, read with n8n's extractValue) or,
 * in workflows saved before it was one, a plain string or expression result.
 */
function chatIdOf(context: IExecuteFunctions, itemIndex: number): unknown {
	const value = context.getNodeParameter('chatId', itemIndex, null) as unknown;
	if (value === null || typeof value !== 'object' || !('mode' in value) || !('value' in value))
		return value;
	try {
		return context.getNodeParameter('chatId', itemIndex, null, { extractValue: true }) as unknown;
	} catch {
		return (value as { value: unknown }).value;
	}
}

function readParameters(
	context: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): RawParameters {
	const get = (name: string, fallback: unknown = null) =>
		context.getNodeParameter(name, itemIndex, fallback) as unknown;
	return {
		provider: get('provider'),
		operation: get('operation'),
		chatId: chatIdOf(context, itemIndex),
		sender: get('sender'),
		participants: get('participants'),
		firstMessage: get('firstMessage'),
		groupName: get('groupName'),
		iconUrl: get('iconUrl'),
		forceAdd: get('forceAdd'),
		groupSettings: get('groupSettings'),
		membersToRemove: get('membersToRemove'),
		message: get('message'),
		messageOptions: get('messageOptions'),
		returnAll: get('returnAll'),
		limit: get('limit'),
		groupFilters: get('groupFilters'),
		inviteLinkAction: get('inviteLinkAction'),
		syncOptions: get('syncOptions'),
		idempotencyKey: options.idempotencyKey,
		defaultCountry: options.defaultCountry ?? 'US',
	};
}

function resultOf(error: unknown): GroupChatResult | undefined {
	if (error instanceof PartialFailureError) return error.result;
	if (error instanceof ProviderError) return error.result;
	return undefined;
}

/**
 * A key of this execution for derived idempotency keys, kept in the node's execution context:
 * n8n's Retry of a failed execution carries that context over, so a retried create replays
 * the same group, while every new execution starts with a new key and makes a new group.
 */
function executionKey(context: IExecuteFunctions): string {
	try {
		const store = context.getContext('node');
		if (typeof store.groupChatExecutionKey !== 'string') {
			store.groupChatExecutionKey = `${context.getExecutionId() ?? ''}:${Date.now().toString(36)}${Math.random()
				.toString(36)
				.slice(2, 10)}`;
		}
		return store.groupChatExecutionKey as string;
	} catch {
		return context.getExecutionId() ?? '';
	}
}

export async function executeGroupChat(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const scope = `${this.getWorkflow().id ?? ''}:${node.id ?? node.name}:${executionKey(this)}`;
	const continueOnFail = this.continueOnFail();

	// Items of different chats run side by side (Options → Concurrency); one chat's items run in
	// input order; all requests of one credential share one rate budget. Item N+1 is validated
	// while item N is on the wire. Without Continue On Fail, the first invalid or failed item
	// stops the node as if items ran one by one: every item before it is still sent and
	// completes, none after it starts once the stop is known, and its error is the one thrown.
	// (Items after a failed one that were already on the wire, for other chats, complete.)
	type Outcome = { result: GroupChatResult | GroupChatResult[] } | { error: unknown };
	const budgets = new Map<string, RateBudget>();
	const senders = new Map<
		string,
		{ credentials: ICredentialDataDecryptedObject; send: HttpSend }
	>();
	/** The lowest index of an item that stops the node (Infinity while none has). */
	let stopAt = Infinity;
	const stopHere = (itemIndex: number) => {
		if (!continueOnFail) stopAt = Math.min(stopAt, itemIndex);
	};
	let scheduler: LaneScheduler<Outcome> | undefined;
	const invalid = new Map<number, unknown>();
	let sliceStart = Date.now();
	for (let itemIndex = 0; itemIndex < items.length && itemIndex < stopAt; itemIndex++) {
		let prepared;
		try {
			const rawOptions = (this.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
			const options = parseNodeOptions(rawOptions);
			prepared = { options, ...prepare(readParameters(this, itemIndex, rawOptions)) };
		} catch (error) {
			invalid.set(itemIndex, error);
			stopHere(itemIndex);
			continue;
		}
		const { options, adapter, input } = prepared;
		scheduler ??= new LaneScheduler<Outcome>(options.concurrency, () => stopAt, {
			pause: N8N_HOOKS.sleep,
		});
		scheduler.add(itemIndex, laneOf(input, itemIndex), async (): Promise<Outcome> => {
			try {
				// One credential, one gate and one rate budget per provider for the whole node run.
				let line = senders.get(input.provider);
				if (!line) {
					const credentials = await this.getCredentials(
						entryFor(input.provider).credentialType,
						itemIndex,
					);
					line = { credentials, send: gate(this, input.provider, credentials).send };
					senders.set(input.provider, line);
				}
				const mistake = adapter.checkInput?.(input, line.credentials);
				if (mistake) throw new InputError(mistake.problem, mistake.field);
				const { send } = line;
				if (!budgets.has(input.provider)) budgets.set(input.provider, new RateBudget());
				const result = await runPrepared(adapter, input, {
					send,
					retry: {
						maxAttempts: options.maxAttempts,
						timeoutMs: options.timeoutMs,
						maxRateLimitWaitMs: options.maxRateLimitWaitMs,
						maxRateLimitWaitSetting: 'Options → Max Rate Limit Wait',
					},
					onPartialFailure: options.onPartialFailure,
					includeRaw: options.includeRaw,
					idempotencyScope: scope,
					itemIndex,
					hooks: { ...N8N_HOOKS, budget: budgets.get(input.provider) },
				});
				return { result };
			} catch (error) {
				stopHere(itemIndex);
				return { error };
			}
		});
		// Let requests already started make progress while the next items are read: a turn of the
		// event loop after each item once enough work waits, so answers and connections are not
		// held up behind a long stretch of reading (at most 8 ms while the scheduler needs work).
		if (scheduler.waiting >= scheduler.concurrency || Date.now() - sliceStart >= 8) {
			await N8N_HOOKS.sleep(0);
			sliceStart = Date.now();
		}
	}
	const finished = scheduler ? await scheduler.done() : [];
	const results = items.map((_item, itemIndex) => {
		if (invalid.has(itemIndex))
			return { ok: true as const, value: { error: invalid.get(itemIndex) } as Outcome };
		return finished[itemIndex];
	});

	// 3. One output item per input item, in input order, with pairedItem.
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const done = results[itemIndex];
		if (!done) continue; // not started: after the item that stops the node
		const outcome = done.ok ? done.value : { error: done.error };
		if ('result' in outcome) {
			// One output item per input item; List Groups gives one per group, all paired with it.
			for (const result of Array.isArray(outcome.result) ? outcome.result : [outcome.result]) {
				output.push({ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } });
			}
			continue;
		}
		const nodeError = toNodeError(node, outcome.error, itemIndex);
		if (!continueOnFail) throw nodeError;
		const partial = resultOf(outcome.error);
		output.push({
			json: {
				...((partial ?? {}) as unknown as IDataObject),
				error: nodeError.message,
				errorDescription: nodeError.description ?? null,
			},
			pairedItem: { item: itemIndex },
		});
	}
	return [output];
}
