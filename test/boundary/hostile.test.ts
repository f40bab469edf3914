/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling: a hostile loopback provider, gzip, captured stdout/stderr */
/**
 * The boundary, tried as a hostile network and a careless user would: the real node and
 * credentials run through n8n-core's WorkflowExecute against a loopback provider that
 * redirects elsewhere, echoes the request (credentials included), drips, answers oversize or
 * gzip-bombed bodies, and lies in 2xx answers; option values and IDs come from expressions.
 * Every case checks what reached which server, byte for byte, and what the user sees.
 */
import { gzipSync } from 'node:zlib';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { groupChatNode, runWorkflow, type WorkflowRun } from '../helpers/engine';
import { drip, startHeaderDripper, startHostile, type Hostile } from '../helpers/hostile';
import { captureN8nLog, serialize, stopN8nLogCapture } from '../helpers/n8n-log';
import { LINQ_CHAT, operationsFor, type ProviderName } from '../helpers/operations';

const CANARY_CHERT = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const CANARY_LINQ = 'linq-CANARY-7d1e2f3a4b5c';
const CANARY_PERISKOPE = 'periskope-CANARY-9a8b7c6d';
const CANARIES = [CANARY_CHERT, CANARY_LINQ, CANARY_PERISKOPE];

let provider: Hostile;
let elsewhere: Hostile;
beforeAll(async () => {
	provider = await startHostile();
	elsewhere = await startHostile();
	elsewhere.handle((_hit, response) => {
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end(
			'{"chat":{"id":"ch_STOLEN","chat_id":"999@g.us"},"chat_id":"999@g.us","status":"accepted"}',
		);
	});
});
afterAll(async () => {
	await provider.close();
	await elsewhere.close();
});
beforeEach(() => {
	provider.reset();
	elsewhere.reset();
});

const PROVIDERS: ProviderName[] = ['chert', 'linq', 'periskope'];
const CHAT: Record<ProviderName, string> = {
	chert: 'ch_1',
	linq: LINQ_CHAT,
	periskope: '120363@g.us',
};
const OPERATIONS = operationsFor(CHAT);
const EVERY = PROVIDERS.flatMap((name) =>
	OPERATIONS[name].map((parameters) => [name, parameters.operation as string, parameters] as const),
);

function credentials(overrides: { chert?: IDataObject; baseUrl?: string } = {}) {
	const baseUrl = overrides.baseUrl ?? provider.baseUrl;
	return {
		chertApi: {
			baseUrl,
			signingSecret: CANARY_CHERT,
			tenantSlug: 'acme',
			authMode: 'hmac',
			...overrides.chert,
		},
		linqApi: { baseUrl, apiToken: CANARY_LINQ },
		periskopeApi: { baseUrl, apiKey: CANARY_PERISKOPE, orgPhone: '14155550300' },
	};
}

async function run(
	name: ProviderName,
	parameters: IDataObject,
	options: {
		continueOnFail?: boolean;
		chert?: IDataObject;
		baseUrl?: string;
		items?: IDataObject[];
	} = {},
): Promise<WorkflowRun & { item: INodeExecutionData | undefined }> {
	const result = await runWorkflow({
		nodes: [
			groupChatNode(
				'Group Chat',
				{ provider: name, ...parameters },
				options.continueOnFail === false ? {} : { onError: 'continueRegularOutput' },
			),
		],
		items: options.items,
		credentials: credentials(options),
	});
	return { ...result, item: result.output('Group Chat')[0] };
}

