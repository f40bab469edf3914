/**
 * Every provider × operation through n8n-core's engine with the real node and credential,
 * against a loopback server that records the raw request: method, path, headers and the
 * body bytes are checked against the providers' published API; Chert's HMAC is recomputed over
 * the bytes that arrived.
 */
import { createHmac } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startRecorder, type Recorded, type Recorder } from '../helpers/recorder';

const SECRET = 'dummy-chert-signing-0f1e2d3c4b5a6978';
const LINQ_TOKEN = 'dummy-linq-token-7e81c2';
const PERISKOPE_KEY = 'dummy-periskope-key-44a1';
const LINQ_CHAT = '550e8400-e29b-41d4-a716-446655440000';
const WA_GROUP = '120363371308389685@g.us';

let server: Recorder;
beforeAll(async () => {
	server = await startRecorder();
});
afterAll(async () => server.close());
beforeEach(() => server.reset());

function credentials(authMode: 'hmac' | 'bearer' = 'hmac') {
	return {
		chertApi: { baseUrl: server.baseUrl, signingSecret: SECRET, tenantSlug: 'acme', authMode },
		linqApi: { baseUrl: `${server.baseUrl}/api/partner`, apiToken: LINQ_TOKEN },
		periskopeApi: {
			baseUrl: `${server.baseUrl}/v1`,
			apiKey: PERISKOPE_KEY,
			orgPhone: '+91 98745 32456',
		},
	};
}

async function runOne(parameters: IDataObject, authMode: 'hmac' | 'bearer' = 'hmac') {
	const result = await runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters)],
		credentials: credentials(authMode),
	});
	expect(result.error).toBeUndefined();
	return result.output('Group Chat');
}

/** Recomputes Chert's v1 signature over the received raw bytes and the sent timestamp. */
function expectValidChertSignature(request: Recorded) {
	expect(request.headers['x-chert-tenant']).toBe('acme');
	const header = String(request.headers['x-chert-signature']);
	const match = /^v1,(\d+),([0-9a-f]{64})$/.exec(header);
	expect(match).not.toBeNull();
	const [, timestamp, hex] = match!;
	expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
	const expected = createHmac('sha256', SECRET)
		.update(`${timestamp}.`)
		.update(request.raw)
		.digest('hex');
	expect(hex).toBe(expected);
	expect(request.headers.authorization).toBeUndefined();
}

interface ContractCase {
	name: string;
	parameters: IDataObject;
	reply: unknown;
	method?: string;
	url: string;
	body?: unknown;
	status?: string;
	check?: (json: IDataObject) => void;
}

/** The body bytes: none at all for bodiless requests, else JSON equal to `body`. */
function expectBody(request: Recorded, body: unknown) {
	if (body === undefined) {
		expect(request.raw.length).toBe(0);
		expect(request.headers['content-type']).toBeUndefined();
	} else {
		expect(request.headers['content-type']).toBe('application/json');
		expect(JSON.parse(request.text)).toEqual(body);
	}
}

const chertChat = {
	chat: {
		id: 'ch_01HGROUP',
		display_name: 'Launch',
		handles: [
			{ service: 'imessage', address: '+14155551234' },
			{ service: 'imessage', address: '+14155559876' },
		],
		is_group: true,
		service: 'imessage',
	},
	message: { id: 'msg_1', chat_id: 'ch_01HGROUP', status: 'sent' },
};

