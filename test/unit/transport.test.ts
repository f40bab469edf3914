/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests time real retries and rate-limit pauses (setTimeout) */
/**
 * The retry-safety table (docs/architecture.md), request by request: which failures are retried, for
 * which provider and operation, how long rate limits wait, and that attempts are bounded.
 */
import { InputError } from '../../src/errors';
import { parseNodeOptions } from '../../src/operations';
import type { RawParameters } from '../../src/operations';
import { prepare } from '../../src/run';
import { LaneScheduler, RateBudget, runInLanes } from '../../src/lanes';
import { NetworkError, classifyNetworkFailure } from '../../src/network';
import type { HttpResponse, HttpSend } from '../../src/network';
import { isRead } from '../../src/http';
import { runPlanned } from '../../src/plan';
import { adapterFor } from '../../src/providers';
import { DEFAULT_RETRY, sendWithRetry } from '../../src/transport';
import type { Operation, Provider } from '../../src/types';

/** Chert has no Get Group (it cannot read a group), so its table has no `get` row. */
const PARAMS: Record<Provider, Partial<Record<Operation, RawParameters>>> = {
	chert: {
		create: {
			provider: 'chert',
			operation: 'create',
			sender: '+14155550100',
			participants: '+14155551234,+14155551235',
			firstMessage: 'hi',
			idempotencyKey: 'k',
		},
		addParticipants: {
			provider: 'chert',
			operation: 'addParticipants',
			chatId: 'ch_1',
			participants: '+14155551234',
		},
		removeParticipants: {
			provider: 'chert',
			operation: 'removeParticipants',
			chatId: 'ch_1',
			participants: '+14155551234',
		},
		rename: { provider: 'chert', operation: 'rename', chatId: 'ch_1', groupName: 'x' },
		leave: { provider: 'chert', operation: 'leave', chatId: 'ch_1' },
		sendMessage: {
			provider: 'chert',
			operation: 'sendMessage',
			chatId: 'ch_1',
			message: 'hi',
			idempotencyKey: 'k',
		},
	},
	linq: {
		create: {
			provider: 'linq',
			operation: 'create',
			sender: '+14155550100',
			participants: '+14155551234,+14155551235',
			firstMessage: 'hi',
			idempotencyKey: 'k',
		},
		addParticipants: {
			provider: 'linq',
			operation: 'addParticipants',
			chatId: '550e8400-e29b-41d4-a716-446655440000',
			participants: '+14155551234',
		},
		removeParticipants: {
			provider: 'linq',
			operation: 'removeParticipants',
			chatId: '550e8400-e29b-41d4-a716-446655440000',
			participants: '+14155551234',
		},
		rename: {
			provider: 'linq',
			operation: 'rename',
			chatId: '550e8400-e29b-41d4-a716-446655440000',
			groupName: 'x',
		},
		leave: { provider: 'linq', operation: 'leave', chatId: '550e8400-e29b-41d4-a716-446655440000' },
		get: { provider: 'linq', operation: 'get', chatId: '550e8400-e29b-41d4-a716-446655440000' },
		sendMessage: {
			provider: 'linq',
			operation: 'sendMessage',
			chatId: '550e8400-e29b-41d4-a716-446655440000',
			message: 'hi',
			idempotencyKey: 'k',
		},
		listGroups: { provider: 'linq', operation: 'listGroups', returnAll: true },
		syncMembers: {
			provider: 'linq',
			operation: 'syncMembers',
			chatId: '550e8400-e29b-41d4-a716-446655440000',
			participants: '+14155551234',
		},
	},
	periskope: {
		create: {
			provider: 'periskope',
			operation: 'create',
			groupName: 'g',
			participants: '+14155551234',
		},
		addParticipants: {
			provider: 'periskope',
			operation: 'addParticipants',
			chatId: '1203@g.us',
			participants: '+14155551234',
		},
		removeParticipants: {
			provider: 'periskope',
			operation: 'removeParticipants',
			chatId: '1203@g.us',
			participants: '+14155551234',
		},
		rename: { provider: 'periskope', operation: 'rename', chatId: '1203@g.us', groupName: 'x' },
		leave: { provider: 'periskope', operation: 'leave', chatId: '1203@g.us' },
		get: { provider: 'periskope', operation: 'get', chatId: '1203@g.us' },
		sendMessage: {
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: '1203@g.us',
			message: 'hi',
		},
		promoteAdmins: {
			provider: 'periskope',
			operation: 'promoteAdmins',
			chatId: '1203@g.us',
			participants: '+14155551234',
		},
		demoteAdmins: {
			provider: 'periskope',
			operation: 'demoteAdmins',
			chatId: '1203@g.us',
			participants: '+14155551234',
		},
		inviteLink: {
			provider: 'periskope',
			operation: 'inviteLink',
			chatId: '1203@g.us',
			inviteLinkAction: 'reset',
		},
		listGroups: { provider: 'periskope', operation: 'listGroups', returnAll: true },
		syncMembers: {
			provider: 'periskope',
			operation: 'syncMembers',
			chatId: '1203@g.us',
			participants: '+14155551234',
		},
	},
};

