/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling: a hostile loopback provider, captured stdout/stderr */
/**
 * The read paths under a hostile provider: every picker (Sender, Members to Remove, the Chat
 * lists of Linq and Periskope) called the way n8n's editor backend calls it (an n8n-core
 * LoadOptionsContext), and Get Group run through n8n-core's WorkflowExecute, against a loopback
 * server that redirects elsewhere, echoes the credential, drips, answers oversize, HTML, empty
 * or `success:false`, pages without end, and names things with control characters.
 * Every case checks what reached which server, and what the user sees.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { IDataObject, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { callProvider } from '../../nodes/GroupChat/transport';
import {
	CHAT_PAGE_SIZE,
	MAX_PAGES_PER_LIST,
	MAX_PAGES_PER_SEARCH,
	PICKER_LIMITS,
} from '../../src/lookups';
import { entryFor } from '../../src/providers';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { drip, startHeaderDripper, startHostile, type Hit, type Hostile } from '../helpers/hostile';
import { listSearch, loadOptions, loadOptionsContext } from '../helpers/load-options';
import { captureN8nLog, serialize, stopN8nLogCapture } from '../helpers/n8n-log';
import { LINQ_CHAT } from '../helpers/operations';

jest.setTimeout(30_000);

const CANARY_LINQ = 'linq-CANARY-7d1e2f3a4b5c';
const CANARY_PERISKOPE = 'periskope-CANARY-9a8b7c6d';
const PERISKOPE_CHAT = '120363@g.us';
const ORG_PHONE = '14155550300';

type ProviderName = 'linq' | 'periskope';

let provider: Hostile;
let elsewhere: Hostile;
beforeAll(async () => {
	provider = await startHostile();
	elsewhere = await startHostile();
	elsewhere.handle((_hit, response) =>
		json(response, 200, { chats: [], phone_numbers: [], id: 'STOLEN' }),
	);
});
afterAll(async () => {
	await provider.close();
	await elsewhere.close();
});
beforeEach(() => {
	provider.reset();
	elsewhere.reset();
});

function credentials(baseUrl = provider.baseUrl) {
	return {
		linqApi: { baseUrl, apiToken: CANARY_LINQ },
		periskopeApi: { baseUrl, apiKey: CANARY_PERISKOPE, orgPhone: ORG_PHONE },
	};
}

function json(
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
) {
	response.writeHead(status, { 'content-type': 'application/json', ...headers });
	response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

// ---- The read paths: what each calls and what a good answer looks like -------------------------

/** What one read came back with: its options or item, or the error the user sees. */
interface Outcome {
	options?: INodePropertyOptions[];
	search?: INodeListSearchResult;
	item?: IDataObject;
	message?: string;
	/** Everything the call produced (results, errors, run data), serialized, to scan for secrets. */
	everything: string;
}

interface RunOptions {
	baseUrl?: string;
	timeoutSeconds?: number;
	attempts?: number;
	filter?: string;
	token?: string;
}

interface Target {
	name: string;
	provider: ProviderName;
	/** What the failure message says could not be read. */
	reads: string;
	/** A good answer whose labels carry `label` (and, for members, a member `handle`). */
	answer(label: string, handle?: string): unknown;
	/** `attempts`: the picker's attempts, or Get Group's Max Attempts (default 1: no backoff waits). */
	run(options?: RunOptions): Promise<Outcome>;
}

function linqChat(id: string, name: string, handle = '+14155551234') {
	return {
		id,
		display_name: name,
		is_group: true,
		service: 'iMessage',
		handles: [
			{ handle: '+14155550100', is_me: true, status: 'active' },
			{ handle: '+14155551235', status: 'active', joined_at: '2025-01-15T10:00:00Z' },
			{ handle, status: 'active', joined_at: '2025-01-15T10:00:00Z' },
		],
	};
}

function periskopeChat(id: string, name: string, member = '14155551234') {
	return {
		chat_id: id,
		chat_name: name,
		chat_type: 'group',
		org_phone: `${ORG_PHONE}@c.us`,
		members: {
			[`${ORG_PHONE}@c.us`]: { is_admin: true },
			'14155551235@c.us': {},
			[`${member}@c.us`]: {},
		},
	};
}