const json = (
	response: import('node:http').ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
) => {
	response.writeHead(status, { 'content-type': 'application/json', ...headers });
	response.end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe('1. credentials and people’s data go only to the Base URL’s origin', () => {
	test.each(
		EVERY.flatMap(([name, operation, parameters]) =>
			[301, 302, 307, 308].map((status) => [name, operation, status, parameters] as const),
		),
	)(
		'%s %s: a %s to another host is an error that names it; nothing reaches that host',
		async (name, operation, status, parameters) => {
			provider.handle((_hit, response) =>
				json(response, status, '', { location: `${elsewhere.baseUrl}/v3/chats/grab` }),
			);
			const { item } = await run(name, { ...parameters, options: { maxAttempts: 3 } });
			expect(elsewhere.hits).toHaveLength(0);
			// One request per planned request (Chert and Linq add one address per call): none resent.
			expect(provider.hits).toHaveLength(
				name !== 'periskope' && operation === 'addParticipants' ? 2 : 1,
			);
			expect(item?.json.error).toMatch(
				new RegExp(
					`redirect \\(HTTP ${status}\\) to ${elsewhere.baseUrl.replace(/[.]/g, '\\.')}; redirects are not followed`,
				),
			);
			expect(item?.json.status).not.toBe('done');
			expect(JSON.stringify(item?.json)).not.toContain('STOLEN');
		},
	);

	test('a same-origin redirect is not followed either (the request would not be re-signed)', async () => {
		provider.handle((hit, response) =>
			hit.url.includes('/elsewhere')
				? json(response, 200, { chat: { id: 'ch_2' } })
				: json(response, 307, '', { location: '/elsewhere' }),
		);
		const { item } = await run('chert', OPERATIONS.chert[3]);
		expect(provider.hits).toHaveLength(1);
		expect(item?.json.error).toMatch(/redirect \(HTTP 307\)/);
	});
});

describe('2. nothing the provider says can carry a credential out', () => {
	const echoes: Array<[string, number]> = [
		['an error that echoes the request', 400],
		['a server error that echoes it', 500],
		['a success that echoes it', 200],
	];

	test.each(
		PROVIDERS.flatMap((name) => echoes.map(([label, status]) => [name, label, status] as const)),
	)(
		'%s: %s — no secret, signature or Authorization in items, errors or logs',
		async (name, _label, status) => {
			// The provider knows the secret it issued: it may echo it in any form it likes.
			const inUse = { chert: CANARY_CHERT, linq: CANARY_LINQ, periskope: CANARY_PERISKOPE }[name];
			provider.handle((hit, response) => {
				const echoed = {
					success: status === 200 ? undefined : false,
					error:
						status === 200
							? undefined
							: { code: 1004, message: `bad request: ${JSON.stringify(hit.headers)}` },
					chat: {
						id: 'ch_9',
						chat_id: '1203@g.us',
						display_name: hit.headers.authorization ?? hit.headers['x-chert-signature'],
					},
					chat_id: '1203@g.us',
					status: 'accepted',
					headers: hit.headers,
					encoded: encodeURIComponent(String(hit.headers.authorization ?? '')),
					base64: Buffer.from(inUse).toString('base64'),
					json: JSON.stringify({ token: inUse }),
					plain: `your key is ${inUse}.`,
					body: hit.body,
					trace_id: `trace ${hit.headers.authorization ?? hit.headers['x-chert-signature']}`,
				};
				json(response, status, echoed, {
					'x-trace-id': String(hit.headers.authorization ?? hit.headers['x-chert-signature'] ?? ''),
					'x-periskope-trace-id': String(hit.headers.authorization ?? ''),
				});
			});
			const log = captureN8nLog();
			const printed: string[] = [];
			const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
				jest
					.spyOn(console, method)
					.mockImplementation((...args: unknown[]) => void printed.push(JSON.stringify(args))),
			);
			const produced: string[] = [];
			try {
				for (const parameters of OPERATIONS[name]) {
					for (const continueOnFail of [true, false]) {
						for (const authMode of name === 'chert' ? ['hmac', 'bearer'] : ['n/a']) {
							const result = await run(
								name,
								{ ...parameters, options: { maxAttempts: 1 } },
								{ continueOnFail, chert: { authMode } },
							);
							produced.push(
								JSON.stringify(result.run.data.resultData),
								serialize(result.error ?? ''),
							);
						}
					}
				}
			} finally {
				stopN8nLogCapture();
				spies.forEach((spy) => spy.mockRestore());
			}
			const signatures = provider.hits
				.map((hit) => String(hit.headers['x-chert-signature'] ?? '').split(',')[2])
				.filter(Boolean);
			if (name === 'chert') expect(signatures.length).toBeGreaterThan(0);
			const everything = [
				...produced,
				...printed,
				...log.map((entry) => `${entry.message} ${entry.meta}`),
			].join('\n');
			// The echo did arrive, redacted: the test can fail.
			expect(everything).toContain('[redacted]');
			for (const secret of [...CANARIES, ...signatures]) expect(everything).not.toContain(secret);
			expect(everything).not.toContain(Buffer.from(inUse).toString('base64'));
			expect(everything).not.toContain(encodeURIComponent(`Bearer ${inUse}`));
			expect(everything).not.toMatch(/Bearer [A-Za-z0-9]/);
			expect(everything).not.toMatch(/v1,\d{9,},[0-9a-f]{64}/);
		},
	);
});

