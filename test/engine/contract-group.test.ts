/**
 * The whole-group operations (Send Message, List Groups, Promote/Demote Admins, Invite Link, Sync
 * Members) through n8n-core's engine with the real node and credentials, against a loopback
 * server that records the raw request: method, path, query, headers and body bytes are checked
 * against what the official SDKs send (@linqapp/sdk 0.28.2, @periskope/periskope-client 1.1.3;
 * Chert from providers.md), and Chert's HMAC is recomputed over the bytes that arrived.
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
const WA_PATH = `/v1/chats/${encodeURIComponent(WA_GROUP)}`;
const ORG_PHONE = '919874532456';
const DERIVED_KEY = /^n8n-[0-9a-f]{32}$/;

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

async function run(parameters: IDataObject, authMode: 'hmac' | 'bearer' = 'hmac') {
	const result = await runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters)],
		credentials: credentials(authMode),
	});
	return { ...result, items: result.output('Group Chat') };
}

async function runOk(parameters: IDataObject, authMode: 'hmac' | 'bearer' = 'hmac') {
	const result = await run(parameters, authMode);
	expect(result.error).toBeUndefined();
	for (const item of result.items) expect(JSON.stringify(item.json)).not.toMatch(/dummy-/);
	return result.items;
}

/** Recomputes Chert's v1 signature over the received raw bytes and the sent timestamp. */
function expectValidChertSignature(request: Recorded) {
	expect(request.headers['x-chert-tenant']).toBe('acme');
	const match = /^v1,(\d+),([0-9a-f]{64})$/.exec(String(request.headers['x-chert-signature']));
	expect(match).not.toBeNull();
	const [, timestamp, hex] = match!;
	expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
	expect(hex).toBe(
		createHmac('sha256', SECRET).update(`${timestamp}.`).update(request.raw).digest('hex'),
	);
	expect(request.headers.authorization).toBeUndefined();
}

/** The body as JSON (with a JSON content type), or no bytes and no content type at all. */
function bodyOf(request: Recorded): unknown {
	if (request.raw.length === 0) {
		expect(request.headers['content-type']).toBeUndefined();
		return undefined;
	}
	expect(request.headers['content-type']).toBe('application/json');
	return JSON.parse(request.text);
}

/** Path and query as received: the query as an ordered list of [name, value] pairs. */
function target(request: Recorded): { path: string; query: [string, string][] } {
	const [path, query = ''] = request.url.split('?');
	return { path, query: [...new URLSearchParams(query).entries()] };
}

function expectPeriskopeHeaders(request: Recorded) {
	expect(request.headers.authorization).toBe(`Bearer ${PERISKOPE_KEY}`);
	expect(request.headers['x-phone']).toBe(ORG_PHONE);
}

function expectLinqHeaders(request: Recorded) {
	expect(request.headers.authorization).toBe(`Bearer ${LINQ_TOKEN}`);
	// The SDK sends no Idempotency-Key header: idempotency is the body's field only.
	expect(request.headers['idempotency-key']).toBeUndefined();
}