/**
 * Whether a failure that may have reached the server is retried (docs/architecture.md's table).
 * Send Message follows create (the same key where the provider takes one; Periskope takes none);
 * promote and demote follow add; an invite-link reset sent twice leaves one working link (the
 * last); List Groups and Sync Members' read of the group are reads (Sync's writes are add and
 * remove, rows above).
 */
const RETRIED_AFTER_AMBIGUITY: Record<Provider, Partial<Record<Operation, boolean>>> = {
	chert: {
		create: true,
		addParticipants: true,
		removeParticipants: true,
		rename: true,
		leave: true,
		get: true,
		sendMessage: true,
	},
	linq: {
		create: true,
		addParticipants: false,
		removeParticipants: false,
		rename: true,
		leave: false,
		get: true,
		sendMessage: true,
		listGroups: true,
		syncMembers: true,
	},
	periskope: {
		create: false,
		addParticipants: true,
		removeParticipants: true,
		rename: true,
		leave: false,
		get: true,
		sendMessage: false,
		promoteAdmins: true,
		demoteAdmins: true,
		inviteLink: false,
		listGroups: true,
		syncMembers: true,
	},
};

/** A 2xx that carries what every operation needs (a chat with an ID, a message ID, in each provider's shape). */
const ok = (): HttpResponse => ({
	statusCode: 200,
	headers: {},
	body: '{"chat":{"id":"ch_1","chat_id":"1203@g.us"},"chat_id":"1203@g.us","message":{"id":"m_1"},"queue_id":"q_1"}',
});

/** The one request an operation sends first: its plan, or the read it starts with (List Groups, Sync Members). */
function firstRequest(
	adapter: ReturnType<typeof prepare>['adapter'],
	input: ReturnType<typeof prepare>['input'],
) {
	if (input.operation === 'listGroups') return adapter.lookups.chats!.call({ pageSize: 100 });
	if (input.operation === 'syncMembers') return adapter.lookups.group!.call(input.chatId);
	return adapter.plan(input)[0];
}

function script(steps: Array<HttpResponse | NetworkError>) {
	const calls: number[] = [];
	const send: HttpSend = async () => {
		calls.push(calls.length);
		const step = steps[Math.min(calls.length - 1, steps.length - 1)];
		if (step instanceof NetworkError) throw step;
		return step;
	};
	return { send, calls };
}

async function attempt(
	provider: Provider,
	operation: Operation,
	steps: Array<HttpResponse | NetworkError>,
) {
	const { adapter, input } = prepare(PARAMS[provider][operation]!);
	const { send, calls } = script(steps);
	const waits: number[] = [];
	const request = firstRequest(adapter, input);
	const answer = await sendWithRetry(adapter, input.operation, request, send, DEFAULT_RETRY, {
		sleep: async (ms: number) => void waits.push(ms),
		random: () => 0.5,
		now: () => 1_700_000_000_000,
	});
	return { answer, calls: calls.length, waits };
}

const sortedOperations = (list: readonly string[]) => [...list].sort();

const serverError: HttpResponse = {
	statusCode: 503,
	headers: {},
	body: '{"success":false,"error":{"status":503,"code":3002,"message":"unavailable","retryable":true}}',
};

describe.each(Object.keys(PARAMS) as Provider[])('%s', (provider) => {
	describe.each(Object.keys(PARAMS[provider]) as Operation[])('%s', (operation) => {
		const retried = RETRIED_AFTER_AMBIGUITY[provider][operation];

		test('connection refused (never sent) is always retried', async () => {
			const { answer, calls } = await attempt(provider, operation, [
				new NetworkError('refused', 'ECONNREFUSED'),
				ok(),
			]);
			expect(answer.ok).toBe(true);
			expect(calls).toBe(2);
		});

		test('429 waits and retries', async () => {
			const { answer, calls, waits } = await attempt(provider, operation, [
				{
					statusCode: 429,
					headers: { 'retry-after': '2', 'x-ratelimit-reset': '1700000003' },
					body: '{"retry_after":2}',
				},
				ok(),
			]);
			expect(answer.ok).toBe(true);
			expect(calls).toBe(2);
			expect(waits[0]).toBe(provider === 'periskope' ? 3000 : 2000);
		});

		test(`reset, timeout and 5xx are ${retried ? '' : 'not '}retried`, async () => {
			for (const failure of [
				new NetworkError('reset', 'ECONNRESET'),
				new NetworkError('timeout', 'ETIMEDOUT'),
				serverError,
			]) {
				const { answer, calls } = await attempt(provider, operation, [failure, ok()]);
				expect({ ok: answer.ok, calls }).toEqual(
					retried ? { ok: true, calls: 2 } : { ok: false, calls: 1 },
				);
				if (!retried && !answer.ok)
					expect(answer.error.message).toMatch(/not retried automatically/);
			}
		});

		test('attempts are bounded', async () => {
			const { answer, calls } = await attempt(provider, operation, [
				new NetworkError('refused', 'ECONNREFUSED'),
			]);
			expect(answer.ok).toBe(false);
			expect(calls).toBe(DEFAULT_RETRY.maxAttempts);
		});
	});
});