describe('3. bounded in size and time', () => {
	test.each(PROVIDERS)(
		'%s: a server that drips a byte every 200 ms cannot extend a 1 s Timeout set by expression',
		async (name) => {
			provider.handle((_hit, response) =>
				drip(
					response,
					200,
					`{"chat":{"id":"ch_1","chat_id":"1@g.us"},"pad":"${'x'.repeat(200)}"}`,
					200,
				),
			);
			const started = Date.now();
			const { item } = await run(name, {
				...OPERATIONS[name][3],
				options: { timeout: '={{ 1 }}', maxAttempts: '={{ 1 }}' },
			});
			const took = Date.now() - started;
			expect(took).toBeLessThan(2500);
			expect(item?.json.error).toMatch(/no complete answer within the 1 s timeout/);
		},
	);

	test('the deadline holds even when the status line and headers drip', async () => {
		const dripper = await startHeaderDripper(200);
		try {
			const started = Date.now();
			const { item } = await run(
				'linq',
				{ ...OPERATIONS.linq[3], options: { timeout: 1, maxAttempts: 1 } },
				{ baseUrl: dripper.baseUrl },
			);
			expect(Date.now() - started).toBeLessThan(2500);
			expect(dripper.connections()).toBe(1);
			expect(item?.json.error).toMatch(/timeout/);
		} finally {
			await dripper.close();
		}
	});

	test.each(PROVIDERS)(
		'%s: a 5 MB answer is cut at 1 MiB: the item stays small and says so',
		async (name) => {
			provider.handle((_hit, response) =>
				json(response, 200, `{"chat":{"id":"ch_1"},"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`),
			);
			const { item } = await run(name, { ...OPERATIONS[name][3], options: { maxAttempts: 1 } });
			expect(item?.json.error).toMatch(/larger than 1 MiB and was not read/);
			expect(JSON.stringify(item?.json).length).toBeLessThan(20_000);
		},
	);

	test.each(PROVIDERS)(
		'%s: a 50 KB gzip body that inflates to 50 MB is cut at 1 MiB after decompression',
		async (name) => {
			const bomb = gzipSync(
				Buffer.from(`{"chat":{"id":"ch_1"},"pad":"${'0'.repeat(50 * 1024 * 1024)}"}`),
				{ level: 9 },
			);
			expect(bomb.length).toBeLessThan(100_000);
			provider.handle((_hit, response) => {
				response.writeHead(200, {
					'content-type': 'application/json',
					'content-encoding': 'gzip',
					'content-length': String(bomb.length),
				});
				response.end(bomb);
			});
			const { item } = await run(name, { ...OPERATIONS[name][3], options: { maxAttempts: 1 } });
			expect(item?.json.error).toMatch(/larger than 1 MiB/);
			expect(JSON.stringify(item?.json).length).toBeLessThan(20_000);
		},
	);

	test('an error body of 3 MB becomes a short error', async () => {
		provider.handle((_hit, response) =>
			json(
				response,
				400,
				`{"success":false,"error":{"code":1004,"message":"${'y'.repeat(3 * 1024 * 1024)}"}}`,
			),
		);
		const { item } = await run('chert', OPERATIONS.chert[3]);
		expect(String(item?.json.error).length).toBeLessThan(400);
		expect(JSON.stringify(item?.json).length).toBeLessThan(20_000);
	});

	test('a large but readable success keeps a short raw that says it was cut', async () => {
		provider.handle((_hit, response) =>
			json(response, 200, { chat: { id: 'ch_1', display_name: 'x' }, pad: 'z'.repeat(600_000) }),
		);
		const { item } = await run('chert', OPERATIONS.chert[3]);
		expect(item?.json.status).toBe('done');
		const raw = (item?.json.raw as IDataObject[])[0];
		expect(raw).toMatchObject({ truncated: true });
		expect(String(raw.note)).toMatch(/the answer was 600,0\d\d characters/);
		expect(JSON.stringify(item?.json).length).toBeLessThan(20_000);
	});

	const badOptions: Array<[string, IDataObject, RegExp]> = [
		[
			'Timeout -1',
			{ timeout: '={{ -1 }}' },
			/Timeout \(Seconds\) must be a number from 1 to 300, got number -1/,
		],
		[
			'Timeout 0',
			{ timeout: '={{ 0 }}' },
			/Timeout \(Seconds\) must be a number from 1 to 300, got number 0/,
		],
		[
			'Timeout "abc"',
			{ timeout: '={{ "abc" }}' },
			/Timeout \(Seconds\) must be a number from 1 to 300, got "abc"/,
		],
		[
			'Timeout 301',
			{ timeout: '={{ 301 }}' },
			/Timeout \(Seconds\) must be a number from 1 to 300/,
		],
		[
			'Max Attempts 0',
			{ maxAttempts: '={{ 0 }}' },
			/Max Attempts must be a whole number from 1 to 10, got number 0/,
		],
		[
			'Max Attempts 1000',
			{ maxAttempts: '={{ 1000 }}' },
			/Max Attempts must be a whole number from 1 to 10, got number 1000/,
		],
		['Max Attempts 2.5', { maxAttempts: '={{ 2.5 }}' }, /Max Attempts must be a whole number/],
		[
			'Max Attempts "x"',
			{ maxAttempts: '={{ "x" }}' },
			/Max Attempts must be a whole number from 1 to 10, got "x"/,
		],
		[
			'On Partial Failure "maybe"',
			{ onPartialFailure: '={{ "maybe" }}' },
			/On Partial Failure must be "error" or "output"/,
		],
	];
	test.each(
		PROVIDERS.flatMap((name) =>
			badOptions.map(([label, options, message]) => [name, label, options, message] as const),
		),
	)(
		'%s: %s from an expression stops the item with an input error; nothing is sent',
		async (name, _label, options, message) => {
			provider.handle((_hit, response) => json(response, 200, { chat: { id: 'ch_1' } }));
			const { item, error } = await run(
				name,
				{ ...OPERATIONS[name][1], options },
				{ continueOnFail: false },
			);
			expect(item).toBeUndefined();
			expect(error?.message).toMatch(message);
			expect(error?.message).toMatch(/^Item 0: /);
			expect(error?.description).toMatch(/Nothing was sent/);
			expect(provider.hits).toHaveLength(0);
		},
	);

	test('Max Attempts bounds what is sent: 3 means 3 requests', async () => {
		provider.handle((_hit, response) =>
			json(response, 503, {
				success: false,
				error: { code: 3002, message: 'busy', retryable: true },
			}),
		);
		await run('chert', { ...OPERATIONS.chert[3], options: { maxAttempts: '={{ 3 }}' } });
		expect(provider.hits).toHaveLength(3);
	});
});