async function picker(
	call: () => Promise<INodePropertyOptions[] | INodeListSearchResult>,
	search: boolean,
	options: RunOptions,
): Promise<Outcome> {
	try {
		const result = await withPickerLimits({ maxAttempts: options.attempts ?? 1 }, call);
		return search
			? { search: result as INodeListSearchResult, everything: JSON.stringify(result) }
			: { options: result as INodePropertyOptions[], everything: JSON.stringify(result) };
	} catch (error) {
		return { message: (error as Error).message, everything: serialize(error) };
	}
}

/** Runs `fn` with the pickers' deadline and attempts changed (the editor cannot set them). */
async function withPickerLimits<T>(
	limits: Partial<typeof PICKER_LIMITS>,
	fn: () => Promise<T>,
): Promise<T> {
	const saved = { ...PICKER_LIMITS };
	Object.assign(PICKER_LIMITS, limits);
	try {
		return await fn();
	} finally {
		Object.assign(PICKER_LIMITS, saved);
	}
}

async function getGroup(
	name: ProviderName,
	{ baseUrl, timeoutSeconds = 15, attempts = 1 }: RunOptions,
): Promise<Outcome> {
	const chatId = name === 'linq' ? LINQ_CHAT : PERISKOPE_CHAT;
	const result = await runWorkflow({
		nodes: [
			groupChatNode('Group Chat', {
				provider: name,
				operation: 'get',
				chatId: rl(chatId),
				options: { maxAttempts: attempts, timeout: timeoutSeconds },
			}),
		],
		credentials: credentials(baseUrl),
	});
	return {
		item: result.output('Group Chat')[0]?.json,
		message: result.error?.message,
		everything: `${JSON.stringify(result.run.data.resultData)}\n${serialize(result.error ?? '')}`,
	};
}

const TARGETS: Target[] = [
	{
		name: 'Linq getSenders',
		provider: 'linq',
		reads: 'read your sender numbers',
		answer: (label) => ({
			phone_numbers: [{ phone_number: '+14155550100', health_status: { status: label } }],
		}),
		run: async (options = {}) =>
			await picker(
				() =>
					loadOptions(
						'getSenders',
						{ provider: 'linq', operation: 'create' },
						credentials(options.baseUrl),
					),
				false,
				options,
			),
	},
	{
		name: 'Periskope getSenders',
		provider: 'periskope',
		reads: 'read your sender numbers',
		answer: (label) => ({
			org_phone: `${ORG_PHONE}@c.us`,
			phone_name: label,
			wa_state: 'CONNECTED',
		}),
		run: async (options = {}) =>
			await picker(
				() =>
					loadOptions(
						'getSenders',
						{ provider: 'periskope', operation: 'create' },
						credentials(options.baseUrl),
					),
				false,
				options,
			),
	},
	{
		name: 'Linq getGroupMembers',
		provider: 'linq',
		reads: 'read the group',
		answer: (label, handle) => linqChat(LINQ_CHAT, label, handle),
		run: async (options = {}) =>
			await picker(
				() =>
					loadOptions(
						'getGroupMembers',
						{ provider: 'linq', operation: 'removeParticipants', chatId: rl(LINQ_CHAT) },
						credentials(options.baseUrl),
					),
				false,
				options,
			),
	},
	{
		name: 'Periskope getGroupMembers',
		provider: 'periskope',
		reads: 'read the group',
		answer: (label, handle) => periskopeChat(PERISKOPE_CHAT, label, handle),
		run: async (options = {}) =>
			await picker(
				() =>
					loadOptions(
						'getGroupMembers',
						{ provider: 'periskope', operation: 'removeParticipants', chatId: rl(PERISKOPE_CHAT) },
						credentials(options.baseUrl),
					),
				false,
				options,
			),
	},
	{
		name: 'searchLinqChats',
		provider: 'linq',
		reads: 'read the group list',
		answer: (label) => ({ chats: [linqChat(LINQ_CHAT, label)], next_cursor: null }),
		run: async (options = {}) =>
			await picker(
				() =>
					listSearch(
						'searchLinqChats',
						{ provider: 'linq', operation: 'get' },
						credentials(options.baseUrl),
						options.filter,
						options.token,
					),
				true,
				options,
			),
	},
	{
		name: 'searchPeriskopeChats',
		provider: 'periskope',
		reads: 'read the group list',
		answer: (label) => ({
			chats: [periskopeChat(PERISKOPE_CHAT, label)],
			count: 1,
			from: 0,
			to: 1,
		}),
		run: async (options = {}) =>
			await picker(
				() =>
					listSearch(
						'searchPeriskopeChats',
						{ provider: 'periskope', operation: 'get' },
						credentials(options.baseUrl),
						options.filter,
						options.token,
					),
				true,
				options,
			),
	},
	{
		name: 'Linq Get Group',
		provider: 'linq',
		reads: 'read the group',
		answer: (label, handle) => linqChat(LINQ_CHAT, label, handle),
		run: async (options = {}) => await getGroup('linq', options),
	},
	{
		name: 'Periskope Get Group',
		provider: 'periskope',
		reads: 'read the group',
		answer: (label, handle) => periskopeChat(PERISKOPE_CHAT, label, handle),
		run: async (options = {}) => await getGroup('periskope', options),
	},
];
const PICKERS = TARGETS.filter((target) => !target.name.endsWith('Get Group'));
const each = (targets: Target[]) => targets.map((target) => [target.name, target] as const);