describe('Send Message', () => {
	const chertAnswer = {
		message: {
			id: 'msg_9',
			chat_id: 'ch_01HGROUP',
			parts: [{ type: 'text', value: 'Welcome' }],
			status: 'sent',
			direction: 'outbound',
			created_at: '2026-01-01T00:00:00Z',
			delivered_at: null,
			read_at: null,
			service: 'iMessage',
		},
	};

	describe.each(['hmac', 'bearer'] as const)('Chert (%s)', (authMode) => {
		test('POST /api/v1/chats/{id}/messages {message:{parts:[text, rich_link], idempotency_key}}', async () => {
			server.respond(() => ({ body: chertAnswer }));
			const [item] = await runOk(
				{
					provider: 'chert',
					operation: 'sendMessage',
					chatId: 'ch_01HGROUP',
					message: '  Welcome, see the guide  ',
					messageOptions: { linkPreviewUrl: 'https://example.com/guide' },
				},
				authMode,
			);
			expect(server.requests).toHaveLength(1);
			const [request] = server.requests;
			expect(request.method).toBe('POST');
			expect(request.url).toBe('/api/v1/chats/ch_01HGROUP/messages');
			const body = bodyOf(request) as { message: IDataObject };
			// Parts inside `message` (a top-level `parts` is refused by Chert), nothing else at the top.
			expect(Object.keys(body)).toEqual(['message']);
			expect(body.message.parts).toEqual([
				{ type: 'text', value: 'Welcome, see the guide' },
				{ type: 'rich_link', url: 'https://example.com/guide' },
			]);
			expect(body.message.idempotency_key).toMatch(DERIVED_KEY);
			expect(Object.keys(body.message).sort()).toEqual(['idempotency_key', 'parts']);
			if (authMode === 'hmac') expectValidChertSignature(request);
			else {
				expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
				expect(request.headers['x-chert-signature']).toBeUndefined();
			}
			expect(item.json).toMatchObject({
				status: 'done',
				chatId: 'ch_01HGROUP',
				messageId: 'msg_9',
				provider: 'chert',
				operation: 'sendMessage',
			});
			expect(item.pairedItem).toEqual({ item: 0 });
		});
	});

	test('Chert: text only, with the user’s own idempotency key', async () => {
		server.respond(() => ({ body: chertAnswer }));
		await runOk({
			provider: 'chert',
			operation: 'sendMessage',
			chatId: 'ch_01HGROUP',
			message: 'Hello',
			options: { idempotencyKey: 'welcome-42' },
		});
		const [request] = server.requests;
		expect(bodyOf(request)).toEqual({
			message: { parts: [{ type: 'text', value: 'Hello' }], idempotency_key: 'welcome-42' },
		});
		expectValidChertSignature(request);
	});

	test('Linq: POST /v3/chats/{id}/messages {message:{parts:[text], idempotency_key, reply_to:{message_id}}}', async () => {
		server.respond(() => ({
			body: {
				chat_id: LINQ_CHAT,
				message: {
					id: '0b8e6e1c-0000-4000-8000-000000000001',
					delivery_status: 'pending',
					parts: [],
					sent_at: null,
				},
			},
		}));
		const [item] = await runOk({
			provider: 'linq',
			operation: 'sendMessage',
			chatId: { __rl: true, mode: 'id', value: LINQ_CHAT.toUpperCase() },
			message: 'Thanks!',
			messageOptions: { replyTo: 'f1c2d3e4-0000-4000-8000-00000000abcd' },
		});
		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(`/api/partner/v3/chats/${LINQ_CHAT}/messages`);
		expectLinqHeaders(request);
		const body = bodyOf(request) as { message: IDataObject };
		expect(Object.keys(body)).toEqual(['message']);
		expect(body.message).toEqual({
			parts: [{ type: 'text', value: 'Thanks!' }],
			reply_to: { message_id: 'f1c2d3e4-0000-4000-8000-00000000abcd' },
			idempotency_key: expect.stringMatching(DERIVED_KEY),
		});
		// Linq queues the message: pending says accepted.
		expect(item.json).toMatchObject({
			status: 'accepted',
			chatId: LINQ_CHAT,
			messageId: '0b8e6e1c-0000-4000-8000-000000000001',
		});
	});

	test.each([
		['sent', 'done'],
		['queued', 'accepted'],
	])('Linq: delivery_status %s → status %s', async (state, status) => {
		server.respond(() => ({
			body: { chat_id: LINQ_CHAT, message: { id: 'm-1', delivery_status: state } },
		}));
		const [item] = await runOk({
			provider: 'linq',
			operation: 'sendMessage',
			chatId: LINQ_CHAT,
			message: 'Hi',
		});
		expect(item.json.status).toBe(status);
		expect(bodyOf(server.requests[0])).toEqual({
			message: {
				parts: [{ type: 'text', value: 'Hi' }],
				idempotency_key: expect.stringMatching(DERIVED_KEY),
			},
		});
	});

	test('Periskope: POST /message/send {chat_id, message, reply_to, options:{hide_url_preview}}; no idempotency key', async () => {
		server.respond(() => ({
			body: { queue_id: 'q_123', queue_position: 0, unique_id: '3EB0ABC' },
			headers: { 'x-periskope-trace-id': 'trace-s1' },
		}));
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: WA_GROUP,
			message: 'Read https://example.com',
			messageOptions: {
				replyTo: 'true_120363371308389685@g.us_3EB0_919874532456@c.us',
				hideLinkPreview: true,
			},
		});
		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe('/v1/message/send');
		expectPeriskopeHeaders(request);
		expect(bodyOf(request)).toEqual({
			chat_id: WA_GROUP,
			message: 'Read https://example.com',
			reply_to: 'true_120363371308389685@g.us_3EB0_919874532456@c.us',
			options: { hide_url_preview: true },
		});
		// Queued: the queue id stands for the message until it is sent.
		expect(item.json).toMatchObject({ status: 'accepted', chatId: WA_GROUP, messageId: 'q_123' });
	});

	test('Periskope: a plain message sends only chat_id and message; queue_position as a string is read too', async () => {
		server.respond(() => ({ body: { queue_id: 'q_7', queue_position: '3' } }));
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: WA_GROUP,
			message: 'Hi',
		});
		expect(bodyOf(server.requests[0])).toEqual({ chat_id: WA_GROUP, message: 'Hi' });
		expect(item.json).toMatchObject({ status: 'accepted', messageId: 'q_7' });
	});

	test('Periskope: a 200 that holds no queue or message id is not a send that went through (and is not sent again)', async () => {
		server.respond(() => ({ body: { message: 'ok' } }));
		const { error, items } = await run({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: WA_GROUP,
			message: 'Hi',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^Periskope: the answer has no queue or message ID; the change may have been applied — not retried automatically/,
		);
		expect(server.requests).toHaveLength(1);
	});

	test('Periskope: the older answer keyed by the chat id still gives the message id', async () => {
		server.respond(() => ({
			body: { [WA_GROUP]: 'true_120363371308389685@g.us_3EB0_919874532456@c.us' },
		}));
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: WA_GROUP,
			message: 'Hi',
		});
		expect(item.json.messageId).toBe('true_120363371308389685@g.us_3EB0_919874532456@c.us');
	});

	test('Linq: a message Linq says failed is an error, never "done"', async () => {
		server.respond(() => ({
			body: { chat_id: LINQ_CHAT, message: { id: 'm-9', delivery_status: 'failed' } },
		}));
		const { error, items } = await run({
			provider: 'linq',
			operation: 'sendMessage',
			chatId: LINQ_CHAT,
			message: 'Hi',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(/^Linq: the message was not sent/);
		expect(server.requests).toHaveLength(1);
	});

	test('options a provider does not take are left out of its body (saved before a provider change)', async () => {
		server.respond(() => ({ body: { queue_id: 'q_8' } }));
		await runOk({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: WA_GROUP,
			message: 'Hi',
			messageOptions: { linkPreviewUrl: 'https://example.com' },
		});
		server.reset();
		server.respond(() => ({ body: chertAnswer }));
		await runOk({
			provider: 'chert',
			operation: 'sendMessage',
			chatId: 'ch_01HGROUP',
			message: 'Hi',
			messageOptions: { replyTo: 'x', hideLinkPreview: true },
		});
		expect((bodyOf(server.requests[0]) as { message: IDataObject }).message.parts).toEqual([
			{ type: 'text', value: 'Hi' },
		]);
	});
});

