/**
 * The fault matrix: every sandbox fault × every operation × one provider, each run as a
 * workflow through n8n-core's engine. For each case it asserts the node's output, the
 * sandbox's final state (no duplicate group, no participant lost or added twice) and that
 * the number of requests stays within the retry bound of the retry-safety table (docs/architecture.md).
 */
import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { adapterFor } from '../../src/providers';
import { DEMO, startSandbox, type FaultKind, type Sandbox } from '../../src/sandbox';
import { DEFAULT_RETRY } from '../../src/transport';
import type { Operation as AnyOperation } from '../../src/types';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials, type ProviderName } from '../helpers/sandbox-workflow';

/** Does the faulted request change the sandbox's state before the client sees the failure? */
const APPLIED_ANYWAY: Record<Exclude<FaultKind, 'partial_failure'>, boolean> = {
	rate_limit: false,
	http_error: false,
	reset_before: false,
	html: false,
	reset_after: true,
	delay: true,
	malformed_json: true,
};
export const FAULTS = Object.keys(APPLIED_ANYWAY) as Array<keyof typeof APPLIED_ANYWAY>;
/** The five changes (Get Group only reads: there is no effect to check under faults). */
type Operation = Exclude<AnyOperation, 'get'>;
const OPERATIONS: Operation[] = [
	'create',
	'addParticipants',
	'removeParticipants',
	'rename',
	'leave',
];
const DELAY_MS = 2500;
const TIMEOUT_SECONDS = 2;

interface Fixture {
	group: string;
	joiner: string;
	member: string;
	sender?: string;
}
const FIXTURES: Record<ProviderName, Fixture> = {
	chert: {
		group: DEMO.groups.chert.five,
		joiner: '+14155550144',
		member: '+14155550121',
		sender: DEMO.chert.senders[0],
	},
	linq: {
		group: DEMO.groups.linq.five,
		joiner: '+14155550174',
		member: '+14155550163',
		sender: DEMO.linq.senders[0],
	},
	periskope: { group: DEMO.groups.periskope.five, joiner: '14155550187', member: '14155550183' },
};
const FOUNDERS: Record<ProviderName, string[]> = {
	chert: ['+14155550145', '+14155550146'],
	linq: ['+14155550175', '+14155550176'],
	periskope: ['14155550188', '14155550189'],
};
const NEW_NAME = 'Fault matrix group';

function parameters(provider: ProviderName, operation: Operation): IDataObject {
	const fixture = FIXTURES[provider];
	const options = { timeout: TIMEOUT_SECONDS };
	switch (operation) {
		case 'create':
			return provider === 'periskope'
				? {
						provider,
						operation,
						groupName: NEW_NAME,
						participants: FOUNDERS[provider].join(','),
						options,
					}
				: {
						provider,
						operation,
						sender: fixture.sender,
						firstMessage: 'hello',
						groupName: provider === 'chert' ? NEW_NAME : undefined,
						participants: FOUNDERS[provider].join(','),
						options,
					};
		case 'addParticipants':
			return { provider, operation, chatId: fixture.group, participants: fixture.joiner, options };
		case 'removeParticipants':
			return { provider, operation, chatId: fixture.group, participants: fixture.member, options };
		case 'rename':
			return { provider, operation, chatId: fixture.group, groupName: NEW_NAME, options };
		case 'leave':
			return { provider, operation, chatId: fixture.group, options };
		default:
			throw new Error(`the fault matrix covers the five original operations, not ${operation}`);
	}
}

/** The operation's effect, read from the sandbox: true when it is in place exactly once. */
function effect(sandbox: Sandbox, provider: ProviderName, operation: Operation): boolean {
	const fixture = FIXTURES[provider];
	const group = sandbox.getChat(provider, fixture.group)!;
	const count = (list: string[], value: string) => list.filter((entry) => entry === value).length;
	switch (operation) {
		case 'create': {
			const created = sandbox
				.listChats(provider)
				.filter((chat) =>
					FOUNDERS[provider].every((founder) => chat.participants.includes(founder)),
				);
			expect(created.length).toBeLessThanOrEqual(1); // never a duplicate group
			return created.length === 1;
		}
		case 'addParticipants':
			expect(count(group.participants, fixture.joiner)).toBeLessThanOrEqual(1);
			return count(group.participants, fixture.joiner) === 1;
		case 'removeParticipants':
			return count(group.participants, fixture.member) === 0;
		case 'rename':
			return group.name === NEW_NAME;
		case 'leave':
			return !group.selfIsMember;
		default:
			throw new Error(`the fault matrix covers the five original operations, not ${operation}`);
	}
}