describe('the table covers every operation', () => {
	test.each(['chert', 'linq', 'periskope'] as const)(
		'%s: each operation it offers is in the table above and declares its row (or only reads)',
		(provider) => {
			const adapter = adapterFor(provider);
			const reads: Operation[] = ['get', 'listGroups', 'syncMembers'];
			expect(sortedOperations(Object.keys(PARAMS[provider]))).toEqual(
				sortedOperations(adapter.operations),
			);
			for (const operation of adapter.operations) {
				if (reads.includes(operation)) continue;
				expect({ operation, row: typeof adapter.retryAfterAmbiguity[operation] }).toEqual({
					operation,
					row: 'boolean',
				});
				expect({ operation, retried: adapter.retryAfterAmbiguity[operation] }).toEqual({
					operation,
					retried: RETRIED_AFTER_AMBIGUITY[provider][operation],
				});
			}
		},
	);

	test('Invite Link: getting the current link is a read, a reset is a write', () => {
		const get = prepare({
			provider: 'periskope',
			operation: 'inviteLink',
			chatId: '1203@g.us',
			inviteLinkAction: 'get',
		});
		const reset = prepare({
			provider: 'periskope',
			operation: 'inviteLink',
			chatId: '1203@g.us',
			inviteLinkAction: 'reset',
		});
		expect(get.adapter.plan(get.input).map((request) => [request.method, isRead(request)])).toEqual(
			[['GET', true]],
		);
		expect(
			reset.adapter.plan(reset.input).map((request) => [request.method, isRead(request)]),
		).toEqual([['POST', false]]);
	});
});

describe('Send Message sent again carries the same bytes (the same derived idempotency key)', () => {
	test.each([
		['chert', 2],
		['linq', 2],
		['periskope', 1],
	] as const)('%s: a reset after the send → %i request(s)', async (provider, requests) => {
		const { adapter, input } = prepare(PARAMS[provider].sendMessage!);
		if (input.operation === 'sendMessage') input.idempotencyKey = undefined;
		const bodies: Array<string | undefined> = [];
		const steps = [new NetworkError('reset', 'ECONNRESET'), ok()];
		const send: HttpSend = async (request) => {
			bodies.push(request.body);
			const step = steps[bodies.length - 1];
			if (step instanceof NetworkError) throw step;
			return step;
		};
		const run = await runPlanned(adapter, input, {
			send,
			hooks: { sleep: async () => undefined, random: () => 0.5 },
			idempotencyScope: 'wf:node:exec',
			itemIndex: 3,
		}).then(
			(planned) => planned,
			(error: unknown) => ({ error }),
		);
		expect(bodies).toHaveLength(requests);
		if (provider === 'periskope') {
			expect(JSON.parse(bodies[0]!)).not.toHaveProperty('idempotency_key');
			expect(String((run as { error: Error }).error.message)).toMatch(/not retried automatically/);
			return;
		}
		expect(bodies[1]).toBe(bodies[0]);
		expect(JSON.parse(bodies[0]!).message.idempotency_key).toMatch(/^n8n-[0-9a-f]{32}$/);
		expect((run as { result: { messageId: string } }).result.messageId).toBe('m_1');
	});

	test('the derived key differs between items, and between executions, for the same text', () => {
		const keys = (scope: string, itemIndex: number) => {
			const { adapter, input } = prepare({
				provider: 'linq',
				operation: 'sendMessage',
				chatId: '550e8400-e29b-41d4-a716-446655440000',
				message: 'same',
			});
			return runPlanned(adapter, input, {
				send: async (request) => ({
					statusCode: 200,
					headers: {},
					body: JSON.stringify({
						message: { id: JSON.parse(request.body!).message.idempotency_key },
					}),
				}),
				hooks: { sleep: async () => undefined },
				idempotencyScope: scope,
				itemIndex,
			}).then((planned) => planned.result.messageId);
		};
		return Promise.all([keys('a', 0), keys('a', 0), keys('a', 1), keys('b', 0)]).then(
			([first, again, otherItem, otherExecution]) => {
				expect(again).toBe(first);
				expect(otherItem).not.toBe(first);
				expect(otherExecution).not.toBe(first);
			},
		);
	});
});

test('a 4xx refusal is final and not retried', async () => {
	const { answer, calls } = await attempt('chert', 'addParticipants', [
		{
			statusCode: 404,
			headers: {},
			body: '{"success":false,"error":{"status":404,"code":2002,"message":"not found"},"trace_id":"t"}',
		},
		ok(),
	]);
	expect(answer.ok).toBe(false);
	expect(calls).toBe(1);
});