const label = (target: Target) => (target.provider === 'linq' ? 'Linq' : 'Periskope');

/** A read failure speaks of reading, never of a change. */
function expectReadWords(target: Target, message: string | undefined) {
	expect(message).toBeDefined();
	expect(message!.startsWith(`${label(target)}: could not ${target.reads}: `)).toBe(true);
	expect(message).not.toMatch(/may (or may not )?have been applied|apply it twice|while trying to/);
}

const secretOf = (target: Target) => (target.provider === 'linq' ? CANARY_LINQ : CANARY_PERISKOPE);

// ---- 1. Redirects ---------------------------------------------------------------------------

describe('1. a read goes only to the Base URL’s origin', () => {
	test.each(
		TARGETS.flatMap((target) => [302, 307].map((status) => [target.name, status, target] as const)),
	)(
		'%s: a %s to another host is not followed; nothing reaches it; the message says what could not be read',
		async (_name, status, target) => {
			provider.handle((_hit, response) =>
				json(response, status, '', { location: `${elsewhere.baseUrl}/grab` }),
			);
			const outcome = await target.run();
			expect(elsewhere.hits).toHaveLength(0);
			expect(provider.hits).toHaveLength(1);
			expectReadWords(target, outcome.message);
			expect(outcome.message).toContain(
				`redirect (HTTP ${status}) to ${elsewhere.baseUrl}; redirects are not followed`,
			);
			expect(outcome.everything).not.toContain('STOLEN');
		},
	);
});

// ---- 2. Echoes of the credential ----------------------------------------------------------------

describe('2. nothing a read brings back can carry the credential out', () => {
	/** The secret and the Authorization header, in every encoding the gate redacts today. */
	const encodings = (secret: string, hit: Hit) => {
		const authorization = String(hit.headers.authorization ?? '');
		return [
			secret,
			authorization,
			encodeURIComponent(authorization),
			encodeURIComponent(secret),
			Buffer.from(secret).toString('base64'),
			JSON.stringify({ token: secret }),
			JSON.stringify(hit.headers),
		];
	};

	test.each(
		TARGETS.flatMap((target) =>
			[200, 400, 500].map((status) => [target.name, status, target] as const),
		),
	)(
		'%s: an answer with status %s that echoes it in every encoding — no secret in results, errors or logs',
		async (_name, status, target) => {
			const secret = secretOf(target);
			provider.handle((hit, response) => {
				const forms = encodings(secret, hit);
				const body =
					status === 200
						? {
								...(target.answer(forms.join(' | '), `${secret}@example.com`) as IDataObject),
								echo: forms,
								headers: hit.headers,
							}
						: {
								success: false,
								error: { code: 1004, message: `bad request: ${forms.join(' | ')}` },
								trace_id: `trace ${forms[1]}`,
							};
				json(response, status, body, { 'x-trace-id': forms[1], 'x-periskope-trace-id': forms[1] });
			});
			const log = captureN8nLog();
			const printed: string[] = [];
			const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
				jest
					.spyOn(console, method)
					.mockImplementation((...args: unknown[]) => void printed.push(JSON.stringify(args))),
			);
			let outcome: Outcome;
			try {
				outcome = await target.run();
			} finally {
				stopN8nLogCapture();
				spies.forEach((spy) => spy.mockRestore());
			}
			expect(provider.hits[0].headers.authorization).toBe(`Bearer ${secret}`);
			const everything = [
				outcome.everything,
				...printed,
				...log.map((entry) => `${entry.message} ${entry.meta}`),
			].join('\n');
			if (status === 200) expect(outcome.message).toBeUndefined();
			else expectReadWords(target, outcome.message);
			// The echo arrived, redacted: the test can fail.
			expect(everything).toContain('[redacted]');
			expect(everything).not.toContain(secret);
			expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
			expect(everything).not.toContain(encodeURIComponent(`Bearer ${secret}`));
			expect(everything).not.toMatch(/Bearer [A-Za-z0-9]/);
		},
	);
});

