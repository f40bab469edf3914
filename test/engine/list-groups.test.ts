/**
 * List Groups through n8n-core's engine: against the sandbox with hundreds of groups (Return All
 * against Limit, name and member filters, one output item per group paired with its input item,
 * Get Group's shape, linked ids passed through), and against a hostile server (a cursor or offset
 * that does not move ends the list; the page bound stops a list that never ends; a failed read
 * speaks of reading).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { LIST_MAX_PAGES } from '../../src/listing';
import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startHostile, type Hostile } from '../helpers/hostile';
import { sandboxCredentials } from '../helpers/sandbox-workflow';
import { linq, linqCreateBody, periskope } from '../sandbox/helpers';

const GROUPS = 250;
/** Every 50th created group also has this member (Periskope contact; a Linq handle). */
const MARKED = { periskope: '14155550182', linq: '+14155558200' };

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 1, seedLinkedIds: true });
	for (let n = 0; n < GROUPS; n++) {
		const marked = n % 50 === 0;
		const to = [`+1415556${String(n).padStart(4, '0')}`, `+1415557${String(n).padStart(4, '0')}`];
		const created = await linq(
			sandbox,
			'POST',
			'/v3/chats',
			linqCreateBody({ to: marked ? [...to, MARKED.linq] : to }),
		);
		expect(created.status).toBe(200);
		if (n % 25 === 0) {
			expect(
				(
					await linq(sandbox, 'PUT', `/v3/chats/${created.json.chat.id}`, {
						display_name: `Onboarding ${n}`,
					})
				).status,
			).toBe(200);
		}
		const participants = marked ? ['14155550181', MARKED.periskope] : ['14155550181'];
		expect(
			(
				await periskope(sandbox, 'POST', '/chats/create', {
					group_name: `Cohort ${n}`,
					participants,
				})
			).status,
		).toBe(200);
	}
	await sandbox.settle();
}, 120_000);
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.requests.length = 0;
});

async function run(parameters: IDataObject, items?: IDataObject[]) {
	const result = await runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters)],
		items,
		credentials: sandboxCredentials(sandbox),
	});
	const output = result.output('Group Chat');
	return { ...result, output, items: output.map((item) => item.json) };
}

const groupsOf = (provider: 'linq' | 'periskope') =>
	sandbox
		.listChats(provider)
		.filter(
			(chat) => provider === 'periskope' || chat.participants.length > 2 || chat.name !== null,
		);
const pairedTo = (output: INodeExecutionData[]) =>
	output.map((item) => (item.pairedItem as { item: number }).item);
const reads = (provider: string) =>
	sandbox.requests.filter((request) => request.provider === provider);