export function defineFaultMatrix(provider: ProviderName): void {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ linqApplyDelayMs: 10 });
	});
	afterAll(async () => sandbox.stop());
	beforeEach(() => sandbox.reset());

	const adapter = adapterFor(provider);
	const cases = OPERATIONS.flatMap((operation) => FAULTS.map((fault) => ({ operation, fault })));

	test.each(cases)('$fault on $operation', async ({ operation, fault }) => {
		const retriedSafely = fault === 'rate_limit' || adapter.retryAfterAmbiguity[operation];
		const applied = APPLIED_ANYWAY[fault];
		sandbox.faults.inject({
			provider,
			kind: fault,
			times: 1,
			status: 503,
			retryAfterSeconds: 1,
			delayMs: DELAY_MS,
			// only the operation's own request, never a lookup
			method:
				operation === 'removeParticipants' && provider !== 'periskope'
					? 'DELETE'
					: operation === 'rename' && provider !== 'periskope'
						? 'PUT'
						: 'POST',
		});
		const started = Date.now();
		const result = await runWorkflow({
			nodes: [groupChatNode('Group Chat', parameters(provider, operation))],
			credentials: sandboxCredentials(sandbox),
		});
		// Let a held (delayed) request land and queued Linq changes apply before reading state.
		if (fault === 'delay') await sleep(Math.max(0, DELAY_MS + 200 - (Date.now() - started)));
		await sandbox.settle();

		const sent = sandbox.requests.length;
		expect(sent).toBeGreaterThanOrEqual(1);
		expect(sent).toBeLessThanOrEqual(DEFAULT_RETRY.maxAttempts);

		if (retriedSafely) {
			// Retried to success; applied exactly once.
			expect(result.error).toBeUndefined();
			const [item] = result.output('Group Chat');
			expect(item.json.status).toBe(
				provider === 'linq' && operation !== 'create' ? 'accepted' : 'done',
			);
			expect(sent).toBe(2);
			expect(effect(sandbox, provider, operation)).toBe(true);
		} else {
			// Not safe to repeat: one request, a clear error, and the state says whether it landed.
			expect(sent).toBe(1);
			expect(result.error?.message).toMatch(new RegExp(`^${adapter.label}: `));
			if (applied)
				expect(result.error?.message).toMatch(
					/may (or may not )?have been applied|not retried automatically/,
				);
			expect(effect(sandbox, provider, operation)).toBe(applied);
		}
	});
}

/** Periskope answers add/remove per participant: a 200 can carry failures for some of them. */
export function definePartialFailureCases(): void {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(async () => sandbox.stop());
	beforeEach(() => sandbox.reset());

	const fixture = FIXTURES.periskope;
	test.each([
		['addParticipants', '14155550187,14155550188', ['added', 'failed']],
		['removeParticipants', '14155550183,14155550184', ['removed', 'failed']],
	] as const)(
		'partial_failure on %s: every address reported, the failed one untouched',
		async (operation, list, outcomes) => {
			const [, failing] = list.split(',');
			for (const mode of ['output', 'error'] as const) {
				sandbox.reset();
				sandbox.faults.inject({
					provider: 'periskope',
					kind: 'partial_failure',
					failAddresses: [failing],
				});
				const result = await runWorkflow({
					nodes: [
						groupChatNode(
							'Group Chat',
							{
								provider: 'periskope',
								operation,
								chatId: fixture.group,
								participants: list,
								options: { onPartialFailure: mode },
							},
							{ onError: 'continueRegularOutput' },
						),
					],
					credentials: sandboxCredentials(sandbox),
				});
				const [item] = result.output('Group Chat');
				expect((item.json.participants as IDataObject[]).map((entry) => entry.outcome)).toEqual(
					outcomes,
				);
				expect((item.json.participants as IDataObject[]).map((entry) => entry.address)).toEqual(
					list.split(','),
				);
				if (mode === 'output') {
					expect(item.json.status).toBe('partial');
					expect(item.json.error).toBeUndefined();
				} else {
					expect(item.json.error).toBe(`Periskope: 1 of 2 participants failed (${failing})`);
				}
				expect(sandbox.requests).toHaveLength(1);
				const members = sandbox.getChat('periskope', fixture.group)!.participants;
				expect(members.includes(failing)).toBe(operation === 'removeParticipants');
			}
		},
	);
}

/** Fan-out providers (one request per address): a fault mid-list loses nobody. */
export function defineFanOutCases(): void {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ linqApplyDelayMs: 5 });
	});
	afterAll(async () => sandbox.stop());
	beforeEach(() => sandbox.reset());

	const many = (prefix: string, count: number) =>
		Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(2, '0')}`);

	test('Chert: 12 addresses, the 6th reset after it was applied → all 12 added exactly once', async () => {
		const list = many('+141555502', 12);
		sandbox.faults.inject({
			provider: 'chert',
			kind: 'reset_after',
			path: /participants$/,
			method: 'POST',
			skip: 5,
		});
		sandbox.faults.inject({
			provider: 'chert',
			kind: 'rate_limit',
			retryAfterSeconds: 1,
			method: 'POST',
			skip: 3,
		});
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'chert',
					operation: 'addParticipants',
					chatId: FIXTURES.chert.group,
					participants: list.join('\n'),
				}),
			],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output('Group Chat');
		expect(
			(item.json.participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]),
		).toEqual(list.map((address) => [address, 'added']));
		const members = sandbox.getChat('chert', FIXTURES.chert.group)!.participants;
		for (const address of list)
			expect(members.filter((member) => member === address)).toHaveLength(1);
		expect(sandbox.requests).toHaveLength(12 + 2);
	});

	test('Linq: 3 addresses, the 2nd gets a 503 → partial: 2 queued, 1 failed, none dropped from the report', async () => {
		const list = ['+14155550177', '+14155550178', '+14155550179'];
		sandbox.faults.inject({
			provider: 'linq',
			kind: 'http_error',
			status: 503,
			method: 'POST',
			path: /participants$/,
			skip: 1,
		});
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'linq',
					operation: 'addParticipants',
					chatId: FIXTURES.linq.group,
					participants: `={{ ${JSON.stringify(list)} }}`,
					options: { onPartialFailure: 'output' },
				}),
			],
			credentials: sandboxCredentials(sandbox),
		});
		const [item] = result.output('Group Chat');
		expect(item.json.status).toBe('partial');
		expect(
			(item.json.participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]),
		).toEqual([
			[list[0], 'queued'],
			[list[1], 'failed'],
			[list[2], 'queued'],
		]);
		await sandbox.settle();
		const members = sandbox.getChat('linq', FIXTURES.linq.group)!.participants;
		expect(members).toEqual(expect.arrayContaining([list[0], list[2]]));
		expect(members).not.toContain(list[1]);
		expect(sandbox.requests).toHaveLength(3);
	});
}
