/* eslint-disable @n8n/community-nodes/no-restricted-globals -- a test server that answers after a delay (setTimeout) */
/**
 * Multi-item and multi-participant behaviour, input validation (nothing sent) and provider
 * errors, all through n8n-core's engine against a recording loopback server.
 */
import type { IDataObject } from 'n8n-workflow';

import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startHostile, type Hostile } from '../helpers/hostile';
import { startRecorder, type Recorder } from '../helpers/recorder';

const SECRET = 'dummy-chert-signing-a1b2c3d4e5f6';
const LINQ_TOKEN = 'dummy-linq-token-zz';
const PERISKOPE_KEY = 'dummy-periskope-key-yy';

let server: Recorder;
beforeAll(async () => {
	server = await startRecorder();
});
afterAll(async () => server.close());
beforeEach(() => server.reset());

const credentials = () => ({
	chertApi: {
		baseUrl: server.baseUrl,
		signingSecret: SECRET,
		tenantSlug: 'acme',
		authMode: 'hmac',
	},
	linqApi: { baseUrl: server.baseUrl, apiToken: LINQ_TOKEN },
	periskopeApi: { baseUrl: server.baseUrl, apiKey: PERISKOPE_KEY, orgPhone: '14155550300' },
});

function run(parameters: IDataObject, items: IDataObject[] = [{}], settings = {}) {
	return runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters, settings)],
		items,
		credentials: credentials(),
	});
}

function expectNoSecrets(value: unknown) {
	const text = JSON.stringify(value);
	for (const secret of [SECRET, LINQ_TOKEN, PERISKOPE_KEY]) expect(text).not.toContain(secret);
	expect(text).not.toMatch(/authorization|x-chert-signature|Bearer /i);
}