test('Chert: a retried remove answering "not in group" counts as removed; a first one does not', async () => {
	const notInGroup: HttpResponse = {
		statusCode: 400,
		headers: {},
		body: '{"success":false,"error":{"status":400,"code":1001,"message":"not in group"},"trace_id":"t"}',
	};
	const retried = await attempt('chert', 'removeParticipants', [
		new NetworkError('reset', 'ECONNRESET'),
		notInGroup,
	]);
	expect(retried.answer.ok).toBe(true);
	const first = await attempt('chert', 'removeParticipants', [notInGroup]);
	expect(first.answer.ok).toBe(false);
});

test('a rate-limit wait longer than the limit gives up instead of hanging', async () => {
	const { answer, calls } = await attempt('chert', 'rename', [
		{ statusCode: 429, headers: { 'retry-after': '3600' }, body: '{}' },
	]);
	expect(answer.ok).toBe(false);
	expect(calls).toBe(1);
});

test('backoff grows exponentially between attempts', async () => {
	const { waits } = await attempt('chert', 'rename', [serverError]);
	expect(waits).toEqual([375, 750, 1500]);
});

test('network failures are classified by code only', () => {
	expect(classifyNetworkFailure({ cause: { code: 'ECONNREFUSED' } }).kind).toBe('refused');
	expect(classifyNetworkFailure({ message: 'socket hang up' }).kind).toBe('reset');
	expect(
		classifyNetworkFailure({
			code: 'ECONNABORTED',
			config: { headers: { Authorization: 'Bearer x' } },
		}).kind,
	).toBe('timeout');
	const other = classifyNetworkFailure({
		message: 'weird',
		headers: { Authorization: 'Bearer secret' },
	});
	expect(other.kind).toBe('other');
	expect(JSON.stringify(other) + other.message).not.toContain('secret');
});

test('codes are found in the messages of errors n8n has wrapped', () => {
	expect(
		classifyNetworkFailure({ message: 'x', cause: { message: 'connect ECONNREFUSED 127.0.0.1:9' } })
			.kind,
	).toBe('refused');
	expect(classifyNetworkFailure({ message: 'timeout of 30000ms exceeded' }).kind).toBe('timeout');
});

describe('rate-limit waits are sane (negative or past hints fall back, the longest wins)', () => {
	const limited = (headers: Record<string, string>, body = '{}'): HttpResponse => ({
		statusCode: 429,
		headers,
		body,
	});

	test('Retry-After: -5 backs off instead of retrying at once', async () => {
		const { answer, waits } = await attempt('linq', 'rename', [
			limited({ 'retry-after': '-5' }),
			ok(),
		]);
		expect(answer.ok).toBe(true);
		expect(waits).toEqual([375]);
	});

	test('a negative Chert retry_after backs off', async () => {
		const { waits } = await attempt('chert', 'rename', [limited({}, '{"retry_after":-3}'), ok()]);
		expect(waits).toEqual([375]);
	});

	test('a past Periskope X-RateLimit-Reset does not win over Retry-After: 30', async () => {
		const { waits } = await attempt('periskope', 'rename', [
			limited({ 'x-ratelimit-reset': '1699999000', 'retry-after': '30' }),
			ok(),
		]);
		expect(waits).toEqual([30_000]);
	});

	test('the longest of several hints wins', async () => {
		const { waits } = await attempt('chert', 'rename', [
			limited({ 'retry-after': '4' }, '{"retry_after":9}'),
			ok(),
		]);
		expect(waits).toEqual([9_000]);
	});

	test('a hint beyond the limit fails at once and says how long the provider asked', async () => {
		const { answer, calls, waits } = await attempt('periskope', 'rename', [
			limited({ 'retry-after': '3600' }),
		]);
		expect(calls).toBe(1);
		expect(waits).toEqual([]);
		expect(!answer.ok && answer.error.message).toMatch(
			/asked to wait 3,600 s, longer than the 300 s/,
		);
	});
});

