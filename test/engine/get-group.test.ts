/**
 * Get Group through n8n-core's engine against the provider sandbox: the normalized roster on
 * Linq and Periskope, Get Group → Remove Participants pruning a roster, Chert refusing before
 * anything is sent; the Chat parameter as a resource locator and as a plain string (saved
 * workflows, expressions); output keys in reading order and the Include Raw Answers option.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { chain, groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-workflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 10 });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

const rl = (value: string, mode: 'list' | 'id' = 'list') => ({ __rl: true, mode, value });

async function run(parameters: IDataObject, items?: IDataObject[]) {
	const result = await runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters)],
		items,
		credentials: sandboxCredentials(sandbox),
	});
	return { ...result, items: result.output('Group Chat').map((item) => item.json) };
}

const requestsTo = (provider: string, method: string) =>
	sandbox.requests.filter((request) => request.provider === provider && request.method === method);

describe('Get Group', () => {
	test('Linq: name, roster (E.164, your line included), members with status, your line, details', async () => {
		const { error, items } = await run({
			provider: 'linq',
			operation: 'get',
			chatId: rl(DEMO.groups.linq.five),
		});
		expect(error).toBeUndefined();
		const [item] = items;
		expect(item).toMatchObject({
			status: 'done',
			chatId: DEMO.groups.linq.five,
			name: 'Demo five',
			participants: [],
			roster: ['+14155550150', '+14155550163', '+14155550164', '+14155550165', '+14155550166'],
			line: '+14155550150',
			details: { service: 'iMessage', memberCount: 5, youAreMember: true, iconUrl: null },
			provider: 'linq',
			operation: 'get',
		});
		expect((item.members as IDataObject[])[0]).toEqual({
			address: '+14155550150',
			isYou: true,
			status: 'active',
			isAdmin: null,
			joinedAt: '2025-01-15T10:00:00.000Z',
		});
		const [request] = requestsTo('linq', 'GET');
		expect(request.path).toBe(`/v3/chats/${DEMO.groups.linq.five}`);
		expect(request.rawBody.length).toBe(0);
	});

	test('Linq: a member removed earlier stays in members as removed, and leaves the roster', async () => {
		const remove = await run({
			provider: 'linq',
			operation: 'removeParticipants',
			chatId: rl(DEMO.groups.linq.five),
			participants: '(415) 555-0166',
		});
		expect(remove.error).toBeUndefined();
		await sandbox.settle();
		const { items } = await run({
			provider: 'linq',
			operation: 'get',
			chatId: rl(DEMO.groups.linq.five),
		});
		expect(items[0].roster).not.toContain('+14155550166');
		expect(items[0].members).toContainEqual(
			expect.objectContaining({ address: '+14155550166', status: 'removed' }),
		);
		expect(items[0].details).toMatchObject({ memberCount: 4 });
	});

	test('Periskope: the members map (<digits>@c.us) becomes a roster of digits, admins marked, org phone as your line', async () => {
		const { error, items } = await run({
			provider: 'periskope',
			operation: 'get',
			chatId: rl(DEMO.groups.periskope.five),
		});
		expect(error).toBeUndefined();
		const [item] = items;
		expect(item).toMatchObject({
			status: 'done',
			chatId: DEMO.groups.periskope.five,
			name: 'Demo five',
			roster: ['14155550180', '14155550183', '14155550184', '14155550185', '14155550186'],
			line: DEMO.periskope.orgPhone,
			details: {
				service: 'WhatsApp',
				memberCount: 5,
				youAreMember: true,
				settings: { messagesAdminsOnly: false, infoAdminsOnly: false, addMembersAdminsOnly: false },
			},
		});
		expect(item.members).toContainEqual({
			address: DEMO.periskope.orgPhone,
			isYou: true,
			status: 'active',
			isAdmin: true,
			joinedAt: null,
		});
		expect(item.members).toContainEqual(
			expect.objectContaining({ address: '14155550183', isYou: false, isAdmin: false }),
		);
		expect(requestsTo('periskope', 'GET')[0].path).toBe(
			`/chats/${encodeURIComponent(DEMO.groups.periskope.five)}`,
		);
	});

	test('Periskope: after leaving, the group says you are no longer a member', async () => {
		await run({
			provider: 'periskope',
			operation: 'leave',
			chatId: rl(DEMO.groups.periskope.trio),
		});
		const { items } = await run({
			provider: 'periskope',
			operation: 'get',
			chatId: rl(DEMO.groups.periskope.trio),
		});
		expect(items[0].details).toMatchObject({ youAreMember: false });
		expect(items[0].roster).not.toContain(DEMO.periskope.orgPhone);
	});

	test('a chat that does not exist fails in the provider’s words', async () => {
		const { error } = await run({
			provider: 'linq',
			operation: 'get',
			chatId: rl('00000000-0000-4000-8000-000000000000'),
		});
		expect(error?.message).toBe('Linq: could not read the group: chat not found');
	});

	test('Chert cannot read a group: refused before anything is sent', async () => {
		const { error } = await run({
			provider: 'chert',
			operation: 'get',
			chatId: DEMO.groups.chert.five,
		});
		expect(error?.message).toMatch(/^Item 0: Get Group is not available on Chert/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('Get Group → Remove Participants prunes a Periskope roster to the people to keep', async () => {
		const keep = ['14155550183', '14155550184'];
		const nodes = [
			groupChatNode('Get Group', {
				provider: 'periskope',
				operation: 'get',
				chatId: rl(DEMO.groups.periskope.five),
			}),
			groupChatNode('Remove Participants', {
				provider: 'periskope',
				operation: 'removeParticipants',
				chatId: '={{ $json.chatId }}',
				participants: `={{ $json.roster.filter((address) => address !== $json.line && !${JSON.stringify(keep)}.includes(address)) }}`,
			}),
		];
		const result = await runWorkflow({
			nodes,
			connections: chain('Get Group', 'Remove Participants'),
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const removed = result.output('Remove Participants')[0].json;
		expect(removed).toMatchObject({ status: 'done', chatId: DEMO.groups.periskope.five });
		expect(
			(removed.participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]),
		).toEqual([
			['14155550185', 'removed'],
			['14155550186', 'removed'],
		]);
		expect(
			[...sandbox.getChat('periskope', DEMO.groups.periskope.five)!.participants].sort(),
		).toEqual([DEMO.periskope.orgPhone, ...keep].sort());
	});

	test('Get Group → Remove Participants prunes a Linq roster (applied once Linq processes the queue)', async () => {
		const keep = ['+14155550163', '+14155550164'];
		const nodes = [
			groupChatNode('Get Group', {
				provider: 'linq',
				operation: 'get',
				chatId: rl(DEMO.groups.linq.five),
			}),
			groupChatNode('Remove Participants', {
				provider: 'linq',
				operation: 'removeParticipants',
				chatId: { __rl: true, mode: 'id', value: '={{ $json.chatId }}' },
				participants: `={{ $json.roster.filter((address) => address !== $json.line && !${JSON.stringify(keep)}.includes(address)) }}`,
			}),
		];
		const result = await runWorkflow({
			nodes,
			connections: chain('Get Group', 'Remove Participants'),
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const removed = result.output('Remove Participants')[0].json;
		expect(
			(removed.participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]),
		).toEqual([
			['+14155550165', 'queued'],
			['+14155550166', 'queued'],
		]);
		await sandbox.settle();
		expect([...sandbox.getChat('linq', DEMO.groups.linq.five)!.participants].sort()).toEqual(
			['+14155550150', ...keep].sort(),
		);
	});
});

describe('Chat: a resource locator, or a plain string from a workflow saved before', () => {
	const periskopeGroup = DEMO.groups.periskope.trio;
	test.each([
		['From List value', rl(periskopeGroup, 'list')],
		['By ID value', rl(periskopeGroup, 'id')],
		['By ID value with spaces around it', rl(` ${periskopeGroup} `, 'id')],
		['By ID, digits only (the @g.us is added)', rl(periskopeGroup.replace('@g.us', ''), 'id')],
		['By ID with an expression inside', rl('={{ $json.group }}', 'id')],
		['plain string (saved before the locator)', periskopeGroup],
		['plain string expression (saved before the locator)', '={{ $json.group }}'],
	])('%s', async (_label, chatId) => {
		const { error, items } = await run(
			{ provider: 'periskope', operation: 'rename', chatId, groupName: 'Renamed' },
			[{ group: periskopeGroup }],
		);
		expect(error).toBeUndefined();
		expect(items[0]).toMatchObject({ status: 'done', chatId: periskopeGroup, name: 'Renamed' });
		expect(requestsTo('periskope', 'POST').map((request) => request.path)).toEqual([
			`/chats/${encodeURIComponent(periskopeGroup)}/settings`,
		]);
		expect(sandbox.getChat('periskope', periskopeGroup)!.name).toBe('Renamed');
	});

	test('Chert (By ID only): a locator value and a saved plain string both reach the same chat', async () => {
		for (const chatId of [rl(DEMO.groups.chert.five, 'id'), DEMO.groups.chert.five]) {
			const { error, items } = await run({
				provider: 'chert',
				operation: 'rename',
				chatId,
				groupName: 'Same chat',
			});
			expect(error).toBeUndefined();
			expect(items[0]).toMatchObject({ chatId: DEMO.groups.chert.five, status: 'done' });
		}
		expect(requestsTo('chert', 'PUT').map((request) => request.path)).toEqual([
			`/api/v1/chats/${DEMO.groups.chert.five}`,
			`/api/v1/chats/${DEMO.groups.chert.five}`,
		]);
	});

	test('an empty locator: n8n itself refuses the workflow (Chat is required), nothing is sent', async () => {
		await expect(run({ provider: 'linq', operation: 'leave', chatId: rl('') })).rejects.toThrow(
			'Parameter "Chat" is required',
		);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('an expression that comes out empty says what is missing, and nothing is sent', async () => {
		const { error } = await run(
			{ provider: 'linq', operation: 'leave', chatId: rl('={{ $json.nothing }}', 'id') },
			[{}],
		);
		expect(error?.message).toMatch(/^Item 0: Chat ID is empty/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('By ID in another provider’s format: n8n refuses the workflow with this provider’s format', async () => {
		await expect(
			run({ provider: 'linq', operation: 'get', chatId: rl(DEMO.groups.periskope.five, 'id') }),
		).rejects.toThrow('A Linq chat ID is a UUID');
		expect(sandbox.requests).toHaveLength(0);
	});

	test('an expression giving another provider’s format is refused at run time, before sending', async () => {
		const { error } = await run(
			{ provider: 'linq', operation: 'get', chatId: rl('={{ $json.chat }}', 'id') },
			[{ chat: DEMO.groups.periskope.five }],
		);
		expect(error?.message).toMatch(/is not a Linq chat ID \(a UUID\)/);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('Remove Participants: Members to Remove', () => {
	test('picked members (values from the picker) are removed; typed participants are added to them', async () => {
		const { error, items } = await run({
			provider: 'periskope',
			operation: 'removeParticipants',
			chatId: rl(DEMO.groups.periskope.five),
			membersToRemove: ['+14155550185', '+14155550186'],
			participants: '+1 415 555 0184',
		});
		expect(error).toBeUndefined();
		expect(
			(items[0].participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]),
		).toEqual([
			['14155550185', 'removed'],
			['14155550186', 'removed'],
			['14155550184', 'removed'],
		]);
	});

	test('neither picked nor typed: refused before sending, pointing at both fields', async () => {
		const { error } = await run({
			provider: 'linq',
			operation: 'removeParticipants',
			chatId: rl(DEMO.groups.linq.five),
			membersToRemove: [],
			participants: '',
		});
		expect(error?.message).toMatch(/Participants is empty.*\(or pick Members to Remove\)/);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('output for people', () => {
	const FIRST = ['status', 'chatId', 'name', 'participants', 'roster'];
	const LAST = ['provider', 'operation', 'raw'];

	test.each([
		['get', { provider: 'linq', operation: 'get', chatId: rl(DEMO.groups.linq.five) }],
		[
			'create',
			{
				provider: 'periskope',
				operation: 'create',
				groupName: 'Ordered',
				participants: '+1 415 555 0181',
			},
		],
		[
			'rename',
			{
				provider: 'periskope',
				operation: 'rename',
				chatId: rl(DEMO.groups.periskope.trio),
				groupName: 'Ordered',
			},
		],
		[
			'add',
			{
				provider: 'chert',
				operation: 'addParticipants',
				chatId: DEMO.groups.chert.five,
				participants: '+14155550199',
			},
		],
	])(
		'%s: status, chatId, name, participants, roster first; provider, operation, raw last',
		async (_label, parameters) => {
			const { error, items } = await run(parameters);
			expect(error).toBeUndefined();
			const keys = Object.keys(items[0]);
			const present = FIRST.filter((key) => key in items[0]);
			expect(keys.slice(0, present.length)).toEqual(present);
			expect(keys.slice(-3)).toEqual(LAST);
			expect(present.slice(0, 2)).toEqual(['status', 'chatId']);
		},
	);

	test('Include Raw Answers: on by default (the provider’s answers, capped), off leaves raw out', async () => {
		const chatId = rl(DEMO.groups.linq.five);
		const on = await run({ provider: 'linq', operation: 'get', chatId });
		expect(on.items[0].raw).toEqual([
			expect.objectContaining({ id: DEMO.groups.linq.five, handles: expect.any(Array) }),
		]);
		const off = await run({
			provider: 'linq',
			operation: 'get',
			chatId,
			options: { includeRaw: false },
		});
		expect(off.items[0]).not.toHaveProperty('raw');
		expect(Object.keys(off.items[0]).slice(-2)).toEqual(['provider', 'operation']);
		expect(off.items[0].roster).toEqual(on.items[0].roster);
	});

	test('Include Raw Answers from an expression must be true or false', async () => {
		const { error } = await run({
			provider: 'linq',
			operation: 'get',
			chatId: rl(DEMO.groups.linq.five),
			options: { includeRaw: '={{ "sometimes" }}' },
		});
		expect(error?.message).toMatch(/Include Raw Answers must be true or false/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a failed item under Continue On Fail keeps the order, error last', async () => {
		sandbox.faults.inject({
			provider: 'periskope',
			kind: 'partial_failure',
			failAddresses: ['14155550185'],
		});
		const result = await runWorkflow({
			nodes: [
				groupChatNode(
					'Group Chat',
					{
						provider: 'periskope',
						operation: 'removeParticipants',
						chatId: rl(DEMO.groups.periskope.five),
						participants: '+14155550185, +14155550186',
						options: { includeRaw: false },
					},
					{ continueOnFail: true },
				),
			],
			credentials: sandboxCredentials(sandbox),
		});
		const item = result.output('Group Chat')[0].json;
		expect(Object.keys(item)).toEqual([
			'status',
			'chatId',
			'participants',
			'provider',
			'operation',
			'error',
			'errorDescription',
		]);
		expect(item.status).toBe('partial');
	});
});
