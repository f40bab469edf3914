/**
 * Send Message on the three emulators, over real HTTP: Chert `POST /api/v1/chats/{id}/messages`,
 * Linq `POST /v3/chats/{chatId}/messages`, Periskope `POST /message/send` — the bodies, the
 * answers, the refusals, idempotent replays, the chat's message log, and which webhooks a message
 * your own line sent causes (never a `message.received`).
 */
import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { startRecorder, type Recorder } from '../helpers/recorder';
import { chert, linq, periskope, type Json, type Res } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sb: Sandbox;
let hooks: Recorder;
beforeAll(async () => {
	sb = await startSandbox({ linqApplyDelayMs: 5, webhookRetryBaseMs: 5 });
	hooks = await startRecorder();
});
afterAll(async () => {
	await sb.stop();
	await hooks.close();
});
beforeEach(() => {
	sb.reset();
	hooks.reset();
	hooks.respond(() => ({ status: 200, body: {} }));
});

/** The events delivered to the recorder, in order: `[type, body]`. */
function delivered(): Array<{ type: string; body: Json }> {
	return hooks.requests.map((request) => {
		const body = JSON.parse(request.text) as Json;
		return { type: String(body.event_type ?? body.event), body };
	});
}

function expectChertError(res: Res, status: number, code: number): void {
	expect(res.status).toBe(status);
	expect(res.json).toMatchObject({ success: false, error: { status, code } });
}

function expectLinqError(res: Res, status: number, code: number): void {
	expect(res.status).toBe(status);
	expect(res.json).toMatchObject({ success: false, error: { status, code } });
	expect(typeof res.json.trace_id).toBe('string');
}

function expectPeriskopeError(res: Res, status: number, code: string): void {
	expect(res.status).toBe(status);
	expect(res.json).toMatchObject({ status, code });
	expect(typeof res.json.message).toBe('string');
}