// ---- 3. Size and time -------------------------------------------------------------------------

describe('3. a read is bounded in size and time', () => {
	test.each(each(TARGETS))(
		'%s: a 5 MB answer is cut at 1 MiB; the call ends and says so',
		async (_name, target) => {
			provider.handle((_hit, response) =>
				json(response, 200, `{"chats":[],"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`),
			);
			const outcome = await target.run();
			expectReadWords(target, outcome.message);
			expect(outcome.message).toMatch(/the answer was larger than 1 MiB/);
			expect(provider.hits).toHaveLength(1);
			expect(outcome.everything.length).toBeLessThan(20_000);
		},
	);

	test.each(each(TARGETS))(
		'%s: a server that drips a byte every 200 ms cannot extend a 1 s deadline',
		async (_name, target) => {
			provider.handle((_hit, response) =>
				drip(response, 200, JSON.stringify(target.answer('slow')), 200),
			);
			const started = Date.now();
			const outcome = await withPickerLimits({ timeoutMs: 1000, maxAttempts: 1 }, () =>
				target.run({ timeoutSeconds: 1 }),
			);
			const took = Date.now() - started;
			// Get Group has Max Attempts 2 here: two 1 s deadlines and a short backoff. The drip alone
			// would take tens of seconds; the bounds leave room for a machine busy with other work.
			expect(took).toBeLessThan(target.name.endsWith('Get Group') ? 8000 : 5000);
			expectReadWords(target, outcome.message);
			expect(outcome.message).toMatch(/no complete answer within the 1 s timeout/);
		},
	);

	test('a picker’s deadline holds even when the status line and headers drip', async () => {
		const dripper = await startHeaderDripper(200);
		try {
			const started = Date.now();
			const outcome = await withPickerLimits({ timeoutMs: 1000, maxAttempts: 1 }, () =>
				TARGETS[0].run({ baseUrl: dripper.baseUrl }),
			);
			expect(Date.now() - started).toBeLessThan(2500);
			expect(dripper.connections()).toBe(1);
			expectReadWords(TARGETS[0], outcome.message);
			expect(outcome.message).toMatch(/no complete answer within the 1 s timeout/);
		} finally {
			await dripper.close();
		}
	});
});

// ---- 4. Every read failure says "read" ------------------------------------------------------------

type Answer = (hit: Hit, response: ServerResponse, raw: IncomingMessage) => void;