describe('Chert', () => {
	const cases: ContractCase[] = [
		{
			name: 'create',
			parameters: {
				operation: 'create',
				sender: '+1 (415) 555-0100',
				participants: '(415) 555-1234\n+1 415 555 9876',
				firstMessage: 'Starting this group here.',
				groupName: 'Launch',
				options: { idempotencyKey: 'launch-001' },
			},
			reply: chertChat,
			method: 'POST',
			url: '/api/v1/chats',
			body: {
				from: '+14155550100',
				to: ['+14155551234', '+14155559876'],
				message: {
					parts: [{ type: 'text', value: 'Starting this group here.' }],
					subject: 'Launch',
					idempotency_key: 'launch-001',
				},
			},
			check: (json) => {
				expect(json).toMatchObject({ chatId: 'ch_01HGROUP', status: 'done', name: 'Launch' });
				expect(json.roster).toEqual(['+14155551234', '+14155559876']);
			},
		},
		{
			name: 'add',
			parameters: {
				operation: 'addParticipants',
				chatId: 'ch_01HGROUP',
				participants: 'ana@example.com',
			},
			reply: {
				chat_id: 'ch_01HGROUP',
				added: 'ana@example.com',
				participants: ['+14155551234', 'ana@example.com'],
			},
			method: 'POST',
			url: '/api/v1/chats/ch_01HGROUP/participants',
			body: { address: 'ana@example.com' },
			check: (json) =>
				expect(json.participants).toEqual([
					{ address: 'ana@example.com', outcome: 'added', message: 'added to the group' },
				]),
		},
		{
			name: 'remove',
			parameters: {
				operation: 'removeParticipants',
				chatId: 'ch_01HGROUP',
				participants: '+14155551234',
			},
			reply: { chat_id: 'ch_01HGROUP', removed: '+14155551234', participants: ['+14155559876'] },
			method: 'DELETE',
			url: '/api/v1/chats/ch_01HGROUP/participants/%2B14155551234',
			check: (json) => expect((json.participants as IDataObject[])[0].outcome).toBe('removed'),
		},
		{
			name: 'rename',
			parameters: {
				operation: 'rename',
				chatId: 'ch_01HGROUP',
				groupName: '  Launch v2 ',
				iconUrl: 'https://example.com/icon.png',
			},
			reply: {
				chat: {
					id: 'ch_01HGROUP',
					display_name: 'Launch v2',
					group_chat_icon: 'https://example.com/icon.png',
					is_group: true,
				},
			},
			method: 'PUT',
			url: '/api/v1/chats/ch_01HGROUP',
			body: { display_name: 'Launch v2', group_chat_icon: 'https://example.com/icon.png' },
			check: (json) => expect(json).toMatchObject({ name: 'Launch v2', status: 'done' }),
		},
		{
			name: 'leave',
			parameters: { operation: 'leave', chatId: 'ch_01HGROUP' },
			reply: { chat_id: 'ch_01HGROUP', status: 'left' },
			method: 'POST',
			url: '/api/v1/chats/ch_01HGROUP/leave',
			check: (json) => expect(json).toMatchObject({ chatId: 'ch_01HGROUP', status: 'done' }),
		},
	];

	for (const authMode of ['hmac', 'bearer'] as const) {
		describe(`${authMode} auth`, () => {
			test.each(cases)('$name', async ({ parameters, reply, method, url, body, check }) => {
				server.respond(() => ({ body: reply }));
				const [item] = await runOne({ provider: 'chert', ...parameters }, authMode);
				expect(server.requests).toHaveLength(1);
				const [request] = server.requests;
				expect(request.method).toBe(method);
				expect(request.url).toBe(url);
				expectBody(request, body);
				if (authMode === 'hmac') {
					expectValidChertSignature(request);
				} else {
					expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
					expect(request.headers['x-chert-tenant']).toBe('acme');
					expect(request.headers['x-chert-signature']).toBeUndefined();
				}
				expect(item.json).toMatchObject({ provider: 'chert', operation: parameters.operation });
				expect(item.pairedItem).toEqual({ item: 0 });
				check?.(item.json);
				expect(JSON.stringify(item.json)).not.toContain(SECRET);
			});
		});
	}

	test('create without an idempotency key: a new execution derives a new key, a retried one keeps it', async () => {
		server.respond(() => ({ body: chertChat }));
		const parameters = {
			provider: 'chert',
			operation: 'create',
			sender: '+14155550100',
			participants: '+14155551234, +14155559876',
			firstMessage: 'Hello',
		};
		const node = groupChatNode('Group Chat', parameters);
		// The same saved node, executed twice: two executions, two groups.
		const first = await runWorkflow({ nodes: [node], credentials: credentials() });
		await runWorkflow({ nodes: [node], credentials: credentials() });
		// n8n's Retry of the first execution starts from its saved execution data.
		await runWorkflow({
			nodes: [node],
			credentials: credentials(),
			contextData: first.run.data.executionData?.contextData as IDataObject,
		});
		const keys = server.requests.map((request) => JSON.parse(request.text).message.idempotency_key);
		expect(keys[0]).toMatch(/^n8n-[0-9a-f]{32}$/);
		expect(keys[1]).toMatch(/^n8n-[0-9a-f]{32}$/);
		expect(keys[1]).not.toBe(keys[0]);
		expect(keys[2]).toBe(keys[0]);
		expect(JSON.stringify(first.run.data.executionData?.contextData)).not.toContain(SECRET);
	});
});