describe.each(['linq', 'periskope'] as const)('%s', (provider) => {
	const list = (extra: IDataObject = {}) => ({ provider, operation: 'listGroups', ...extra });

	test('Return All: every group exactly once, in pages of 100, nothing written', async () => {
		const { error, items, output } = await run(list({ returnAll: true }));
		expect(error).toBeUndefined();
		const expected = sandbox
			.listChats(provider)
			.filter((chat) => provider === 'periskope' || chat.id !== DEMO.groups.linq.dm)
			.map((chat) => chat.id);
		expect(expected.length).toBeGreaterThan(GROUPS);
		expect(items.map((item) => item.chatId)).toEqual(expected);
		expect(pairedTo(output).every((index) => index === 0)).toBe(true);
		const requests = reads(provider);
		expect(requests.every((request) => request.method === 'GET')).toBe(true);
		expect(requests).toHaveLength(Math.ceil(sandbox.listChats(provider).length / 100));
		// Direct messages are not groups.
		expect(items.map((item) => item.chatId)).not.toContain(DEMO.groups.linq.dm);
	});

	test.each([
		[30, 1],
		[150, 2],
	])('Limit %i: that many groups, %i page(s) read', async (limit, pages) => {
		const { error, items } = await run(list({ returnAll: false, limit }));
		expect(error).toBeUndefined();
		expect(items).toHaveLength(limit);
		expect(new Set(items.map((item) => item.chatId)).size).toBe(limit);
		expect(reads(provider)).toHaveLength(pages);
	});

	test('Limit defaults to 50 when not set', async () => {
		const { items } = await run(list({}));
		expect(items).toHaveLength(50);
	});

	test('a name filter (any case) keeps only groups whose name contains it', async () => {
		const text = provider === 'periskope' ? 'cohort 1' : 'ONBOARDING 1';
		const { error, items } = await run(list({ returnAll: true, groupFilters: { name: text } }));
		expect(error).toBeUndefined();
		const expected = groupsOf(provider).filter((chat) =>
			chat.name?.toLowerCase().includes(text.toLowerCase()),
		);
		expect(expected.length).toBeGreaterThan(2);
		expect(items.map((item) => item.name)).toEqual(expected.map((chat) => chat.name));
	});

	test('a member filter, typed the way people type numbers, keeps only that member’s groups', async () => {
		const typed = provider === 'periskope' ? '+1 (415) 555-0182' : '(415) 555-8200';
		const { error, items } = await run(list({ returnAll: true, groupFilters: { member: typed } }));
		expect(error).toBeUndefined();
		const expected = sandbox
			.listChats(provider)
			.filter((chat) => chat.participants.includes(MARKED[provider]));
		expect(expected.length).toBeGreaterThanOrEqual(5);
		expect(items.map((item) => item.chatId)).toEqual(expected.map((chat) => chat.id));
		for (const item of items) expect(item.roster).toContain(MARKED[provider]);
		if (provider === 'linq') {
			// Linq filters on its side: one short page.
			expect(reads('linq')).toHaveLength(1);
			expect(reads('linq')[0].query).toContain('to=%2B14155558200');
		}
	});

	test('each input item gets its own groups, paired with it; a Limit stops early per item', async () => {
		const { error, output } = await run(list({ returnAll: false, limit: '={{ $json.limit }}' }), [
			{ limit: 2 },
			{ limit: 3 },
		]);
		expect(error).toBeUndefined();
		expect(pairedTo(output)).toEqual([0, 0, 1, 1, 1]);
	});

	test('each group in Get Group’s shape (the same keys and values as Get Group of that group)', async () => {
		const chatId = provider === 'periskope' ? DEMO.groups.periskope.five : DEMO.groups.linq.five;
		const listed = (await run(list({ returnAll: true }))).items.find(
			(item) => item.chatId === chatId,
		)!;
		const got = (await run({ provider, operation: 'get', chatId })).items[0];
		expect(Object.keys(listed)).toEqual(Object.keys(got));
		const { operation: listedOperation, ...listedRest } = listed;
		const { operation: gotOperation, ...gotRest } = got;
		expect([listedOperation, gotOperation]).toEqual(['listGroups', 'get']);
		expect(listedRest).toEqual(gotRest);
		expect(listed).toMatchObject({
			status: 'done',
			participants: [],
			line: expect.any(String),
			details: expect.any(Object),
		});
	});

	test('Include Raw Answers off leaves each group’s raw entry out', async () => {
		const { items } = await run(
			list({ returnAll: false, limit: 3, options: { includeRaw: false } }),
		);
		for (const item of items) expect(item).not.toHaveProperty('raw');
		const on = await run(list({ returnAll: false, limit: 3 }));
		for (const item of on.items)
			expect(item.raw).toEqual([
				expect.objectContaining({ [provider === 'linq' ? 'id' : 'chat_id']: item.chatId }),
			]);
	});
});

describe('Periskope: members known by a linked id', () => {
	test('pass through unchanged (never a phone number, never dropped), and the filter finds them', async () => {
		const { error, items } = await run({
			provider: 'periskope',
			operation: 'listGroups',
			returnAll: true,
			groupFilters: { member: DEMO.periskope.linkedIds[0] },
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.chatId)).toEqual([DEMO.groups.periskope.linked]);
		const [group] = items;
		expect(group.roster).toEqual(
			expect.arrayContaining([...DEMO.periskope.linkedIds, '14155550187', DEMO.periskope.orgPhone]),
		);
		expect(group.roster).toHaveLength(4);
		expect(group.members).toContainEqual({
			address: DEMO.periskope.linkedIds[1],
			isYou: false,
			status: 'active',
			isAdmin: true,
			joinedAt: null,
		});
		expect(group.members).toContainEqual(
			expect.objectContaining({ address: DEMO.periskope.linkedIds[0], isAdmin: false }),
		);
		expect(JSON.stringify(group.roster)).not.toMatch(/"205519000000001"|"\+205519000000001"/);
	});
});