/** What the server does, what the message says, and how many attempts the call may make. */
const FAILURES: Array<[string, Answer, RegExp, number]> = [
	[
		'an HTML page with status 200',
		(_hit, response) => {
			response.writeHead(200, { 'content-type': 'text/html' });
			response.end('<html><body>Welcome to the captive portal</body></html>');
		},
		/: the answer was not JSON$/,
		1,
	],
	['an empty 200', (_hit, response) => json(response, 200, ''), /: the answer was empty$/, 1],
	[
		'a 200 saying success:false',
		(_hit, response) =>
			json(response, 200, {
				success: false,
				error: { status: 400, code: 9999, message: 'nope' },
				trace_id: 'tr-1',
			}),
		/: \S/,
		1,
	],
	[
		'a 404',
		(_hit, response) =>
			json(response, 404, { success: false, error: { code: 2001, message: 'nope' } }),
		/not found$/,
		1,
	],
	[
		'a 500 every time',
		(_hit, response) =>
			json(response, 500, { success: false, error: { code: 3006, message: 'busy' } }),
		/had a temporary problem \(gave up after 2 attempts\)$/,
		PICKER_LIMITS.maxAttempts,
	],
	[
		'a connection closed before the answer',
		(_hit, _response, raw) => raw.socket.destroy(),
		/: the connection was closed before an answer arrived$/,
		1,
	],
	[
		'a 429 asking to wait a day',
		(_hit, response) =>
			json(
				response,
				429,
				{ success: false, error: { code: 1007, message: 'slow down' } },
				{ 'retry-after': '86400' },
			),
		/rate limit/,
		1,
	],
];

describe('4. every read failure speaks of reading, never of a change that may have been applied', () => {
	test.each(
		TARGETS.flatMap((target) =>
			FAILURES.map(
				([what, answer, words, times]) =>
					[target.name, what, target, answer, words, times] as const,
			),
		),
	)('%s: %s', async (_name, _what, target, answer, words, attempts) => {
		provider.handle(answer);
		const outcome = await target.run({ attempts });
		expectReadWords(target, outcome.message);
		expect(outcome.message).toMatch(words);
		// A read is safe to repeat: a 5xx is tried again; a refusal or a 429 asking too much is not.
		expect(provider.hits).toHaveLength(attempts);
	});

	test.each(each(TARGETS.filter((target) => target.reads === 'read the group')))(
		'%s: a 200 that holds no chat',
		async (_name, target) => {
			provider.handle((_hit, response) => json(response, 200, { chats: [], note: 'nothing here' }));
			const outcome = await target.run();
			expectReadWords(target, outcome.message);
			expect(outcome.message).toMatch(/: the answer has no chat$/);
		},
	);

	test.each(each(TARGETS))('%s: a server that refuses the connection', async (_name, target) => {
		const closed = await startHostile();
		const baseUrl = closed.baseUrl;
		await closed.close();
		const outcome = await target.run({ baseUrl });
		expectReadWords(target, outcome.message);
		expect(outcome.message).toMatch(/: the server could not be reached/);
	});

	test.each(['linq', 'periskope'] as const)(
		'%s: the trigger’s subscription list is a read too',
		async (name) => {
			provider.handle((_hit, response) => {
				response.writeHead(200, { 'content-type': 'text/html' });
				response.end('<html>maintenance</html>');
			});
			const context = loadOptionsContext({ provider: name }, credentials(), 'parameters.provider');
			const error = await callProvider(context, name, entryFor(name).events.list(), {
				maxAttempts: 1,
			}).then(
				() => undefined,
				(caught: Error) => caught,
			);
			expect(error?.message).toBe(
				`${name === 'linq' ? 'Linq' : 'Periskope'}: could not read the webhook subscriptions: the answer was not JSON`,
			);
			expect(provider.hits).toHaveLength(1);
		},
	);
});

describe('4b. writes keep the retry-safety table’s words', () => {
	test('Linq Create Group: an empty 200 "may have been applied"', async () => {
		provider.handle((_hit, response) => json(response, 200, ''));
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'linq',
					operation: 'create',
					sender: '+14155550100',
					participants: '+14155551234,+14155551235',
					firstMessage: 'hi',
					options: { maxAttempts: 2 },
				}),
			],
			credentials: credentials(),
		});
		expect(result.error?.message).toBe(
			'Linq: the answer was empty; the change may have been applied (gave up after 2 attempts)',
		);
	});

	test('Periskope Leave Group: a reset "may or may not have been applied" and is not retried', async () => {
		provider.handle((_hit, _response, raw) => raw.socket.destroy());
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'periskope',
					operation: 'leave',
					chatId: rl(PERISKOPE_CHAT),
				}),
			],
			credentials: credentials(),
		});
		expect(result.error?.message).toBe(
			'Periskope: the connection was closed before an answer arrived; the change may or may not have been applied — not retried automatically, because repeating this operation could apply it twice; check the chat before running it again',
		);
		expect(provider.hits).toHaveLength(1);
	});

	test('creating a webhook subscription: the same words, and what it was trying to do', async () => {
		provider.handle((_hit, _response, raw) => raw.socket.destroy());
		const context = loadOptionsContext({ provider: 'linq' }, credentials(), 'parameters.provider');
		const call = entryFor('linq').events.create(
			'https://n8n.example/webhook/x',
			['participant.added'],
			[],
		);
		const error = await callProvider(context, 'linq', call).then(
			() => undefined,
			(caught: Error) => caught,
		);
		expect(error?.message).toBe(
			'Linq: the connection was closed before an answer arrived; the change may or may not have been applied — not retried automatically, because repeating this operation could apply it twice; check the chat before running it again (while trying to create the webhook subscription)',
		);
		expect(provider.hits).toHaveLength(1);
	});
});