describe('List Groups', () => {
	const waChat = (n: number, extra: IDataObject = {}) => ({
		chat_id: `1203633713083${String(n).padStart(5, '0')}@g.us`,
		chat_name: `Cohort ${n}`,
		chat_type: 'group',
		org_phone: `${ORG_PHONE}@c.us`,
		members: {
			[`${ORG_PHONE}@c.us`]: {
				contact_id: `${ORG_PHONE}@c.us`,
				is_admin: true,
				is_super_admin: true,
				number: ORG_PHONE,
				contact_lid: null,
			},
			'14155550181@c.us': {
				contact_id: '14155550181@c.us',
				is_admin: false,
				is_super_admin: false,
				number: '14155550181',
				contact_lid: null,
			},
		},
		member_count: 2,
		is_exited: false,
		invite_link: null,
		...extra,
	});

	test('Periskope: GET /chats?offset=&limit=&chat_type=group, pages by offset until count', async () => {
		server.respond((request) => {
			const offset = Number(new URLSearchParams(request.url.split('?')[1]).get('offset'));
			const count = 150;
			const chats = Array.from({ length: Math.min(100, count - offset) }, (_, index) =>
				waChat(offset + index),
			);
			return { body: { chats, count, from: offset, to: offset + chats.length } };
		});
		const items = await runOk({ provider: 'periskope', operation: 'listGroups', returnAll: true });
		expect(server.requests.map((request) => [request.method, target(request)])).toEqual([
			[
				'GET',
				{
					path: '/v1/chats',
					query: [
						['offset', '0'],
						['limit', '100'],
						['chat_type', 'group'],
					],
				},
			],
			[
				'GET',
				{
					path: '/v1/chats',
					query: [
						['offset', '100'],
						['limit', '100'],
						['chat_type', 'group'],
					],
				},
			],
		]);
		for (const request of server.requests) {
			expectPeriskopeHeaders(request);
			expect(request.raw.length).toBe(0);
		}
		expect(items).toHaveLength(150);
		expect(items[0].json).toMatchObject({
			status: 'done',
			chatId: '120363371308300000@g.us',
			name: 'Cohort 0',
			roster: [ORG_PHONE, '14155550181'],
			line: ORG_PHONE,
			provider: 'periskope',
			operation: 'listGroups',
		});
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	test('Periskope: the chat object’s add_members_admins_only (its name in @periskope/types) is read', async () => {
		server.respond(() => ({
			body: {
				chats: [waChat(1, { add_members_admins_only: true, messages_admins_only: true })],
				count: 1,
				from: 0,
				to: 1,
			},
		}));
		const [item] = await runOk({ provider: 'periskope', operation: 'listGroups', returnAll: true });
		expect((item.json.details as IDataObject).settings).toMatchObject({
			addMembersAdminsOnly: true,
			messagesAdminsOnly: true,
		});
	});

	test('Linq: GET /v3/chats?limit=100, then cursor=<next_cursor>; a member filter is sent as to=', async () => {
		const chat = (n: number) => ({
			id: `550e8400-e29b-41d4-a716-4466554400${String(n).padStart(2, '0')}`,
			display_name: `Deal ${n}`,
			is_group: true,
			service: 'iMessage',
			handles: [
				{ id: 'h0', handle: '+14155550150', service: 'iMessage', is_me: true, status: 'active' },
				{ id: 'h1', handle: '+14155551234', service: 'iMessage', status: 'active' },
			],
		});
		server.respond((request) =>
			new URLSearchParams(request.url.split('?')[1]).get('cursor') === 'page-2'
				? { body: { chats: [chat(2)], next_cursor: null } }
				: { body: { chats: [chat(1)], next_cursor: 'page-2' } },
		);
		const items = await runOk({
			provider: 'linq',
			operation: 'listGroups',
			returnAll: true,
			groupFilters: { member: '(415) 555-1234' },
		});
		expect(server.requests.map((request) => [request.method, target(request)])).toEqual([
			[
				'GET',
				{
					path: '/api/partner/v3/chats',
					query: [
						['limit', '100'],
						['to', '+14155551234'],
					],
				},
			],
			[
				'GET',
				{
					path: '/api/partner/v3/chats',
					query: [
						['limit', '100'],
						['cursor', 'page-2'],
						['to', '+14155551234'],
					],
				},
			],
		]);
		// `+` travels percent-encoded (form encoding would turn a bare + into a space).
		expect(server.requests[0].url).toContain('to=%2B14155551234');
		for (const request of server.requests) expectLinqHeaders(request);
		expect(items.map((item) => item.json.name)).toEqual(['Deal 1', 'Deal 2']);
	});
});

describe('Promote / Demote Admins (Periskope)', () => {
	test.each(['promoteAdmins', 'demoteAdmins'])(
		'%s: POST /chats/{id}/%s {participants:[digits]} in chunks of 50',
		async (operation) => {
			const action = operation === 'promoteAdmins' ? 'promote' : 'demote';
			const people = Array.from(
				{ length: 120 },
				(_, index) => `14155560${String(index).padStart(3, '0')}`,
			);
			server.respond((request) => {
				const { participants } = JSON.parse(request.text) as { participants: string[] };
				return {
					body: Object.fromEntries(
						participants.map((digits) => [`${digits}@c.us`, { is_success: true }]),
					),
				};
			});
			const [item] = await runOk({
				provider: 'periskope',
				operation,
				chatId: WA_GROUP,
				participants: people.map((digits) => `+${digits}`).join('\n'),
			});
			expect(server.requests.map((request) => [request.method, request.url])).toEqual([
				['POST', `${WA_PATH}/${action}`],
				['POST', `${WA_PATH}/${action}`],
				['POST', `${WA_PATH}/${action}`],
			]);
			expect(server.requests.map((request) => bodyOf(request))).toEqual([
				{ participants: people.slice(0, 50) },
				{ participants: people.slice(50, 100) },
				{ participants: people.slice(100) },
			]);
			for (const request of server.requests) expectPeriskopeHeaders(request);
			const outcome = operation === 'promoteAdmins' ? 'promoted' : 'demoted';
			expect(
				(item.json.participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]),
			).toEqual(people.map((digits) => [digits, outcome]));
			expect(item.json.status).toBe('done');
		},
	);

	test('a linked id (…@lid) is sent as given and read back by its id', async () => {
		server.respond(() => ({
			body: {
				'205519000000001@lid': { is_success: true },
				'14155550187@c.us': { is_success: true },
			},
		}));
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'promoteAdmins',
			chatId: WA_GROUP,
			participants: '205519000000001@LID, +1 415 555 0187',
		});
		expect(bodyOf(server.requests[0])).toEqual({
			participants: ['205519000000001@lid', '14155550187'],
		});
		expect(item.json.participants).toEqual([
			{ address: '205519000000001@lid', outcome: 'promoted', message: 'now an admin' },
			{ address: '14155550187', outcome: 'promoted', message: 'now an admin' },
		]);
	});
});