describe('Linq', () => {
	const queued = (message: string) => ({ message, status: 'accepted', trace_id: 'tr_1' });
	const cases: ContractCase[] = [
		{
			name: 'create',
			parameters: {
				operation: 'create',
				sender: '+14155550200',
				participants: ['+14155551234', '(415) 555-9876'],
				firstMessage: 'Hi all',
				options: { idempotencyKey: 'k-1' },
			},
			reply: {
				chat: {
					id: LINQ_CHAT,
					display_name: null,
					handles: [{ id: 'h1', handle: '+14155551234', service: 'iMessage' }],
					is_group: true,
					service: 'iMessage',
				},
			},
			method: 'POST',
			url: '/api/partner/v3/chats',
			body: {
				from: '+14155550200',
				to: ['+14155551234', '+14155559876'],
				message: { parts: [{ type: 'text', value: 'Hi all' }], idempotency_key: 'k-1' },
			},
			status: 'done',
		},
		{
			name: 'add',
			parameters: {
				operation: 'addParticipants',
				chatId: LINQ_CHAT,
				participants: '+1 205 249 9136',
			},
			reply: queued('Participant addition queued'),
			method: 'POST',
			url: `/api/partner/v3/chats/${LINQ_CHAT}/participants`,
			body: { handle: '+12052499136' },
			status: 'accepted',
		},
		{
			name: 'remove',
			parameters: {
				operation: 'removeParticipants',
				chatId: LINQ_CHAT,
				participants: '+12052499136',
			},
			reply: queued('Participant removal queued'),
			method: 'DELETE',
			url: `/api/partner/v3/chats/${LINQ_CHAT}/participants`,
			body: { handle: '+12052499136' },
			status: 'accepted',
		},
		{
			name: 'rename',
			parameters: { operation: 'rename', chatId: LINQ_CHAT, groupName: 'Deal room' },
			reply: { chat_id: LINQ_CHAT, status: 'accepted' },
			method: 'PUT',
			url: `/api/partner/v3/chats/${LINQ_CHAT}`,
			body: { display_name: 'Deal room' },
			status: 'accepted',
		},
		{
			name: 'leave',
			parameters: { operation: 'leave', chatId: LINQ_CHAT },
			reply: queued('Leave group chat queued'),
			method: 'POST',
			url: `/api/partner/v3/chats/${LINQ_CHAT}/leave`,
			status: 'accepted',
		},
	];

	test.each(cases)('$name', async ({ parameters, reply, method, url, body, status }) => {
		server.respond(() => ({ body: reply }));
		const [item] = await runOne({ provider: 'linq', ...parameters });
		expect(server.requests).toHaveLength(1);
		const [request] = server.requests;
		expect(request.method).toBe(method);
		expect(request.url).toBe(url);
		expect(request.headers.authorization).toBe(`Bearer ${LINQ_TOKEN}`);
		expectBody(request, body);
		expect(item.json).toMatchObject({ provider: 'linq', operation: parameters.operation, status });
		expect(JSON.stringify(item.json)).not.toContain(LINQ_TOKEN);
	});
});