describe('Chert POST /api/v1/chats/{id}/messages', () => {
	const { trio, five, dm } = DEMO.groups.chert;
	const path = (id: string) => `/api/v1/chats/${id}/messages`;
	const text = (value: string, extra: Record<string, unknown> = {}) => ({
		message: { parts: [{ type: 'text', value }], ...extra },
	});

	test('sends text into a group: {message: {id, chat_id, parts, status, direction, …}}, logged in the chat', async () => {
		const res = await chert(sb, 'POST', path(trio), text('Welcome, Ana!'));
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			message: {
				id: expect.stringMatching(/^[0-9a-f]{32}$/),
				chat_id: trio,
				parts: [{ type: 'text', value: 'Welcome, Ana!' }],
				status: 'sent',
				direction: 'outbound',
				created_at: expect.any(String),
				delivered_at: null,
				read_at: null,
				service: 'imessage',
			},
		});
		expect(sb.messages('chert', trio)).toEqual([
			expect.objectContaining({
				id: res.json.message.id,
				direction: 'outbound',
				from: DEMO.chert.senders[0],
				text: 'Welcome, Ana!',
			}),
		]);
	});

	test('takes rich_link and media parts, and URLs in text (the first-message rule is create’s only)', async () => {
		const parts = [
			{ type: 'text', value: 'Agenda: https://example.com/agenda' },
			{
				type: 'rich_link',
				url: 'https://example.com/agenda',
				title: 'Agenda',
				summary: 'Day one',
				image_url: 'https://example.com/a.png',
			},
			{ type: 'media', attachment_id: 'att_123' },
		];
		const res = await chert(sb, 'POST', path(five), { message: { parts } });
		expect(res.status).toBe(200);
		expect(res.json.message.parts).toEqual(parts);
		// A direct message is a chat too: providers.md limits only the group routes to groups.
		expect((await chert(sb, 'POST', path(dm), text('hi'))).status).toBe(200);
	});

	test('refuses a top-level parts, a missing or empty message, bad parts (1001), bad JSON (1004); nothing is logged', async () => {
		expectChertError(
			await chert(sb, 'POST', path(trio), { parts: [{ type: 'text', value: 'hi' }] }),
			400,
			1001,
		);
		expectChertError(
			await chert(sb, 'POST', path(trio), {
				parts: [{ type: 'text', value: 'hi' }],
				message: { parts: [{ type: 'text', value: 'hi' }] },
			}),
			400,
			1001,
		);
		expectChertError(await chert(sb, 'POST', path(trio), {}), 400, 1001);
		expectChertError(await chert(sb, 'POST', path(trio), { message: { parts: [] } }), 400, 1001);
		expectChertError(await chert(sb, 'POST', path(trio), text('   ')), 400, 1001);
		expectChertError(
			await chert(sb, 'POST', path(trio), { message: { parts: [{ type: 'sticker', id: 'x' }] } }),
			400,
			1001,
		);
		expectChertError(
			await chert(sb, 'POST', path(trio), {
				message: { parts: [{ type: 'rich_link', url: 'http://example.com' }] },
			}),
			400,
			1001,
		);
		expectChertError(
			await chert(sb, 'POST', path(trio), { message: { parts: [{ type: 'media' }] } }),
			400,
			1001,
		);
		expectChertError(await chert(sb, 'POST', path(trio), '{"message":'), 400, 1004);
		const empty = await chert(sb, 'POST', path(trio), text(''));
		expectChertError(empty, 400, 1001);
		expect(empty.json.error.message).toMatch(/non-empty/);
		expect(sb.messages('chert', trio)).toEqual([]);
	});

	test('refuses an unknown chat (2002/404) and a chat the line left (1006)', async () => {
		expectChertError(await chert(sb, 'POST', path('ch_nope'), text('hi')), 404, 2002);
		expect((await chert(sb, 'POST', `/api/v1/chats/${five}/leave`)).status).toBe(200);
		const left = await chert(sb, 'POST', path(five), text('still there?'));
		expectChertError(left, 400, 1006);
		expect(left.json.error.message).toMatch(/not a member/);
		expect(sb.messages('chert', five)).toEqual([]);
	});

	test('an idempotency key replays the same message (idempotent-replayed); reused with another body → 409/1008', async () => {
		const body = text('Once only', { idempotency_key: 'exec-1-item-0' });
		const first = await chert(sb, 'POST', path(trio), body);
		const again = await chert(sb, 'POST', path(trio), body);
		expect(again.status).toBe(200);
		expect(again.text).toBe(first.text);
		expect(again.headers['idempotent-replayed']).toBe('true');
		expect(sb.messages('chert', trio)).toHaveLength(1);
		expectChertError(
			await chert(
				sb,
				'POST',
				path(trio),
				text('Another text', { idempotency_key: 'exec-1-item-0' }),
			),
			409,
			1008,
		);
		expectChertError(await chert(sb, 'POST', path(five), body), 409, 1008);
		expectChertError(
			await chert(sb, 'POST', path(trio), text('x', { idempotency_key: 7 })),
			400,
			1001,
		);
		expect(sb.messages('chert', trio)).toHaveLength(1);
	});

	test('counts against the Chert rate limit like every call', async () => {
		const limited = await startSandbox({ rateLimits: { chert: { limit: 1, windowSeconds: 60 } } });
		try {
			expect((await chert(limited, 'POST', path(trio), text('one'))).status).toBe(200);
			const second = await chert(limited, 'POST', path(trio), text('two'));
			expectChertError(second, 429, 1007);
			expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
			expect(limited.messages('chert', trio).map((m) => m.text)).toEqual(['one']);
		} finally {
			await limited.stop();
		}
	});

	test('your own message fires no message.received; a member’s message does and is logged as inbound', async () => {
		expect(
			(await chert(sb, 'POST', '/api/v1/webhook-subscriptions', { url: `${hooks.baseUrl}/chert` }))
				.status,
		).toBe(200);
		await chert(sb, 'POST', path(trio), text('From the line'));
		sb.postMessage('chert', trio, '+14155550111', 'From Ana');
		await sb.webhooksIdle();
		expect(
			delivered().map((event) => [event.type, event.body.data.message.parts[0].value]),
		).toEqual([['message.received', 'From Ana']]);
		expect(sb.messages('chert', trio).map((m) => [m.direction, m.text])).toEqual([
			['outbound', 'From the line'],
			['inbound', 'From Ana'],
		]);
		expect(sb.messages('chert', trio)[1].id).toBe(delivered()[0].body.data.message.id);
	});
});