describe('Max Rate Limit Wait: a ceiling on waiting without progress, never on a run that progresses', () => {
	const limited = (retryAfter?: string): HttpResponse => ({
		statusCode: 429,
		headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
		body: '{"success":false,"error":{"status":429,"code":1007,"message":"slow down"}}',
	});
	/** A fake clock that only moves when the transport sleeps. */
	function fakeTime() {
		const time = { now: 0 };
		const hooks = {
			sleep: async (ms: number) => void (time.now += ms),
			random: () => 0.5,
			now: () => time.now,
			budget: new RateBudget(() => time.now),
		};
		return { time, hooks };
	}
	const rename = prepare(PARAMS.linq.rename!);
	const retry = {
		...DEFAULT_RETRY,
		maxRateLimitWaitMs: 300_000,
		maxRateLimitWaitSetting: 'Options → Max Rate Limit Wait',
	};

	test('a 429 that never ends: the item fails once the credential has waited the ceiling, saying how long and what was asked', async () => {
		const { time, hooks } = fakeTime();
		const { send, calls } = script([limited('30')]);
		const answer = await sendWithRetry(
			rename.adapter,
			rename.input.operation,
			{ method: 'PUT', path: '/x' },
			send,
			retry,
			hooks,
		);
		expect(answer.ok).toBe(false);
		expect(time.now).toBe(300_000); // waited exactly the ceiling, not the 20 × 30 s of before
		expect(calls.length).toBe(10); // one at 0 s, then every 30 s until 270 s
		expect(!answer.ok && answer.error.message).toBe(
			'Linq: still rate limited after waiting 5 min, and no request of this credential got through in that time (Linq last asked to wait 30 s); the node stops waiting after 5 min (Options → Max Rate Limit Wait) — try again later',
		);
		expect(!answer.ok && answer.error.details.httpStatus).toBe(429);
	});

	test('…with a hint that cannot be read, it backs off and says so; the ceiling is the configured one', async () => {
		const { time, hooks } = fakeTime();
		const { send, calls } = script([limited('soon')]);
		const answer = await sendWithRetry(
			rename.adapter,
			rename.input.operation,
			{ method: 'PUT', path: '/x' },
			send,
			{ ...retry, maxRateLimitWaitMs: 60_000 },
			hooks,
		);
		expect(time.now).toBe(60_000);
		expect(calls.length).toBeLessThan(12); // backoff doubles up to 20 s: 0.375, 0.75, 1.5, 3, 6, 12, 15 s…
		expect(!answer.ok && answer.error.message).toMatch(
			/^Linq: still rate limited after waiting 1 min, and no request of this credential got through in that time \(Linq gave no wait time that could be read\); the node stops waiting after 1 min/,
		);
	});

	test('more than 20 rate limits for one request are waited out while the ceiling is not reached (no per-request cap)', async () => {
		const { time, hooks } = fakeTime();
		const { send, calls } = script([...Array<HttpResponse>(25).fill(limited('2')), ok()]);
		const answer = await sendWithRetry(
			rename.adapter,
			rename.input.operation,
			{ method: 'PUT', path: '/x' },
			send,
			retry,
			hooks,
		);
		expect(answer.ok).toBe(true);
		expect(calls.length).toBe(26);
		expect(time.now).toBe(50_000);
	});

	test('a long run that keeps getting through is never cut short, however long it is rate limited in total', async () => {
		const { time, hooks } = fakeTime();
		let sent = 0;
		// Two of every three requests are refused for 30 s; the third gets through.
		const send: HttpSend = async () => (++sent % 3 === 0 ? ok() : limited('30'));
		const answers = [];
		for (let item = 0; item < 40; item++) {
			answers.push(
				await sendWithRetry(
					rename.adapter,
					rename.input.operation,
					{ method: 'PUT', path: `/x${item}` },
					send,
					retry,
					hooks,
				),
			);
		}
		expect(answers.every((answer) => answer.ok)).toBe(true);
		expect(time.now).toBe(40 * 2 * 30_000); // 40 min of rate limits (8 × the ceiling), none cut short
		expect(sent).toBe(120);
	});

	test('items waiting behind the shared pause fail at the ceiling without sending; an answer that gets through stops the clock', async () => {
		const { time, hooks } = fakeTime();
		// Another request of this credential met a 429 (hint 200 s) at 0 s and the credential is paused.
		hooks.budget.limited(200_000);
		hooks.budget.pause(200_000);
		time.now = 150_000;
		const { send, calls } = script([limited('200')]);
		const first = await sendWithRetry(
			rename.adapter,
			rename.input.operation,
			{ method: 'PUT', path: '/x' },
			send,
			retry,
			hooks,
		);
		// Sent at 200 s (pause over), refused again, waits until 300 s, the ceiling: fails without a third try.
		expect(calls.length).toBe(1);
		expect(time.now).toBe(300_000);
		expect(!first.ok && first.error.message).toMatch(
			/still rate limited after waiting 5 min.*last asked to wait 3 min 20 s/,
		);
		// A request that starts now does not even send…
		const { send: later, calls: laterCalls } = script([ok()]);
		const second = await sendWithRetry(
			rename.adapter,
			rename.input.operation,
			{ method: 'PUT', path: '/y' },
			later,
			retry,
			hooks,
		);
		expect(laterCalls.length).toBe(0);
		expect(!second.ok && second.error.message).toMatch(/still rate limited after waiting 5 min/);
		// …until something of this credential gets through (an answer other than 429).
		hooks.budget.through();
		const third = await sendWithRetry(
			rename.adapter,
			rename.input.operation,
			{ method: 'PUT', path: '/z' },
			later,
			retry,
			hooks,
		);
		expect(third.ok).toBe(true);
	});

	test('Options → Max Rate Limit Wait is validated at run time, naming the field and the value', () => {
		expect(parseNodeOptions({}).maxRateLimitWaitMs).toBe(300_000);
		expect(parseNodeOptions({ maxRateLimitWait: 45 }).maxRateLimitWaitMs).toBe(45_000);
		expect(parseNodeOptions({ maxRateLimitWait: '2.5' }).maxRateLimitWaitMs).toBe(2_500);
		for (const [value, shown] of [
			[0, 'number 0'],
			[-5, 'number -5'],
			[3601, 'number 3601'],
			['soon', '"soon"'],
		] as const) {
			expect(() => parseNodeOptions({ maxRateLimitWait: value })).toThrow(
				`Max Rate Limit Wait (Seconds) must be a number from 1 to 3600, got ${shown}`,
			);
			try {
				parseNodeOptions({ maxRateLimitWait: value });
			} catch (error) {
				expect(error).toBeInstanceOf(InputError);
				expect((error as InputError).field).toBe('maxRateLimitWait');
			}
		}
	});
});