describe('4. a success is a success', () => {
	test.each(PROVIDERS)(
		'%s create: `success:false` in a 200 is a failure with the provider’s code and trace id',
		async (name) => {
			provider.handle((_hit, response) =>
				json(response, 200, {
					success: false,
					error: { status: 400, code: 1001, message: 'missing field' },
					trace_id: 'tr-77',
				}),
			);
			const { item } = await run(name, OPERATIONS[name][0]);
			expect(item?.json.status).not.toBe('done');
			expect(item?.json.chatId ?? null).toBeNull();
			expect(item?.json.error).toBeTruthy();
			expect(provider.hits).toHaveLength(1);
		},
	);

	test.each([
		['chert', 2],
		['linq', 2],
		['periskope', 1],
	] as const)(
		'%s create: an empty 200 is never "done"; it is retried only where the idempotency key makes it safe (%s requests)',
		async (name, requests) => {
			provider.handle((_hit, response) => json(response, 200, ''));
			const { item } = await run(name, { ...OPERATIONS[name][0], options: { maxAttempts: 2 } });
			expect(item?.json.status).not.toBe('done');
			expect(item?.json.error).toMatch(/the answer was empty; the change may have been applied/);
			expect(provider.hits).toHaveLength(requests);
			if (name !== 'periskope') {
				const keys = provider.hits.map((hit) => JSON.parse(hit.body).message.idempotency_key);
				expect(new Set(keys).size).toBe(1);
			} else {
				expect(item?.json.error).toMatch(/not retried automatically/);
			}
		},
	);

	test.each(PROVIDERS)('%s create: a 200 without a chat ID is not a success', async (name) => {
		provider.handle((_hit, response) => json(response, 200, { ok: true }));
		const { item } = await run(name, { ...OPERATIONS[name][0], options: { maxAttempts: 1 } });
		expect(item?.json.error).toMatch(/no chat ID/);
	});

	test.each(EVERY)(
		'%s %s: an HTML page with status 200 is unreadable, not a success',
		async (name, _operation, parameters) => {
			provider.handle((_hit, response) => {
				response.writeHead(200, { 'content-type': 'text/html' });
				response.end('<html><body>Welcome to the captive portal</body></html>');
			});
			const { item } = await run(name, { ...parameters, options: { maxAttempts: 1 } });
			// A write may have been applied; a read (List Groups, Sync Members' read of the group) says what it could not read.
			expect(item?.json.error).toMatch(
				/could not be read \(not valid JSON\)|could not read the group( list)?: the answer was not JSON/,
			);
			expect(item?.json.status).not.toBe('done');
		},
	);
});