describe('Linq POST /v3/chats/{chatId}/messages', () => {
	const { trio, five, dm } = DEMO.groups.linq;
	const path = (id: string) => `/v3/chats/${id}/messages`;
	const text = (value: string, extra: Record<string, unknown> = {}) => ({
		message: { parts: [{ type: 'text', value }], ...extra },
	});

	test('sends: {chat_id, message: SentMessage} with the SDK’s fields, logged in the chat', async () => {
		const res = await linq(sb, 'POST', path(trio), text('Welcome to the group'));
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			chat_id: trio,
			message: {
				id: expect.stringMatching(UUID),
				created_at: expect.any(String),
				delivery_status: 'queued',
				is_read: false,
				parts: [{ type: 'text', value: 'Welcome to the group', reactions: null }],
				sent_at: null,
				delivered_at: null,
				effect: null,
				from_handle: expect.objectContaining({ handle: DEMO.linq.senders[0], is_me: true }),
				preferred_service: null,
				reply_to: null,
				service: 'iMessage',
			},
		});
		expect(sb.messages('linq', trio)).toEqual([
			expect.objectContaining({
				id: res.json.message.id,
				direction: 'outbound',
				text: 'Welcome to the group',
			}),
		]);
	});

	test('takes effect, preferred_service, a link-only message, media and URLs in text; direct messages too', async () => {
		const withEffect = await linq(
			sb,
			'POST',
			path(five),
			text('Deal closed: https://crm.example.com/d/1', {
				effect: { type: 'screen', name: 'confetti' },
				preferred_service: 'iMessage',
			}),
		);
		expect(withEffect.status).toBe(200);
		expect(withEffect.json.message).toMatchObject({
			effect: { type: 'screen', name: 'confetti' },
			preferred_service: 'iMessage',
		});
		const link = await linq(sb, 'POST', path(five), {
			message: { parts: [{ type: 'link', value: 'https://example.com/agenda' }] },
		});
		expect(link.json.message.parts).toEqual([
			{ type: 'link', value: 'https://example.com/agenda', reactions: null },
		]);
		const media = await linq(sb, 'POST', path(five), {
			message: {
				parts: [
					{ type: 'text', value: 'Slides' },
					{ type: 'media', url: 'https://example.com/slides.pdf' },
					{ type: 'text', value: 'See you' },
				],
			},
		});
		expect(media.json.message.parts[1]).toMatchObject({
			type: 'media',
			url: 'https://example.com/slides.pdf',
			filename: 'slides.pdf',
			reactions: null,
		});
		expect((await linq(sb, 'POST', path(dm), text('hi'))).status).toBe(200);
	});

	test('refuses what the SDK’s rules forbid (1001): empty text, two texts in a row, a link with other parts, bad effect, service or media', async () => {
		const bad = [
			{},
			{ message: {} },
			{ message: { parts: [] } },
			text(''),
			text('  '),
			{
				message: {
					parts: [
						{ type: 'text', value: 'a' },
						{ type: 'text', value: 'b' },
					],
				},
			},
			{
				message: {
					parts: [
						{ type: 'link', value: 'https://example.com' },
						{ type: 'text', value: 'b' },
					],
				},
			},
			{
				message: {
					parts: [{ type: 'media', url: 'https://example.com/a.png', attachment_id: 'x' }],
				},
			},
			{ message: { parts: [{ type: 'media', url: 'http://example.com/a.png' }] } },
			text('hi', { effect: { type: 'screen', name: 'slam' } }),
			text('hi', { preferred_service: 'WhatsApp' }),
			text('hi', { reply_to: { part_index: 0 } }),
		];
		for (const body of bad) expectLinqError(await linq(sb, 'POST', path(trio), body), 400, 1001);
		expect(sb.messages('linq', trio)).toEqual([]);
	});

	test('refuses an unknown chat (404/2001) and a chat you left (409/2009), from the moment the leave is accepted', async () => {
		expectLinqError(
			await linq(sb, 'POST', path('00000000-0000-4000-8000-000000000000'), text('hi')),
			404,
			2001,
		);
		expect((await linq(sb, 'POST', `/v3/chats/${five}/leave`)).status).toBe(200);
		expectLinqError(await linq(sb, 'POST', path(five), text('still there?')), 409, 2009);
		await sb.settle();
		expectLinqError(await linq(sb, 'POST', path(five), text('still there?')), 409, 2009);
		expect(sb.messages('linq', five)).toEqual([]);
	});

	test('reply_to names a message of the chat (a member’s message here); an unknown one is 404', async () => {
		sb.postMessage('linq', trio, '+14155550161', 'Can someone send the deck?');
		const [inbound] = sb.messages('linq', trio);
		const reply = await linq(
			sb,
			'POST',
			path(trio),
			text('Here it is', { reply_to: { message_id: inbound.id, part_index: 0 } }),
		);
		expect(reply.status).toBe(200);
		expect(reply.json.message.reply_to).toEqual({ message_id: inbound.id, part_index: 0 });
		expect(sb.messages('linq', trio)[1]).toMatchObject({
			replyTo: inbound.id,
			direction: 'outbound',
		});
		expectLinqError(
			await linq(sb, 'POST', path(trio), text('x', { reply_to: { message_id: 'nope' } })),
			404,
			2001,
		);
	});

	test('an idempotency key replays the same answer; reused with another body → 409/1013', async () => {
		const body = text('Once only', { idempotency_key: 'exec-7-item-2' });
		const first = await linq(sb, 'POST', path(trio), body);
		const again = await linq(sb, 'POST', path(trio), body);
		expect(again.text).toBe(first.text);
		expect(sb.messages('linq', trio)).toHaveLength(1);
		expectLinqError(
			await linq(sb, 'POST', path(trio), text('Changed', { idempotency_key: 'exec-7-item-2' })),
			409,
			1013,
		);
		expectLinqError(await linq(sb, 'POST', path(five), body), 409, 1013);
	});

	test('the Linq rate limit applies: past it, 429/1007 with Retry-After and nothing sent', async () => {
		const limited = await startSandbox({ rateLimits: { linq: { limit: 2, windowSeconds: 60 } } });
		try {
			expect((await linq(limited, 'POST', path(trio), text('one'))).status).toBe(200);
			expect((await linq(limited, 'POST', path(trio), text('two'))).status).toBe(200);
			const third = await linq(limited, 'POST', path(trio), text('three'));
			expectLinqError(third, 429, 1007);
			expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
			expect(limited.messages('linq', trio).map((m) => m.text)).toEqual(['one', 'two']);
		} finally {
			await limited.stop();
		}
	});

	test('your own message fires message.sent (outbound), never message.received', async () => {
		await linq(sb, 'POST', '/v3/webhook-subscriptions', {
			target_url: `${hooks.baseUrl}/received`,
			subscribed_events: ['message.received'],
		});
		await linq(sb, 'POST', '/v3/webhook-subscriptions', {
			target_url: `${hooks.baseUrl}/sent`,
			subscribed_events: ['message.sent'],
		});
		const sent = await linq(
			sb,
			'POST',
			path(trio),
			text('From the line', { idempotency_key: 'k-1' }),
		);
		sb.postMessage('linq', trio, '+14155550162', 'From a member');
		await sb.webhooksIdle();
		// Two deliveries on two connections: their arrival order is not the emit order.
		const byUrl = hooks.requests
			.map((request) => [request.url, JSON.parse(request.text).event_type])
			.sort();
		expect(byUrl).toEqual([
			['/received', 'message.received'],
			['/sent', 'message.sent'],
		]);
		const sentEvent = hooks.requests.find((request) => request.url === '/sent');
		expect(JSON.parse(sentEvent?.text ?? '{}').data).toMatchObject({
			id: sent.json.message.id,
			direction: 'outbound',
			chat: { id: trio, is_group: true },
			sender_handle: { handle: DEMO.linq.senders[0], is_me: true },
			parts: [{ type: 'text', value: 'From the line' }],
			idempotency_key: 'k-1',
			sent_at: expect.any(String),
		});
	});
});