describe('several items and participants', () => {
	const items = [
		{ chat: 'ch_A', phones: '(415) 555-0001, (415) 555-0002, (415) 555-0003' },
		{ chat: 'ch_B', phones: ['+14155550011', '+14155550012', '+14155550013'] },
		{ chat: 'ch_C', phones: '+14155550021\n+14155550022\n+14155550023' },
	];
	const parameters = {
		provider: 'chert',
		operation: 'addParticipants',
		chatId: '={{ $json.chat }}',
		participants: '={{ $json.phones }}',
	};

	test('3 items × 3 participants: 9 requests, one output item per input, pairedItem set', async () => {
		server.respond((request) => {
			const chat = request.url.split('/')[4];
			return { body: { chat_id: chat, added: JSON.parse(request.text).address, participants: [] } };
		});
		const result = await run(parameters, items);
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(9);
		// Different chats run side by side; each chat's requests keep their input order.
		for (const chat of ['ch_A', 'ch_B', 'ch_C']) {
			const sent = server.requests.filter((request) => request.url.split('/')[4] === chat);
			const expected = items.find((item) => item.chat === chat)!.phones;
			expect(sent.map((request) => JSON.parse(request.text).address)).toEqual(
				(Array.isArray(expected) ? expected : expected.split(/[,\n]/)).map(
					(phone) => `+1${phone.replace(/\D/g, '').slice(-10)}`,
				),
			);
		}
		const output = result.output('Group Chat');
		expect(output).toHaveLength(3);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.chatId).toBe(items[index].chat);
			expect((item.json.participants as IDataObject[]).map((entry) => entry.outcome)).toEqual([
				'added',
				'added',
				'added',
			]);
		});
		expect((output[0].json.participants as IDataObject[]).map((entry) => entry.address)).toEqual([
			'+14155550001',
			'+14155550002',
			'+14155550003',
		]);
	});

	test('one address fails: the others are still added and every address is reported', async () => {
		server.respond((request) =>
			request.text.includes('+14155550012')
				? {
						status: 502,
						body: {
							success: false,
							error: { status: 502, code: 4001, message: 'Delivery failed', retryable: false },
							trace_id: 'tr_add_fail',
						},
					}
				: { body: { chat_id: 'x', added: 'y', participants: [] } },
		);
		const result = await run({ ...parameters, options: { onPartialFailure: 'output' } }, items);
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(9);
		const output = result.output('Group Chat');
		expect(output.map((item) => item.json.status)).toEqual(['done', 'partial', 'done']);
		expect(output[1].json.participants).toEqual([
			{ address: '+14155550011', outcome: 'added', message: 'added to the group' },
			{
				address: '+14155550012',
				outcome: 'failed',
				message: 'Chert: Apple rejected the change (delivery failed) (+14155550012)',
				code: 4001,
			},
			{ address: '+14155550013', outcome: 'added', message: 'added to the group' },
		]);
	});

	test('partial failure fails the item by default; Continue On Fail keeps every outcome and the other items', async () => {
		server.respond((request) =>
			request.text.includes('+14155550012')
				? {
						status: 502,
						body: {
							success: false,
							error: { status: 502, code: 4001, message: 'Delivery failed', retryable: false },
							trace_id: 'tr_2',
						},
					}
				: { body: { chat_id: 'x', added: 'y', participants: [] } },
		);
		const failing = await run(parameters, items);
		expect(failing.error?.message).toBe('Chert: 1 of 3 participants failed (+14155550012)');
		server.reset();
		server.respond((request) =>
			request.text.includes('+14155550012')
				? {
						status: 502,
						body: {
							success: false,
							error: { status: 502, code: 4001, message: 'Delivery failed', retryable: false },
							trace_id: 'tr_2',
						},
					}
				: { body: { chat_id: 'x', added: 'y', participants: [] } },
		);
		const continuing = await run(parameters, items, { onError: 'continueRegularOutput' });
		const output = continuing.output('Group Chat');
		expect(output).toHaveLength(3);
		expect(output[1].pairedItem).toEqual({ item: 1 });
		expect(output[1].json.error).toBe('Chert: 1 of 3 participants failed (+14155550012)');
		expect(output[1].json.errorDescription).toContain('trace id tr_2');
		expect((output[1].json.participants as IDataObject[]).map((entry) => entry.outcome)).toEqual([
			'added',
			'failed',
			'added',
		]);
		expect(output[0].json.status).toBe('done');
		expect(output[2].json.status).toBe('done');
		expectNoSecrets(output);
	});
});