// ---- 5. Every list ends -------------------------------------------------------------------------

describe('5. every list ends', () => {
	const linqSearch = TARGETS.find((target) => target.name === 'searchLinqChats')!;
	const periskopeSearch = TARGETS.find((target) => target.name === 'searchPeriskopeChats')!;
	const query = (hit: Hit) => new URL(hit.url, 'http://x').searchParams;

	/** Scrolls the Chat list the way the editor does: asks for "more" while a token comes back. */
	async function scroll(target: Target, filter?: string, calls = MAX_PAGES_PER_LIST + 20) {
		const shown: string[] = [];
		let token: string | undefined;
		let made = 0;
		do {
			const outcome = await target.run({ filter, token });
			expect(outcome.message).toBeUndefined();
			shown.push(...outcome.search!.results.map((entry) => String(entry.value)));
			token = outcome.search!.paginationToken;
			made++;
		} while (token && made < calls);
		return { shown, calls: made, ended: token === undefined };
	}

	const linqPage = (from: number, next: string | null, count = CHAT_PAGE_SIZE) => ({
		chats: Array.from({ length: count }, (_, index) =>
			linqChat(`chat-${from + index}`, `Group ${from + index}`),
		),
		next_cursor: next,
	});
	const periskopePage = (from: number, to: number, count: number, size = CHAT_PAGE_SIZE) => ({
		chats: Array.from({ length: size }, (_, index) =>
			periskopeChat(`${1000 + from + index}@g.us`, `Group ${from + index}`),
		),
		count,
		from,
		to,
	});

	test('Linq: a next_cursor that does not move ends the list (2 requests)', async () => {
		let served = 0;
		provider.handle((_hit, response) =>
			json(response, 200, linqPage(CHAT_PAGE_SIZE * served++, 'same')),
		);
		const { calls, ended, shown } = await scroll(linqSearch);
		expect(ended).toBe(true);
		expect(provider.hits).toHaveLength(2);
		expect(calls).toBe(2);
		expect(new Set(shown).size).toBe(shown.length);
	});

	test('Linq: cursors that come back (A → B → A) end the list', async () => {
		provider.handle((hit, response) => {
			const cursor = query(hit).get('cursor');
			json(
				response,
				200,
				cursor === 'A'
					? linqPage(100, 'B')
					: cursor === 'B'
						? linqPage(200, 'A')
						: linqPage(0, 'A'),
			);
		});
		const { ended } = await scroll(linqSearch);
		expect(ended).toBe(true);
		expect(provider.hits.map((hit) => query(hit).get('cursor'))).toEqual([null, 'A', 'B']);
	});

	test('Linq: fresh cursors on pages repeating the same chats end the list; they are not shown twice', async () => {
		let served = 0;
		provider.handle((_hit, response) => json(response, 200, linqPage(0, `c${++served}`)));
		const { shown, ended } = await scroll(linqSearch);
		expect(ended).toBe(true);
		expect(provider.hits).toHaveLength(2);
		expect(shown).toHaveLength(CHAT_PAGE_SIZE);
	});

	test(`Linq: an endless list of new chats ends after ${MAX_PAGES_PER_LIST} pages`, async () => {
		let served = 0;
		provider.handle((_hit, response) => {
			served++;
			json(response, 200, linqPage(served * CHAT_PAGE_SIZE, `c${served}`));
		});
		const { ended, shown } = await scroll(linqSearch);
		expect(ended).toBe(true);
		expect(provider.hits).toHaveLength(MAX_PAGES_PER_LIST);
		expect(shown).toHaveLength(MAX_PAGES_PER_LIST * CHAT_PAGE_SIZE);
	});

	test(`Linq: a search that matches nothing reads at most ${MAX_PAGES_PER_SEARCH} pages per call`, async () => {
		let served = 0;
		provider.handle((_hit, response) => {
			served++;
			json(response, 200, linqPage(served * CHAT_PAGE_SIZE, `c${served}`));
		});
		const outcome = await linqSearch.run({ filter: 'no such group' });
		expect(outcome.search!.results).toEqual([]);
		expect(outcome.search!.paginationToken).toBeDefined();
		expect(provider.hits).toHaveLength(MAX_PAGES_PER_SEARCH);
		const rest = await scroll(linqSearch, 'no such group');
		expect(rest.ended).toBe(true);
		expect(provider.hits.length).toBeLessThanOrEqual(MAX_PAGES_PER_SEARCH + MAX_PAGES_PER_LIST);
	});

	test('Periskope: an offset that does not advance (`to` equals the offset, count lies) ends the list at once', async () => {
		provider.handle((hit, response) => {
			const offset = Number(query(hit).get('offset'));
			json(response, 200, periskopePage(offset, offset, 1_000_000));
		});
		const { ended, calls } = await scroll(periskopeSearch);
		expect(ended).toBe(true);
		expect(calls).toBe(1);
		expect(provider.hits).toHaveLength(1);
	});

	test('Periskope: a server that ignores the offset (the same page again, count lies) ends after 2 requests', async () => {
		provider.handle((hit, response) => {
			const offset = Number(query(hit).get('offset'));
			json(response, 200, {
				...periskopePage(0, CHAT_PAGE_SIZE, 1_000_000),
				from: offset,
				to: offset + CHAT_PAGE_SIZE,
			});
		});
		const { ended, shown } = await scroll(periskopeSearch);
		expect(ended).toBe(true);
		expect(provider.hits.map((hit) => query(hit).get('offset'))).toEqual([
			'0',
			String(CHAT_PAGE_SIZE),
		]);
		expect(shown).toHaveLength(CHAT_PAGE_SIZE);
	});

	test('Periskope: the same page within one search call ends the call', async () => {
		provider.handle((_hit, response) =>
			json(response, 200, periskopePage(0, CHAT_PAGE_SIZE, 1_000_000)),
		);
		const outcome = await periskopeSearch.run({ filter: 'no such group' });
		expect(outcome.search).toEqual({ results: [] });
		expect(provider.hits).toHaveLength(2);
	});

	test('Periskope: an empty page whose count says there is more ends the list', async () => {
		provider.handle((_hit, response) =>
			json(response, 200, { chats: [], count: 1_000_000, from: 0, to: 50 }),
		);
		const { ended } = await scroll(periskopeSearch);
		expect(ended).toBe(true);
		expect(provider.hits).toHaveLength(1);
	});

	test.each(['linq', 'periskope'] as const)(
		'%s: a page of 1 MiB of tiny chats counts for one page of groups',
		async (name) => {
			const entry = (index: number) =>
				name === 'linq'
					? { id: `c${index}`, is_group: true, handles: [] }
					: { chat_id: `${index}@g.us`, chat_type: 'group' };
			const chats = Array.from({ length: 20_000 }, (_, index) => entry(index));
			const body = JSON.stringify(
				name === 'linq'
					? { chats, next_cursor: 'next' }
					: { chats, count: 1_000_000, from: 0, to: 20_000 },
			);
			expect(body.length).toBeLessThan(1024 * 1024);
			expect(body.length).toBeGreaterThan(700_000);
			provider.handle((_hit, response) => json(response, 200, body));
			const outcome = await (name === 'linq' ? linqSearch : periskopeSearch).run();
			expect(outcome.message).toBeUndefined();
			expect(outcome.search!.results).toHaveLength(CHAT_PAGE_SIZE);
			expect(outcome.everything.length).toBeLessThan(20_000);
			if (name === 'periskope') {
				const next = await periskopeSearch.run({ token: outcome.search!.paginationToken });
				expect(query(provider.hits[1]).get('offset')).toBe(String(CHAT_PAGE_SIZE));
				expect(next.search!.results).toEqual([]);
			}
		},
	);
});