describe('5. paths stay in their route', () => {
	const dots = ['.', '..', '%2e%2e', '%2E.', '.%2e', '%252e%252e', ' .. '];
	const chatOperations = EVERY.filter(([, , parameters]) => 'chatId' in parameters);
	test.each(
		chatOperations.flatMap(([name, operation, parameters]) =>
			dots.map((dot) => [name, operation, dot, parameters] as const),
		),
	)(
		'%s %s: Chat ID %j is refused and nothing is sent',
		async (name, _operation, dot, parameters) => {
			const { error } = await run(
				name,
				{ ...parameters, chatId: `={{ ${JSON.stringify(dot)} }}` },
				{ continueOnFail: false },
			);
			expect(error?.message).toMatch(/^Item 0: /);
			expect(error?.message).toMatch(/Chat ID/);
			expect(provider.hits).toHaveLength(0);
		},
	);

	test('any other Chert chat ID stays one encoded segment', async () => {
		provider.handle((_hit, response) => json(response, 200, { chat: { id: 'x' } }));
		await run('chert', { operation: 'rename', chatId: 'ch_a%2F..%2Fb', groupName: 'x' });
		expect(provider.hits[0].url).toBe('/api/v1/chats/ch_a%252F..%252Fb');
	});
});

describe('6. numbers go to the person the user meant', () => {
	const sentTo = () =>
		provider.hits.map((hit) => JSON.parse(hit.body).address ?? JSON.parse(hit.body).participants);

	beforeEach(() =>
		provider.handle((_hit, response) =>
			json(response, 200, {
				chat_id: 'ch_1',
				participants: [],
				'14155551234@c.us': { is_success: true },
			}),
		),
	);

	test.each([
		['(322) 555-1234', 'US', /"\(322\) 555-1234" is not a valid phone number in United States/],
		[
			'8 (495) 123-45-67',
			'US',
			/"8 \(495\) 123-45-67" is not a valid phone number in United States/,
		],
		['3225551234', 'US', /"3225551234" is not a valid phone number in United States/],
		['020 7123 4567', 'US', /is not a valid phone number in United States/],
	])(
		'national-format typo %s with Default Country %s is refused, never read as another country',
		async (number, country, message) => {
			for (const name of PROVIDERS) {
				provider.reset();
				const { error } = await run(
					name,
					{
						operation: 'addParticipants',
						chatId: CHAT[name],
						participants: number,
						options: { defaultCountry: country },
					},
					{ continueOnFail: false },
				);
				expect(error?.message).toMatch(message);
				expect(provider.hits).toHaveLength(0);
			}
		},
	);

	test('the same national number is read in its own Default Country', async () => {
		await run('chert', {
			operation: 'addParticipants',
			chatId: 'ch_1',
			participants: '8 (495) 123-45-67',
			options: { defaultCountry: 'RU' },
		});
		expect(sentTo()).toEqual(['+74951234567']);
	});

	test('bare digits: Default Country first, else country code + number (WhatsApp style)', async () => {
		await run('chert', {
			operation: 'addParticipants',
			chatId: 'ch_1',
			participants: '919537851844\n4155550141',
		});
		expect(sentTo()).toEqual(['+919537851844', '+14155550141']);
		provider.reset();
		await run('periskope', {
			operation: 'addParticipants',
			chatId: CHAT.periskope,
			participants: '919537851844',
		});
		expect(sentTo()).toEqual([['919537851844']]);
	});

	test('the providers’ own example numbers are accepted as sender and participant', async () => {
		provider.handle((_hit, response) => json(response, 200, { chat: { id: 'ch_1', handles: [] } }));
		const { item } = await run('chert', {
			operation: 'create',
			sender: '+15555550100',
			participants: '+1 555 555 0101, +14155551234',
			firstMessage: 'hi',
		});
		expect(item?.json.error).toBeUndefined();
		expect(JSON.parse(provider.hits[0].body)).toMatchObject({
			from: '+15555550100',
			to: ['+15555550101', '+14155551234'],
		});
	});

	test('a Sender holding two numbers is refused', async () => {
		const { error } = await run(
			'linq',
			{
				operation: 'create',
				sender: '+15555550100, +15555550101',
				participants: '+14155551234,+14155551235',
				firstMessage: 'hi',
			},
			{ continueOnFail: false },
		);
		expect(error?.message).toMatch(/Sender takes one phone number, got 2/);
		expect(provider.hits).toHaveLength(0);
	});
});