describe('a success is a success', () => {
	const empty: HttpResponse = { statusCode: 200, headers: {}, body: '' };
	const refusal: HttpResponse = {
		statusCode: 200,
		headers: {},
		body: '{"success":false,"error":{"status":400,"code":1002,"message":"too few members"},"trace_id":"tr-9"}',
	};

	test.each([
		['chert', true],
		['linq', true],
		['periskope', false],
	] as const)(
		'%s create: an empty 200 is not "done"; retried only where the key makes it safe',
		async (provider, retried) => {
			const { answer, calls } = await attempt(provider, 'create', [empty, ok()]);
			expect({ ok: answer.ok, calls }).toEqual(
				retried ? { ok: true, calls: 2 } : { ok: false, calls: 1 },
			);
			if (!answer.ok)
				expect(answer.error.message).toMatch(/empty; the change may have been applied/);
		},
	);

	test.each(['chert', 'linq', 'periskope'] as const)(
		'%s create: a 200 without a chat ID is not a success',
		async (provider) => {
			const { answer } = await attempt(provider, 'create', [
				{ statusCode: 200, headers: {}, body: '{"ok":true}' },
			]);
			expect(answer.ok).toBe(false);
			if (!answer.ok) expect(answer.error.message).toMatch(/no chat ID/);
		},
	);

	test.each(['chert', 'linq', 'periskope'] as const)(
		'%s: a 200 saying success:false is a refusal, not retried',
		async (provider) => {
			const { answer, calls } = await attempt(provider, 'rename', [refusal, ok()]);
			expect(answer.ok).toBe(false);
			expect(calls).toBe(1);
		},
	);

	test('a 3xx is an error that names where it pointed, never a success', async () => {
		const { answer, calls } = await attempt('chert', 'create', [
			{
				statusCode: 302,
				headers: { location: 'https://elsewhere.example:8443/steal?x=1' },
				body: '',
				url: 'https://console.trychert.com/api/v1/chats',
			},
		]);
		expect(calls).toBe(1);
		expect(!answer.ok && answer.error.message).toMatch(
			/redirect \(HTTP 302\) to https:\/\/elsewhere\.example:8443; redirects are not followed/,
		);
	});

	test('an oversize 2xx is unreadable: the change may have been applied', async () => {
		const { answer, calls } = await attempt('periskope', 'leave', [
			{ statusCode: 200, headers: {}, body: '{"a":"', oversize: true },
		]);
		expect(calls).toBe(1);
		expect(!answer.ok && answer.error.message).toMatch(/larger than 1 MiB.*may have been applied/);
	});
});