// ---- 6. Labels ------------------------------------------------------------------------------------

describe('6. labels from the network are clean; values stay exact', () => {
	// NUL, ESC with an ANSI colour, CRLF, a right-to-left override and isolates, a LRM, C1, then 10 kB.
	const HOSTILE = `\u0000Ev\u001b[31mil\r\nline\u202eeman\u2066x\u2069\u200e\u0085 ${'A'.repeat(10_000)}`;
	// eslint-disable-next-line no-control-regex -- the characters a clean label must not hold
	const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
	const graphemes = (text: string) =>
		Array.from(
			new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text),
			(entry) => entry.segment,
		);

	function expectClean(text: string | undefined, max: number) {
		expect(typeof text).toBe('string');
		expect(text).not.toMatch(UNSAFE);
		expect(text).toBe(text!.trim());
		expect(text).not.toMatch(/\s{2}/);
		expect(graphemes(text!).length).toBeLessThanOrEqual(max);
	}

	function optionsOf(outcome: Outcome): INodePropertyOptions[] {
		expect(outcome.message).toBeUndefined();
		return (outcome.options ?? outcome.search!.results) as INodePropertyOptions[];
	}

	test.each(each(PICKERS))(
		'%s: NUL, ESC, CRLF, bidi controls and 10 kB names are cleaned and cut',
		async (_name, target) => {
			// Members to Remove shows addresses: there the hostile text is a member's handle.
			const handle = target.provider === 'linq' ? `${HOSTILE}@example.com` : HOSTILE;
			const id = target.provider === 'linq' ? LINQ_CHAT : PERISKOPE_CHAT;
			provider.handle((_hit, response) => json(response, 200, target.answer(HOSTILE, handle)));
			const options = optionsOf(await target.run());
			expect(options.length).toBeGreaterThan(0);
			for (const option of options) {
				expectClean(option.name, 100);
				if (option.description !== undefined) expectClean(option.description, 200);
			}
			const joined = JSON.stringify(options.map((option) => [option.name, option.description]));
			expect(joined.toLowerCase()).toContain('ev il lineemanx a');
			expect(joined).toContain('…');
			// Values are what the provider said, to the byte.
			const values = options.map((option) => option.value);
			if (target.name.endsWith('getSenders'))
				expect(values).toEqual([target.provider === 'linq' ? '+14155550100' : ORG_PHONE]);
			if (target.name.startsWith('search')) expect(values).toEqual([id]);
			if (target.name === 'Linq getGroupMembers') expect(values).toEqual(['+14155551235', handle]);
			if (target.name === 'Periskope getGroupMembers')
				expect(values).toEqual(['+14155551235', handle]);
		},
	);

	test.each(each(PICKERS.filter((target) => !target.name.includes('Members'))))(
		'%s: a name of 3,000 family emoji is cut between emoji, with an ellipsis',
		async (_name, target) => {
			const family = '👩‍👩‍👧';
			provider.handle((_hit, response) => json(response, 200, target.answer(family.repeat(3_000))));
			const [option] = optionsOf(await target.run());
			const parts = graphemes(option.name);
			expect(parts.length).toBeLessThanOrEqual(100);
			expect(parts[parts.length - 1]).toBe('…');
			const emoji = parts.filter((part) => /\p{Extended_Pictographic}/u.test(part));
			expect(emoji.length).toBeGreaterThan(50);
			expect(emoji.every((part) => part === family)).toBe(true);
		},
	);

	test('a chat whose ID carries control characters keeps it in the value; the name falls back to members', async () => {
		const id = `odd\u0000id\u202e`;
		provider.handle((_hit, response) =>
			json(response, 200, { chats: [linqChat(id, '\u0000\u001b\r\n\u202e ')], next_cursor: null }),
		);
		const [option] = optionsOf(
			await TARGETS.find((target) => target.name === 'searchLinqChats')!.run(),
		);
		expect(option.value).toBe(id);
		expect(option.name).toBe('+14155550100, +14155551235, +14155551234');
	});
});