describe('Periskope POST /message/send', () => {
	const { trio, five } = DEMO.groups.periskope;

	test('queues a text: {queue_id, queue_position, unique_id}; the message object maps the queue id (sent_message_id)', async () => {
		const res = await periskope(sb, 'POST', '/message/send', {
			chat_id: trio,
			message: 'Welcome, *Ana*!',
		});
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			queue_id: expect.stringMatching(UUID),
			queue_position: 0,
			unique_id: expect.stringMatching(/^3EB0[0-9A-F]{18}$/),
		});
		expect(res.headers['x-periskope-trace-id']).toBeDefined();
		const byQueue = await periskope(sb, 'GET', `/message/${res.json.queue_id}`);
		expect(byQueue.status).toBe(200);
		expect(byQueue.json).toMatchObject({
			message_id: `true_${trio}_${res.json.unique_id}_${DEMO.periskope.orgPhone}@c.us`,
			chat_id: trio,
			body: 'Welcome, *Ana*!',
			from_me: true,
			message_type: 'chat',
			sent_message_id: res.json.queue_id,
			has_quoted_msg: false,
		});
		const byId = await periskope(
			sb,
			'GET',
			`/message/${encodeURIComponent(byQueue.json.message_id)}`,
		);
		expect(byId.json).toEqual(byQueue.json);
		const list = await periskope(sb, 'GET', `/chats/${encodeURIComponent(trio)}/messages`);
		expect(list.json).toMatchObject({
			count: 1,
			from: 0,
			to: 1,
			messages: [{ message_id: byQueue.json.message_id }],
		});
		expect(sb.messages('periskope', trio)).toEqual([
			expect.objectContaining({ queueId: res.json.queue_id, direction: 'outbound' }),
		]);
		expectPeriskopeError(await periskope(sb, 'GET', '/message/nope'), 404, 'message_not_found');
	});

	test('reply_to names a message of the chat; options.hide_url_preview; media instead of text', async () => {
		sb.postMessage('periskope', trio, '14155550181', 'Where is the agenda?');
		const [inbound] = sb.messages('periskope', trio);
		expect(inbound.id).toMatch(
			new RegExp(`^false_${trio.replace('.', '\\.')}_[0-9a-f]{32}_14155550181@c\\.us$`),
		);
		const reply = await periskope(sb, 'POST', '/message/send', {
			chat_id: trio,
			message: 'Here: https://example.com/agenda',
			reply_to: inbound.id,
			options: { hide_url_preview: true },
		});
		expect(reply.status).toBe(200);
		const message = await periskope(sb, 'GET', `/message/${reply.json.queue_id}`);
		expect(message.json).toMatchObject({ quoted_message_id: inbound.id, has_quoted_msg: true });
		expect(sb.messages('periskope', trio)[1]).toMatchObject({
			replyTo: inbound.id,
			options: { options: { hide_url_preview: true } },
		});
		const media = await periskope(sb, 'POST', '/message/send', {
			chat_id: trio,
			media: {
				type: 'document',
				url: 'https://example.com/agenda.pdf',
				filename: 'agenda.pdf',
				mimetype: 'application/pdf',
			},
		});
		expect(media.status).toBe(200);
		expect((await periskope(sb, 'GET', `/message/${media.json.queue_id}`)).json).toMatchObject({
			message_type: 'document',
			body: null,
			has_media: true,
		});
		// Newest first, as the docs say.
		const list = await periskope(
			sb,
			'GET',
			`/chats/${encodeURIComponent(trio)}/messages?offset=0&limit=2`,
		);
		expect(list.json).toMatchObject({ count: 3, from: 0, to: 2 });
		expect(list.json.messages.map((m: Json) => m.from_me)).toEqual([true, true]);
	});

	test('refuses an empty message, unknown fields and options, bad media or reply_to (400/404); nothing is logged', async () => {
		const bad: Array<[unknown, number, string]> = [
			[{ chat_id: trio }, 400, 'invalid_request'],
			[{ chat_id: trio, message: '' }, 400, 'invalid_request'],
			[{ chat_id: trio, message: '   ' }, 400, 'invalid_request'],
			[{ chat_id: trio, message: 42 }, 400, 'invalid_request'],
			[{ message: 'hi' }, 400, 'invalid_request'],
			[{ chat_id: trio, text: 'hi' }, 400, 'invalid_request'],
			[
				{ chat_id: trio, message: 'hi', options: { hide_url_preview: 'yes' } },
				400,
				'invalid_request',
			],
			[{ chat_id: trio, message: 'hi', options: { preview: false } }, 400, 'invalid_request'],
			[
				{ chat_id: trio, media: { type: 'image', filename: 'a.png', mimetype: 'image/png' } },
				400,
				'invalid_request',
			],
			[
				{
					chat_id: trio,
					media: {
						type: 'image',
						url: 'https://e.com/a.png',
						filedata: 'AAAA',
						filename: 'a.png',
						mimetype: 'image/png',
					},
				},
				400,
				'invalid_request',
			],
			[
				{
					chat_id: trio,
					media: {
						type: 'gif',
						url: 'https://e.com/a.gif',
						filename: 'a.gif',
						mimetype: 'image/gif',
					},
				},
				400,
				'invalid_request',
			],
			[{ chat_id: trio, message: 'hi', reply_to: 'false_nope' }, 404, 'message_not_found'],
			['{"chat_id":', 400, 'invalid_json'],
		];
		for (const [body, status, code] of bad)
			expectPeriskopeError(await periskope(sb, 'POST', '/message/send', body), status, code);
		expect(sb.messages('periskope', trio)).toEqual([]);
	});

	test('the chat must be a known group the phone is still in: unknown 404, a 1-1 id 400, after leave 403', async () => {
		expectPeriskopeError(
			await periskope(sb, 'POST', '/message/send', { chat_id: '1203630000@g.us', message: 'hi' }),
			404,
			'chat_not_found',
		);
		expectPeriskopeError(
			await periskope(sb, 'POST', '/message/send', { chat_id: '14155550181@c.us', message: 'hi' }),
			400,
			'invalid_request',
		);
		expect((await periskope(sb, 'POST', `/chats/${five}/leave`)).status).toBe(200);
		expectPeriskopeError(
			await periskope(sb, 'POST', '/message/send', { chat_id: five, message: 'hi' }),
			403,
			'not_group_member',
		);
		expectPeriskopeError(
			await periskope(sb, 'GET', '/chats/1203630000@g.us/messages'),
			404,
			'chat_not_found',
		);
	});

	test('your own message is delivered as message.created with from_me: true; a member’s with from_me: false', async () => {
		expect(
			(
				await periskope(sb, 'POST', '/webhooks', {
					hookUrl: `${hooks.baseUrl}/p`,
					integrationName: 'message.created',
				})
			).status,
		).toBe(201);
		const sent = await periskope(sb, 'POST', '/message/send', {
			chat_id: trio,
			message: 'From the line',
		});
		sb.postMessage('periskope', trio, '14155550182', 'From a member');
		await sb.webhooksIdle();
		// Two deliveries on two connections: their arrival order is not the emit order.
		const events = delivered().sort(
			(a, b) => Number(b.body.data.from_me) - Number(a.body.data.from_me),
		);
		expect(
			events.map((event) => [event.type, event.body.data.from_me, event.body.data.body]),
		).toEqual([
			['message.created', true, 'From the line'],
			['message.created', false, 'From a member'],
		]);
		expect(events[0].body.data).toMatchObject({
			chat_id: trio,
			sent_message_id: sent.json.queue_id,
		});
	});
});