describe('Periskope', () => {
	const cases: ContractCase[] = [
		{
			name: 'create',
			parameters: {
				operation: 'create',
				groupName: 'Support',
				participants: '+91 95378 51844, +44 20 7123 4567',
				forceAdd: true,
				groupSettings: { description: 'Our support group', messagesAdminsOnly: true },
			},
			reply: {
				chat_id: WA_GROUP,
				chat_name: 'Support',
				participants: ['919537851844', '442071234567'],
			},
			url: '/v1/chats/create',
			body: {
				group_name: 'Support',
				participants: ['919537851844', '442071234567'],
				options: {
					description: 'Our support group',
					messagesAdminsOnly: true,
					force_add_participants: true,
				},
			},
			check: (json) =>
				expect(json).toMatchObject({ chatId: WA_GROUP, name: 'Support', status: 'done' }),
		},
		{
			name: 'add',
			parameters: {
				operation: 'addParticipants',
				chatId: WA_GROUP,
				participants: '919537851844\n+1 415 555 1234',
			},
			reply: {
				'919537851844@c.us': {
					is_success: true,
					message: 'Invite sent to participant',
					code: 200,
					isInviteV4Sent: true,
				},
				'14155551234@c.us': {
					is_success: true,
					message: 'Added participant',
					code: 200,
					isInviteV4Sent: false,
				},
			},
			url: `/v1/chats/${encodeURIComponent(WA_GROUP)}/add`,
			body: { participants: ['919537851844', '14155551234'] },
			check: (json) =>
				expect((json.participants as IDataObject[]).map((entry) => entry.outcome)).toEqual([
					'invited',
					'added',
				]),
		},
		{
			name: 'remove',
			parameters: {
				operation: 'removeParticipants',
				chatId: WA_GROUP,
				participants: '919537851844',
			},
			reply: {
				'919537851844@c.us': { is_success: true, message: 'Removed participant', code: 200 },
			},
			url: `/v1/chats/${encodeURIComponent(WA_GROUP)}/remove`,
			body: { participants: ['919537851844'] },
			check: (json) => expect((json.participants as IDataObject[])[0].outcome).toBe('removed'),
		},
		{
			name: 'rename',
			parameters: { operation: 'rename', chatId: WA_GROUP, groupName: 'Support (EU)' },
			reply: { chat_id: WA_GROUP, chat_name: 'Support (EU)' },
			url: `/v1/chats/${encodeURIComponent(WA_GROUP)}/settings`,
			body: { name: 'Support (EU)' },
			check: (json) => expect(json.name).toBe('Support (EU)'),
		},
		{
			name: 'leave',
			parameters: { operation: 'leave', chatId: WA_GROUP },
			reply: { success: true },
			url: `/v1/chats/${encodeURIComponent(WA_GROUP)}/leave`,
			check: (json) => expect(json.status).toBe('done'),
		},
	];

	test.each(cases)('$name', async ({ parameters, reply, url, body, check }) => {
		server.respond(() => ({ body: reply, headers: { 'x-periskope-trace-id': 'trace-p1' } }));
		const [item] = await runOne({ provider: 'periskope', ...parameters });
		expect(server.requests).toHaveLength(1);
		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(url);
		expect(request.headers.authorization).toBe(`Bearer ${PERISKOPE_KEY}`);
		expect(request.headers['x-phone']).toBe('919874532456');
		expectBody(request, body);
		expect(item.json).toMatchObject({ provider: 'periskope', operation: parameters.operation });
		check?.(item.json);
		expect(JSON.stringify(item.json)).not.toContain(PERISKOPE_KEY);
	});
});
