/**
 * The full group lifecycle on each provider, run through n8n-core's engine with the real node
 * and credentials against the provider sandbox over loopback HTTP; then the sandbox's own
 * state is checked. Plus one documented refusal per provider, end to end.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import {
	E164,
	PEOPLE,
	lifecycleConnections,
	lifecycleNodes,
	sandboxCredentials,
	type ProviderName,
} from '../helpers/sandbox-workflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 20 });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

const digits = (human: string) => E164(human).slice(1);
const address = (provider: ProviderName, human: string) =>
	provider === 'periskope' ? digits(human) : E164(human);

describe.each(['chert', 'linq', 'periskope'] as const)('%s lifecycle', (provider) => {
	test.each(provider === 'chert' ? (['hmac', 'bearer'] as const) : (['default'] as const))(
		'create → add → rename → remove → leave (%s)',
		async (authMode) => {
			const nodes = lifecycleNodes(provider);
			const result = await runWorkflow({
				nodes,
				connections: lifecycleConnections(nodes),
				credentials: sandboxCredentials(sandbox, authMode === 'bearer' ? 'bearer' : 'hmac'),
			});
			expect(result.error).toBeUndefined();
			const out = (step: string) => result.output(`${provider}: ${step}`)[0]?.json as IDataObject;
			const created = out('Create Group');
			const chatId = String(created.chatId);
			expect(chatId).toBeTruthy();
			const people = PEOPLE[provider];
			const founders = people.founders.map((human) => address(provider, human));
			const joiner = address(provider, people.joiner);
			expect(created.participants).toEqual(
				founders.map((entry) => expect.objectContaining({ address: entry, outcome: 'added' })),
			);

			const async = provider === 'linq';
			expect(out('Add Participants')).toMatchObject({
				chatId,
				status: async ? 'accepted' : 'done',
				participants: [
					expect.objectContaining({ address: joiner, outcome: async ? 'queued' : 'added' }),
				],
			});
			expect(out('Rename Group')).toMatchObject({
				chatId,
				status: async ? 'accepted' : 'done',
				name: 'Lifecycle (renamed)',
			});
			expect(out('Remove Participants')).toMatchObject({
				participants: [
					expect.objectContaining({ address: founders[0], outcome: async ? 'queued' : 'removed' }),
				],
			});
			expect(out('Leave Group')).toMatchObject({ chatId, status: async ? 'accepted' : 'done' });

			await sandbox.settle();
			const chat = sandbox.getChat(provider, chatId)!;
			expect(chat.name).toBe('Lifecycle (renamed)');
			expect(chat.selfIsMember).toBe(false);
			expect([...chat.participants].sort()).toEqual([founders[1], founders[2], joiner].sort());
			expect(
				sandbox.listChats(provider).filter((entry) => entry.name?.startsWith('Lifecycle')),
			).toHaveLength(1);
		},
	);
});

test('Chert create: n8n’s Retry of a failed execution replays the same group; a new execution makes a new one', async () => {
	const [create] = lifecycleNodes('chert');
	const node = { ...create, parameters: { ...create.parameters, options: { maxAttempts: 1 } } };
	const credentials = sandboxCredentials(sandbox);
	// The group is created, then the connection drops before the answer: the execution fails.
	sandbox.faults.inject({ provider: 'chert', kind: 'reset_after', method: 'POST', path: /chats$/ });
	const failed = await runWorkflow({ nodes: [node], credentials });
	expect(failed.error?.message).toMatch(/may or may not have been applied/);
	expect(sandbox.listChats('chert').filter((chat) => chat.name === 'Lifecycle')).toHaveLength(1);
	// Retry starts from the failed execution's saved data (its context included).
	const retried = await runWorkflow({
		nodes: [node],
		credentials,
		contextData: failed.run.data.executionData?.contextData as IDataObject,
	});
	expect(retried.error).toBeUndefined();
	expect(sandbox.listChats('chert').filter((chat) => chat.name === 'Lifecycle')).toHaveLength(1);
	// A new execution (the editor's "Execute workflow" again) is a new group.
	const again = await runWorkflow({ nodes: [node], credentials });
	expect(again.output(node.name)[0].json.chatId).not.toBe(retried.output(node.name)[0].json.chatId);
	expect(sandbox.listChats('chert').filter((chat) => chat.name === 'Lifecycle')).toHaveLength(2);
});

describe('documented refusals, end to end', () => {
	const run = (parameters: IDataObject) =>
		runWorkflow({
			nodes: [groupChatNode('Group Chat', parameters)],
			credentials: sandboxCredentials(sandbox),
		});

	test('Chert: removing from a 3-member group → "would drop below 3", nothing changes', async () => {
		const before = sandbox.getChat('chert', DEMO.groups.chert.trio)!.participants;
		const result = await run({
			provider: 'chert',
			operation: 'removeParticipants',
			chatId: DEMO.groups.chert.trio,
			participants: before.find((member) => member !== DEMO.chert.senders[0]),
		});
		expect(result.error?.message).toMatch(/^Chert: the group would drop below 3 members/);
		expect(result.error?.description).toMatch(/provider code 1002, HTTP 400, trace id \S+/);
		expect(sandbox.getChat('chert', DEMO.groups.chert.trio)!.participants).toEqual(before);
	});

	test('Chert: leaving a 3-member group → "at least 4 members"', async () => {
		const result = await run({
			provider: 'chert',
			operation: 'leave',
			chatId: DEMO.groups.chert.trio,
		});
		expect(result.error?.message).toMatch(
			/^Chert: you can only leave a group that has at least 4 members/,
		);
		expect(sandbox.getChat('chert', DEMO.groups.chert.trio)!.selfIsMember).toBe(true);
	});

	test('Linq: leaving a 3-member group is refused', async () => {
		const result = await run({
			provider: 'linq',
			operation: 'leave',
			chatId: DEMO.groups.linq.trio,
		});
		expect(result.error?.message).toMatch(/^Linq: /);
		expect(result.error?.description).toMatch(/HTTP 4\d\d/);
		await sandbox.settle();
		expect(sandbox.getChat('linq', DEMO.groups.linq.trio)!.selfIsMember).toBe(true);
	});

	test('Linq: an SMS-only number cannot join an iMessage group', async () => {
		const result = await run({
			provider: 'linq',
			operation: 'addParticipants',
			chatId: DEMO.groups.linq.five,
			participants: '+14155559999',
		});
		expect(result.error?.message).toMatch(/^Linq: .*\(\+14155559999\)/);
		await sandbox.settle();
		expect(sandbox.getChat('linq', DEMO.groups.linq.five)!.participants).not.toContain(
			'+14155559999',
		);
	});

	test('Periskope: a wrong API key → 401 in the user’s words; nothing changes', async () => {
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'periskope',
					operation: 'rename',
					chatId: DEMO.groups.periskope.five,
					groupName: 'x',
				}),
			],
			credentials: {
				periskopeApi: { ...sandboxCredentials(sandbox).periskopeApi, apiKey: 'dummy-wrong-key' },
			},
		});
		expect(result.error?.message).toBe(
			'Periskope: the API key or org phone was rejected: check the Periskope credential',
		);
		expect(sandbox.getChat('periskope', DEMO.groups.periskope.five)!.name).toBe('Demo five');
	});

	test('Periskope: numbers outside the contacts get an invite, not a direct add', async () => {
		const result = await run({
			provider: 'periskope',
			operation: 'addParticipants',
			chatId: DEMO.groups.periskope.five,
			participants: '+1 415 555 0187, +44 20 7123 4567',
		});
		expect(result.error).toBeUndefined();
		expect(
			(result.output('Group Chat')[0].json.participants as IDataObject[]).map(
				(entry) => entry.outcome,
			),
		).toEqual(['added', 'invited']);
		const chat = sandbox.getChat('periskope', DEMO.groups.periskope.five)!;
		expect(chat.participants).toContain('14155550187');
		expect(chat.participants).not.toContain('442071234567');
	});
});