describe('concurrency in lanes and one rate budget per credential', () => {
	const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

	// Unpaced, and paced as the node runs it (a turn of the event loop between starts, then spacing).
	const pacings = [
		['unpaced', undefined],
		['paced', { pause: async (ms: number) => void (await delay(ms)) }],
	] as const;

	test.each(pacings)(
		'%s: concurrency 1 is input order; more runs lanes side by side, each lane in order, never above the limit',
		async (_name, pacing) => {
			const keys = ['a', 'b', 'a', 'c', 'b', 'a', 'd', 'c'];
			for (const concurrency of [1, 3]) {
				const started: number[] = [];
				let running = 0;
				let peak = 0;
				const results = await runInLanes(
					keys.map((key, index) => ({
						key,
						run: async () => {
							started.push(index);
							running++;
							peak = Math.max(peak, running);
							await delay(5 + ((index * 7) % 11));
							running--;
							return index;
						},
					})),
					concurrency,
					() => Infinity,
					pacing,
				);
				expect(results.map((result) => result?.ok && result.value)).toEqual(
					keys.map((_key, index) => index),
				);
				if (concurrency === 1) expect(started).toEqual(keys.map((_key, index) => index));
				else expect(peak).toBe(3);
				for (const key of new Set(keys)) {
					const lane = keys.flatMap((other, index) => (other === key ? [index] : []));
					expect(started.filter((index) => keys[index] === key)).toEqual(lane);
				}
			}
		},
	);

	test.each(pacings)('%s: a failure can stop what has not started yet', async (_name, pacing) => {
		let stopAt = Infinity;
		const results = await runInLanes(
			[0, 1, 2, 3].map((index) => ({
				key: String(index),
				run: async () => {
					if (index === 1) {
						stopAt = 1;
						throw new Error('boom');
					}
					return index;
				},
			})),
			1,
			() => stopAt,
			pacing,
		);
		expect(results.map((result) => (result ? result.ok : 'skipped'))).toEqual([
			true,
			false,
			'skipped',
			'skipped',
		]);
	});

	/**
	 * Jobs whose end the test decides, and a pacing whose pauses end when the test says (or at
	 * once): a stop's outcome must not depend on which of them happen first.
	 */
	function harness(concurrency: number, paced: boolean) {
		let stopAt = Infinity;
		const pauses: Array<() => void> = [];
		const scheduler = new LaneScheduler<number>(
			concurrency,
			() => stopAt,
			paced
				? { pause: () => new Promise<void>((resolve) => pauses.push(resolve)), now: () => 0 }
				: undefined,
		);
		const started: number[] = [];
		const finish = new Map<number, (ok: boolean) => void>();
		const add = (index: number, key: string) =>
			scheduler.add(index, key, async () => {
				started.push(index);
				const ok = await new Promise<boolean>((resolve) => finish.set(index, resolve));
				if (!ok) throw new Error(`job ${index} failed`);
				return index;
			});
		const turn = async () => {
			for (let step = 0; step < 10; step++) await Promise.resolve();
		};
		/** Ends pauses and the given jobs until nothing moves any more. */
		const drain = async (ending: (index: number) => boolean | undefined) => {
			for (let round = 0; round < 200; round++) {
				await turn();
				const pause = pauses.shift();
				if (pause) {
					pause();
					continue;
				}
				const next = [...finish.keys()].find((index) => ending(index) !== undefined);
				if (next === undefined) return;
				const end = finish.get(next)!;
				finish.delete(next);
				end(ending(next)!);
			}
		};
		return {
			scheduler,
			started,
			finish,
			add,
			turn,
			drain,
			stop: (index: number) => (stopAt = Math.min(stopAt, index)),
			pauses,
		};
	}

	test.each([
		['unpaced', false],
		['paced', true],
	] as const)(
		'%s: a stop at item 5 (invalid, known before any answer): items 0–4 all start and complete, even those queued',
		async (_name, paced) => {
			for (const concurrency of [1, 2, 10]) {
				const run = harness(concurrency, paced);
				// Items 1 and 3 share item 0's chat: they wait behind it in its lane, after the stop is known.
				['a', 'a', 'b', 'a', 'c'].forEach((key, index) => run.add(index, key));
				run.stop(5); // item 5 was invalid: nothing after it is even read
				const done = run.scheduler.done();
				await run.drain(() => true);
				const results = await done;
				expect({
					concurrency,
					started: [...run.started].sort(),
					results: results.map((result) => result?.ok),
				}).toEqual({
					concurrency,
					started: [0, 1, 2, 3, 4],
					results: [true, true, true, true, true],
				});
			}
		},
	);

	test.each([
		['unpaced', false],
		['paced', true],
	] as const)(
		'%s: a failure at item 3: everything before it still starts (queued behind a lane or the pacing), nothing new after it',
		async (_name, paced) => {
			const run = harness(4, paced);
			// Item 1 waits behind item 0 (same chat); items 4–9 are other chats, read ahead.
			const keys = ['a', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
			keys.forEach((key, index) => run.add(index, key));
			const done = run.scheduler.done();
			// Let the first starts happen (paced: one per pause), then item 3 fails while 0 still runs.
			await run.drain((index) => (index === 2 ? true : undefined));
			const before = [...run.started];
			expect(before).toEqual(expect.arrayContaining([0, 2, 3]));
			run.stop(3);
			run.finish.get(3)!(false);
			run.finish.delete(3);
			// From here on: only what already started, and items before 3, may run.
			const startedWhenStopped = new Set([...run.started]);
			await run.drain(() => true);
			const results = await done;
			expect(run.started).toContain(1); // queued behind item 0 when item 3 failed: still started
			for (const index of run.started)
				expect(index < 3 || startedWhenStopped.has(index)).toBe(true);
			expect(results[3]).toEqual({ ok: false, error: new Error('job 3 failed') });
			for (let index = 4; index < keys.length; index++) {
				expect(results[index] === undefined).toBe(!startedWhenStopped.has(index));
			}
		},
	);

	test.each([
		['unpaced', false],
		['paced', true],
	] as const)(
		'%s: a later, lower failure moves the stop down: what is not started by then never starts',
		async (_name, paced) => {
			const run = harness(2, paced);
			['a', 'b', 'c', 'd', 'e', 'f'].forEach((key, index) => run.add(index, key));
			const done = run.scheduler.done();
			// Items 0 and 1 start (two slots); item 1 fails first: 2–5 may not start, 0 is already running.
			await run.drain(() => undefined);
			expect(run.started).toEqual([0, 1]);
			run.stop(1);
			run.finish.get(1)!(false);
			run.finish.delete(1);
			await run.drain(() => false); // item 0 fails too
			const results = await done;
			expect(run.started).toEqual([0, 1]);
			expect(results.map((result) => (result ? result.ok : 'not started'))).toEqual([
				false,
				false,
				'not started',
				'not started',
				'not started',
				'not started',
			]);
		},
	);

	test('paced: one start per pause, spaced by 0.8 × the fastest recent job / concurrency', async () => {
		let clock = 0;
		const pauses: Array<{ ms: number; end: () => void }> = [];
		const scheduler = new LaneScheduler<number>(4, () => Infinity, {
			pause: (ms) => new Promise<void>((resolve) => pauses.push({ ms, end: resolve })),
			now: () => clock,
		});
		const finishers: Array<() => void> = [];
		const starts: number[] = [];
		for (let index = 0; index < 12; index++) {
			scheduler.add(index, `chat-${index}`, async () => {
				starts.push(index);
				await new Promise<void>((resolve) => finishers.push(resolve));
				return index;
			});
		}
		const done = scheduler.done();
		const settle = async () => {
			for (let turn = 0; turn < 5; turn++) await Promise.resolve();
		};
		// Four slots free, but a second start waits for the pause after the first.
		await settle();
		expect(starts).toEqual([0]);
		expect(pauses.map((pause) => pause.ms)).toEqual([0]); // no durations yet: one turn only
		for (let index = 1; index < 4; index++) {
			pauses[index - 1].end();
			await settle();
			expect(starts).toEqual([0, 1, 2, 3].slice(0, index + 1));
		}
		// All four slots busy: the end of a pause starts nothing.
		pauses[3].end();
		await settle();
		expect(starts).toHaveLength(4);
		// Jobs that took 50, 60, 70 and 80 ms end; the next starts are spaced by 0.8 × 50 / 4 = 10 ms.
		for (const [slot, ms] of [50, 60, 70, 80].entries()) {
			clock = ms;
			finishers[slot]();
			await settle();
		}
		// Job 4 started when one duration was known (too few to judge): one turn only.
		expect(starts).toEqual([0, 1, 2, 3, 4]);
		expect(pauses.at(-1)?.ms).toBe(0);
		pauses.at(-1)!.end();
		await settle();
		expect(starts).toEqual([0, 1, 2, 3, 4, 5]);
		expect(pauses.at(-1)?.ms).toBeCloseTo((0.8 * 50) / 4, 5);
		while (starts.length < 12) {
			pauses.at(-1)!.end();
			await settle();
			finishers[starts.length - 1]?.();
			await settle();
		}
		for (let index = 0; index < finishers.length; index++) finishers[index]();
		for (const pause of pauses) pause.end();
		const results = await done;
		expect(results.map((result) => result?.ok && result.value)).toEqual([...Array(12).keys()]);
	});

	test('a 429 for one request pauses every request sharing the budget', async () => {
		const budget = new RateBudget();
		const sentAt: Array<[string, number]> = [];
		let limited = false;
		const send: HttpSend = async (request) => {
			sentAt.push([request.path, Date.now()]);
			if (request.path.includes('first') && !limited) {
				limited = true;
				return { statusCode: 429, headers: { 'retry-after': '1' }, body: '{}' };
			}
			return ok();
		};
		const { adapter } = prepare(PARAMS.linq.rename!);
		const input = prepare(PARAMS.linq.rename!).input;
		const started = Date.now();
		await Promise.all([
			sendWithRetry(
				adapter,
				input.operation,
				{ method: 'PUT', path: '/first' },
				send,
				DEFAULT_RETRY,
				{ budget, sleep: delay },
			),
			delay(100).then(() =>
				sendWithRetry(
					adapter,
					input.operation,
					{ method: 'PUT', path: '/second' },
					send,
					DEFAULT_RETRY,
					{ budget, sleep: delay },
				),
			),
		]);
		const second = sentAt.find(([path]) => path === '/second')![1];
		expect(second - started).toBeGreaterThanOrEqual(950);
		expect(sentAt.filter(([path]) => path === '/first')).toHaveLength(2);
	});

	test('Periskope X-RateLimit-Remaining: 0 paces everyone until X-RateLimit-Reset, before any 429', () => {
		const { adapter } = prepare(PARAMS.periskope.rename!);
		const now = 1_700_000_000_000;
		const answer = (remaining: string, reset: number) => ({
			status: 200,
			headers: { 'x-ratelimit-remaining': remaining, 'x-ratelimit-reset': String(reset) },
			text: '{}',
			json: {},
		});
		expect(adapter.paceMs?.(answer('0', 1_700_000_002), now)).toBe(2000);
		expect(adapter.paceMs?.(answer('3', 1_700_000_002), now)).toBeUndefined();
		expect(adapter.paceMs?.(answer('0', 1_699_999_000), now)).toBeUndefined();
	});
});