describe('7. every request field matches the provider’s schema type', () => {
	test.each([true, false])(
		'Periskope rename: Only Admins Can Add Members = %s is sent as a boolean memberAddMode',
		async (value) => {
			provider.handle((_hit, response) =>
				json(response, 200, { chat_id: CHAT.periskope, chat_name: 'x' }),
			);
			await run('periskope', {
				operation: 'rename',
				chatId: CHAT.periskope,
				groupSettings: { addMembersAdminsOnly: value },
			});
			expect(JSON.parse(provider.hits[0].body)).toEqual({ memberAddMode: value });
		},
	);
});

describe('10. messages a person can act on', () => {
	test('Chert HMAC with an empty Tenant Slug is caught before sending', async () => {
		const { error } = await run('chert', OPERATIONS.chert[3], {
			continueOnFail: false,
			chert: { tenantSlug: '  ' },
		});
		expect(error?.message).toMatch(/Tenant Slug is empty/);
		expect(error?.description).toMatch(/Open the credential/);
		expect(provider.hits).toHaveLength(0);
	});

	test('a 10,000-participant refusal lists a few numbers and how many more', async () => {
		const list = Array.from(
			{ length: 10_000 },
			(_, index) => `+1415555${String(index).padStart(4, '0')}`,
		);
		const { error } = await run(
			'chert',
			{
				operation: 'create',
				sender: '+14155550100',
				participants: '={{ $json.list }}',
				firstMessage: 'hi',
			},
			{ continueOnFail: false, items: [{ list }] },
		);
		expect(error?.message).toMatch(
			/got 10,000 \(\+14155550000, \+14155550001, \+14155550002, \+14155550003, \+14155550004 and 9,995 more\)/,
		);
		expect(error!.message.length).toBeLessThan(300);
		expect(provider.hits).toHaveLength(0);
	});

	test.each([
		['only zero-width spaces', '\u200B\u200B', /only invisible characters/],
		['only a word joiner and spaces', '\u2060 \u00A0', /only invisible characters/],
		['101 emoji', '😀'.repeat(101), /longer than 100 characters/],
	])('a group name of %s is refused', async (_label, name, message) => {
		const { error } = await run(
			'chert',
			{ operation: 'rename', chatId: 'ch_1', groupName: `={{ ${JSON.stringify(name)} }}` },
			{ continueOnFail: false },
		);
		expect(error?.message).toMatch(message);
		expect(provider.hits).toHaveLength(0);
	});

	test('60 emoji (and a flag of two code points) count as 61 characters: accepted', async () => {
		provider.handle((_hit, response) => json(response, 200, { chat: { id: 'ch_1' } }));
		const name = `${'👩‍👩‍👧'.repeat(60)}🇫🇷`;
		const { item } = await run('chert', { operation: 'rename', chatId: 'ch_1', groupName: name });
		expect(item?.json.error).toBeUndefined();
		expect(JSON.parse(provider.hits[0].body).display_name).toBe(name);
	});

	test.each([
		[
			'Chat is no longer a group for this line: the line left it (not a member)',
			'addParticipants',
			/your line is no longer in this group/,
		],
		[
			'Chat is a direct message; this endpoint only applies to groups',
			'addParticipants',
			/this chat is a direct message, not a group/,
		],
		[
			'The sending line cannot be removed; use POST /api/v1/chats/{id}/leave',
			'removeParticipants',
			/your own line cannot be removed/,
		],
	])('Chert 1006 "%s" on %s gets the right words', async (providerMessage, operation, words) => {
		provider.handle((_hit, response) =>
			json(response, 400, {
				success: false,
				error: { status: 400, code: 1006, message: providerMessage },
				trace_id: 'tr-1006',
			}),
		);
		const { item } = await run('chert', {
			operation,
			chatId: 'ch_1',
			participants: '+14155551234',
		});
		expect(item?.json.error).toMatch(words);
		expect(item?.json.errorDescription).toMatch(/provider code 1006.*trace id tr-1006/);
	});
});