describe('Invite Link (Periskope)', () => {
	test('reset: POST /chats/{id}/invite with no body → inviteLink', async () => {
		server.respond(() => ({
			body: { invite_link: 'https://chat.whatsapp.com/invite/IzKhJSOewu2MwBxYVGofA' },
		}));
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'inviteLink',
			chatId: WA_GROUP,
			inviteLinkAction: 'reset',
		});
		const [request] = server.requests;
		expect([request.method, request.url]).toEqual(['POST', `${WA_PATH}/invite`]);
		expect(bodyOf(request)).toBeUndefined();
		expectPeriskopeHeaders(request);
		expect(item.json).toMatchObject({
			status: 'done',
			chatId: WA_GROUP,
			inviteLink: 'https://chat.whatsapp.com/invite/IzKhJSOewu2MwBxYVGofA',
		});
	});

	test('get: reads the chat (GET /chats/{id}, no body) and outputs its invite_link, changing nothing', async () => {
		server.respond(() => ({
			body: {
				chat_id: WA_GROUP,
				chat_name: 'G',
				members: {},
				invite_link: 'https://chat.whatsapp.com/AbC',
			},
		}));
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'inviteLink',
			chatId: WA_GROUP,
			inviteLinkAction: 'get',
		});
		expect(
			server.requests.map((request) => [request.method, request.url, request.raw.length]),
		).toEqual([['GET', WA_PATH, 0]]);
		expect(item.json.inviteLink).toBe('https://chat.whatsapp.com/AbC');
	});

	test('get on a chat without a link (invite_link: null) says null', async () => {
		server.respond(() => ({
			body: { chat_id: WA_GROUP, chat_name: 'G', members: {}, invite_link: null },
		}));
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'inviteLink',
			chatId: WA_GROUP,
		});
		expect(item.json.inviteLink).toBeNull();
	});
});