describe('a hostile provider: every list ends, and says so', () => {
	let hostile: Hostile;
	beforeAll(async () => {
		hostile = await startHostile();
	});
	afterAll(async () => hostile.close());
	beforeEach(() => hostile.reset());

	const credentials = () => ({
		linqApi: { baseUrl: hostile.baseUrl, apiToken: 'dummy-linq-token' },
		periskopeApi: {
			baseUrl: hostile.baseUrl,
			apiKey: 'dummy-periskope-key',
			orgPhone: '14155550180',
		},
	});
	const json = (body: unknown) => (_hit: unknown, response: import('node:http').ServerResponse) => {
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end(JSON.stringify(body));
	};
	const linqChat = (n: number) => ({
		id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		display_name: `G${n}`,
		is_group: true,
		handles: [],
	});
	const waChat = (n: number) => ({
		chat_id: `1203${String(n).padStart(10, '0')}@g.us`,
		chat_name: `G${n}`,
		chat_type: 'group',
		members: {},
	});

	async function runHostile(parameters: IDataObject) {
		const result = await runWorkflow({
			nodes: [groupChatNode('Group Chat', parameters)],
			credentials: credentials(),
		});
		return { ...result, items: result.output('Group Chat').map((item) => item.json) };
	}

	test('Linq: a next_cursor that does not move ends the list; its groups once', async () => {
		hostile.handle(json({ chats: [linqChat(1), linqChat(2)], next_cursor: 'same' }));
		const { error, items } = await runHostile({
			provider: 'linq',
			operation: 'listGroups',
			returnAll: true,
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.name)).toEqual(['G1', 'G2']);
		expect(hostile.hits.length).toBeLessThanOrEqual(2);
	});

	test('Periskope: a server that ignores the offset (same page, a count that lies) ends the list', async () => {
		hostile.handle(
			json({
				chats: Array.from({ length: 100 }, (_, n) => waChat(n)),
				count: 1_000_000,
				from: 0,
				to: 100,
			}),
		);
		const { error, items } = await runHostile({
			provider: 'periskope',
			operation: 'listGroups',
			returnAll: true,
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(100);
		expect(hostile.hits).toHaveLength(2);
	});

	test(`Linq: a list that never ends stops after ${LIST_MAX_PAGES} pages with a clear error`, async () => {
		let page = 0;
		hostile.handle((_hit, response) => {
			page++;
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end(JSON.stringify({ chats: [linqChat(page)], next_cursor: `c${page}` }));
		});
		const { error, items } = await runHostile({
			provider: 'linq',
			operation: 'listGroups',
			returnAll: true,
			groupFilters: { name: 'never matches' },
		});
		expect(items).toHaveLength(0);
		expect(hostile.hits).toHaveLength(LIST_MAX_PAGES);
		expect(error?.message).toBe(
			`Linq: stopped listing groups after ${LIST_MAX_PAGES} pages (${LIST_MAX_PAGES} chats read, 0 matching): narrow the list with Filters, or turn off Return All and set a Limit`,
		);
	});

	test('a read that keeps failing speaks of reading, never of a change', async () => {
		hostile.handle((_hit, response) => {
			response.writeHead(503, { 'content-type': 'application/json' });
			response.end('{"message":"down","code":"service_unavailable"}');
		});
		const { error } = await runHostile({
			provider: 'periskope',
			operation: 'listGroups',
			returnAll: true,
			options: { maxAttempts: 2 },
		});
		expect(error?.message).toBe(
			'Periskope: could not read the group list: Periskope had a temporary problem (gave up after 2 attempts)',
		);
		expect(error?.message).not.toMatch(/applied/);
		expect(hostile.hits).toHaveLength(2);
	});

	test('a reset mid-list is read again (a read is safe to repeat): the whole list', async () => {
		let calls = 0;
		hostile.handle((hit, response) => {
			calls++;
			if (calls === 2) {
				response.socket?.destroy();
				return;
			}
			const offset = Number(new URLSearchParams(hit.url.split('?')[1]).get('offset'));
			const chats = offset >= 200 ? [] : Array.from({ length: 100 }, (_, n) => waChat(offset + n));
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end(JSON.stringify({ chats, count: 200, from: offset, to: offset + chats.length }));
		});
		const { error, items } = await runHostile({
			provider: 'periskope',
			operation: 'listGroups',
			returnAll: true,
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(200);
		expect(new Set(items.map((item) => item.chatId)).size).toBe(200);
	});
});