describe('bad input is refused before anything is sent', () => {
	const cases: Array<[string, IDataObject, RegExp]> = [
		[
			'invalid phone number',
			{
				provider: 'chert',
				operation: 'addParticipants',
				chatId: 'ch_1',
				participants: '+1 415 555 1234, 12ab',
			},
			/^Item 0: Participants: "12ab" is not a phone number/,
		],
		[
			'email address for WhatsApp',
			{
				provider: 'periskope',
				operation: 'addParticipants',
				chatId: '1203@g.us',
				participants: 'ana@example.com',
			},
			/^Item 0: Participants: "ana@example.com" is an email address, but WhatsApp on Periskope only accepts phone numbers/,
		],
		[
			'empty group name (Periskope create)',
			{
				provider: 'periskope',
				operation: 'create',
				groupName: '   ',
				participants: '+14155551234',
			},
			/^Item 0: Group Name is empty/,
		],
		[
			'empty name on rename',
			{
				provider: 'linq',
				operation: 'rename',
				chatId: '550e8400-e29b-41d4-a716-446655440000',
				groupName: '',
			},
			/^Item 0: Group Name is empty/,
		],
		[
			'Chert create with one recipient',
			{
				provider: 'chert',
				operation: 'create',
				sender: '+14155550100',
				firstMessage: 'hi',
				participants: '+14155551234',
			},
			/^Item 0: A new group needs 2 to 31 participants besides the sender, got 1 \(\+14155551234\)/,
		],
		[
			'Chert create with 32 recipients',
			{
				provider: 'chert',
				operation: 'create',
				sender: '+14155550100',
				firstMessage: 'hi',
				participants: Array.from(
					{ length: 32 },
					(_, index) => `+1415555${String(1000 + index)}`,
				).join(','),
			},
			/^Item 0: A new group needs 2 to 31 participants besides the sender, got 32/,
		],
		[
			'missing chat ID (an expression resolving to nothing)',
			{ provider: 'chert', operation: 'leave', chatId: '={{ $json.chatId }}' },
			/^Item 0: Chat ID is empty/,
		],
		[
			'missing sender (an expression resolving to nothing)',
			{
				provider: 'linq',
				operation: 'create',
				sender: '={{ $json.from }}',
				firstMessage: 'hi',
				participants: '+14155551234,+14155551235',
			},
			/^Item 0: Sender is empty/,
		],
		[
			'a link in Chert’s first message',
			{
				provider: 'chert',
				operation: 'create',
				sender: '+14155550100',
				firstMessage: 'see https://x.io',
				participants: '+14155551234,+14155551235',
			},
			/^Item 0: First Message contains a link/,
		],
		[
			'participants resolving to an object',
			{
				provider: 'chert',
				operation: 'addParticipants',
				chatId: 'ch_1',
				participants: '={{ { a: 1 } }}',
			},
			/^Item 0: Participants must be text or a list of phone numbers\/emails, got an object/,
		],
	];

	test.each(cases)('%s', async (_name, parameters, message) => {
		const result = await run(parameters);
		expect(result.error?.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});

	test('the error names the failing item, and nothing after it is sent; with Continue On Fail the valid items still run', async () => {
		server.respond(() => ({ body: { chat_id: 'ch_1', status: 'left' } }));
		const items = [{ id: 'ch_1' }, { id: '' }, { id: 'ch_3' }];
		const parameters = { provider: 'chert', operation: 'leave', chatId: '={{ $json.id }}' };
		const failing = await run(parameters, items);
		expect(failing.error?.message).toMatch(/^Item 1: Chat ID is empty/);
		// As when items ran one by one: item 0 went out, the bad item 1 stops the node, item 2 never starts.
		expect(server.requests.map((request) => request.url)).toEqual(['/api/v1/chats/ch_1/leave']);
		server.reset();
		server.respond(() => ({ body: { chat_id: 'ch', status: 'left' } }));
		const continuing = await run(parameters, items, { onError: 'continueRegularOutput' });
		const output = continuing.output('Group Chat');
		expect(output.map((item) => item.json.status ?? item.json.error)).toEqual([
			'done',
			expect.stringMatching(/^Item 1: Chat ID is empty/),
			'done',
		]);
		expect(server.requests.map((request) => request.url).sort()).toEqual([
			'/api/v1/chats/ch_1/leave',
			'/api/v1/chats/ch_3/leave',
		]);
	});
});

describe('provider errors', () => {
	test('Chert 1002: cannot shrink below 3 → readable error with code, status and trace id', async () => {
		server.respond(() => ({
			status: 400,
			body: {
				success: false,
				error: {
					status: 400,
					code: 1002,
					message: 'cannot shrink group below 3 participants',
					retryable: false,
				},
				trace_id: 'tr_shrink_1',
			},
		}));
		const result = await run({
			provider: 'chert',
			operation: 'removeParticipants',
			chatId: 'ch_1',
			participants: '+14155551234',
		});
		expect(result.error?.message).toBe(
			'Chert: the group would drop below 3 members (+14155551234)',
		);
		expect(result.error?.description).toContain(
			'provider code 1002, HTTP 400, trace id tr_shrink_1',
		);
		expect(result.error?.description).toContain('cannot shrink group below 3 participants');
		expect(server.requests).toHaveLength(1);
		expectNoSecrets(result.run.data.resultData);
	});

	test('Linq 2004: unauthorized → readable error; Continue On Fail turns it into an item', async () => {
		server.respond(() => ({
			status: 401,
			body: {
				success: false,
				error: {
					status: 401,
					code: 2004,
					message: 'Unauthorized - missing or invalid authentication token',
				},
			},
		}));
		const parameters = {
			provider: 'linq',
			operation: 'leave',
			chatId: '550e8400-e29b-41d4-a716-446655440000',
		};
		const failing = await run(parameters);
		expect(failing.error?.message).toBe(
			'Linq: the API token was rejected: check the Linq credential',
		);
		expect(failing.error?.description).toContain('provider code 2004, HTTP 401');
		const continuing = await run(parameters, [{}], { onError: 'continueRegularOutput' });
		const [item] = continuing.output('Group Chat');
		expect(item.json.error).toBe('Linq: the API token was rejected: check the Linq credential');
		expect(item.pairedItem).toEqual({ item: 0 });
		expectNoSecrets(failing.run.data.resultData);
		expectNoSecrets(continuing.run.data.resultData);
	});

	test('Periskope 401 → readable error with the trace id from x-periskope-trace-id', async () => {
		server.respond(() => ({
			status: 401,
			body: { message: 'Invalid API key' },
			headers: { 'x-periskope-trace-id': 'ff85c2a0-trace' },
		}));
		const result = await run({
			provider: 'periskope',
			operation: 'leave',
			chatId: '120363371308389685@g.us',
		});
		expect(result.error?.message).toBe(
			'Periskope: the API key or org phone was rejected: check the Periskope credential',
		);
		expect(result.error?.description).toContain('HTTP 401, trace id ff85c2a0-trace');
		expect(result.error?.description).toContain('Invalid API key');
		expectNoSecrets(result.run.data.resultData);
	});
});

describe('concurrency across chats, order within a chat', () => {
	let slow: Hostile;
	let inFlight = 0;
	let peak = 0;
	beforeAll(async () => {
		slow = await startHostile();
		// Answers after a delay that varies by request, so that anything allowed to overtake does.
		slow.handle((hit, response) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			const delay = 5 + ((hit.body.length * 7 + slow.hits.length * 13) % 40);
			setTimeout(() => {
				inFlight--;
				response.writeHead(200, { 'content-type': 'application/json' });
				response.end(JSON.stringify({ chat_id: hit.url.split('/')[4], participants: [] }));
			}, delay);
		});
	});
	afterAll(async () => slow.close());
	beforeEach(() => {
		slow.reset();
		peak = 0;
	});

	const chats = ['ch_A', 'ch_B', 'ch_A', 'ch_C', 'ch_B', 'ch_A', 'ch_D', 'ch_A', 'ch_C', 'ch_A'];
	const items = chats.map((chat, index) => ({ chat, phone: `+1415555${1000 + index}` }));
	const runOn = (concurrency: number) =>
		runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'chert',
					operation: 'addParticipants',
					chatId: '={{ $json.chat }}',
					participants: '={{ $json.phone }}',
					options: { concurrency },
				}),
			],
			items,
			credentials: {
				...credentials(),
				chertApi: { ...credentials().chertApi, baseUrl: slow.baseUrl },
			},
		});
	const sentAddresses = (chat?: string) =>
		slow.hits
			.filter((hit) => !chat || hit.url.split('/')[4] === chat)
			.map((hit) => JSON.parse(hit.body).address);

	test('Concurrency 1 sends everything one after the other in input order', async () => {
		const result = await runOn(1);
		expect(result.error).toBeUndefined();
		expect(peak).toBe(1);
		expect(sentAddresses()).toEqual(items.map((item) => item.phone));
	});

	test('Concurrency 4: chats run side by side, each chat in input order, output in input order with pairedItem', async () => {
		const result = await runOn(4);
		expect(result.error).toBeUndefined();
		expect(peak).toBeGreaterThan(1);
		expect(peak).toBeLessThanOrEqual(4);
		for (const chat of new Set(chats)) {
			expect(sentAddresses(chat)).toEqual(
				items.filter((item) => item.chat === chat).map((item) => item.phone),
			);
		}
		const output = result.output('Group Chat');
		expect(output.map((item) => [item.pairedItem, item.json.chatId])).toEqual(
			items.map((item, index) => [{ item: index }, item.chat]),
		);
	});
});