describe('Sync Members', () => {
	test('Periskope: GET /chats/{id}, then /add and /remove with {participants} (your line never sent)', async () => {
		server.respond((request) =>
			request.method === 'GET'
				? {
						body: {
							chat_id: WA_GROUP,
							chat_name: 'Course',
							org_phone: `${ORG_PHONE}@c.us`,
							members: {
								[`${ORG_PHONE}@c.us`]: { contact_id: `${ORG_PHONE}@c.us`, is_admin: true },
								'14155550181@c.us': { contact_id: '14155550181@c.us', is_admin: false },
								'14155550182@c.us': { contact_id: '14155550182@c.us', is_admin: false },
							},
						},
					}
				: {
						body: Object.fromEntries(
							(JSON.parse(request.text) as { participants: string[] }).participants.map(
								(digits) => [`${digits}@c.us`, { is_success: true, message: 'ok', code: 200 }],
							),
						),
					},
		);
		const [item] = await runOk({
			provider: 'periskope',
			operation: 'syncMembers',
			chatId: WA_GROUP,
			participants: '+1 415 555 0181\n+1 415 555 0183',
			syncOptions: { allowRemovals: true },
		});
		expect(
			server.requests.map((request) => [request.method, request.url, bodyOf(request)]),
		).toEqual([
			['GET', WA_PATH, undefined],
			['POST', `${WA_PATH}/add`, { participants: ['14155550183'] }],
			['POST', `${WA_PATH}/remove`, { participants: ['14155550182'] }],
		]);
		expect(item.json.sync).toMatchObject({
			added: ['14155550183'],
			removed: ['14155550182'],
			unchanged: ['14155550181'],
		});
	});

	test('Linq: GET /v3/chats/{id}, then one POST and one DELETE {handle} per person', async () => {
		server.respond((request) =>
			request.method === 'GET'
				? {
						body: {
							id: LINQ_CHAT,
							display_name: 'Deal',
							is_group: true,
							handles: [
								{ handle: '+14155550150', is_me: true, status: 'active' },
								{ handle: '+14155550161', status: 'active' },
								{ handle: '+14155550162', status: 'active' },
								{ handle: '+14155550163', status: 'active' },
							],
						},
					}
				: { body: { message: 'queued', status: 'accepted', trace_id: 't' } },
		);
		const [item] = await runOk({
			provider: 'linq',
			operation: 'syncMembers',
			chatId: LINQ_CHAT,
			participants: '+14155550161, +14155550162, +14155550164',
			syncOptions: { allowRemovals: true },
		});
		expect(
			server.requests.map((request) => [request.method, request.url, bodyOf(request)]),
		).toEqual([
			['GET', `/api/partner/v3/chats/${LINQ_CHAT}`, undefined],
			['POST', `/api/partner/v3/chats/${LINQ_CHAT}/participants`, { handle: '+14155550164' }],
			['DELETE', `/api/partner/v3/chats/${LINQ_CHAT}/participants`, { handle: '+14155550163' }],
		]);
		for (const request of server.requests) expectLinqHeaders(request);
		expect(item.json).toMatchObject({
			status: 'accepted',
			sync: {
				added: ['+14155550164'],
				removed: ['+14155550163'],
				unchanged: ['+14155550161', '+14155550162'],
			},
		});
	});
});
