/**
 * The retry-safety table of design.md, request by request: which failures are retried, for
 * which provider and operation, how long rate limits wait, and that attempts are bounded.
 */
import type { RawParameters } from '../../src/operations';
import { prepare } from '../../src/run';
import { DEFAULT_RETRY, NetworkError, classifyNetworkFailure, runPlan } from '../../src/transport';
import type { HttpResponse, HttpSend } from '../../src/transport';
import type { Operation, Provider } from '../../src/types';

const PARAMS: Record<Provider, Record<Operation, RawParameters>> = {
	chert: {
		create: { provider: 'chert', operation: 'create', sender: '+14155550100', participants: '+14155551234,+14155551235', firstMessage: 'hi', idempotencyKey: 'k' },
		addParticipants: { provider: 'chert', operation: 'addParticipants', chatId: 'ch_1', participants: '+14155551234' },
		removeParticipants: { provider: 'chert', operation: 'removeParticipants', chatId: 'ch_1', participants: '+14155551234' },
		rename: { provider: 'chert', operation: 'rename', chatId: 'ch_1', groupName: 'x' },
		leave: { provider: 'chert', operation: 'leave', chatId: 'ch_1' },
	},
	linq: {
		create: { provider: 'linq', operation: 'create', sender: '+14155550100', participants: '+14155551234,+14155551235', firstMessage: 'hi', idempotencyKey: 'k' },
		addParticipants: { provider: 'linq', operation: 'addParticipants', chatId: '550e8400-e29b-41d4-a716-446655440000', participants: '+14155551234' },
		removeParticipants: { provider: 'linq', operation: 'removeParticipants', chatId: '550e8400-e29b-41d4-a716-446655440000', participants: '+14155551234' },
		rename: { provider: 'linq', operation: 'rename', chatId: '550e8400-e29b-41d4-a716-446655440000', groupName: 'x' },
		leave: { provider: 'linq', operation: 'leave', chatId: '550e8400-e29b-41d4-a716-446655440000' },
	},
	periskope: {
		create: { provider: 'periskope', operation: 'create', groupName: 'g', participants: '+14155551234' },
		addParticipants: { provider: 'periskope', operation: 'addParticipants', chatId: '1203@g.us', participants: '+14155551234' },
		removeParticipants: { provider: 'periskope', operation: 'removeParticipants', chatId: '1203@g.us', participants: '+14155551234' },
		rename: { provider: 'periskope', operation: 'rename', chatId: '1203@g.us', groupName: 'x' },
		leave: { provider: 'periskope', operation: 'leave', chatId: '1203@g.us' },
	},
};

/** Whether a failure that may have reached the server is retried (design.md's table). */
const RETRIED_AFTER_AMBIGUITY: Record<Provider, Record<Operation, boolean>> = {
	chert: { create: true, addParticipants: true, removeParticipants: true, rename: true, leave: true },
	linq: { create: true, addParticipants: false, removeParticipants: false, rename: true, leave: false },
	periskope: { create: false, addParticipants: true, removeParticipants: true, rename: true, leave: false },
};

const ok = (): HttpResponse => ({ statusCode: 200, headers: {}, body: '{}' });

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

async function attempt(provider: Provider, operation: Operation, steps: Array<HttpResponse | NetworkError>) {
	const { adapter, input } = prepare(PARAMS[provider][operation]);
	const { send, calls } = script(steps);
	const waits: number[] = [];
	const [answer] = await runPlan(adapter, input, send, DEFAULT_RETRY, {
		sleep: async (ms) => void waits.push(ms),
		random: () => 0.5,
		now: () => 1_700_000_000_000,
	});
	return { answer, calls: calls.length, waits };
}

const serverError: HttpResponse = { statusCode: 503, headers: {}, body: '{"success":false,"error":{"status":503,"code":3002,"message":"unavailable","retryable":true}}' };

describe.each(Object.keys(PARAMS) as Provider[])('%s', (provider) => {
	describe.each(Object.keys(PARAMS[provider]) as Operation[])('%s', (operation) => {
		const retried = RETRIED_AFTER_AMBIGUITY[provider][operation];

		test('connection refused (never sent) is always retried', async () => {
			const { answer, calls } = await attempt(provider, operation, [new NetworkError('refused', 'ECONNREFUSED'), ok()]);
			expect(answer.ok).toBe(true);
			expect(calls).toBe(2);
		});

		test('429 waits and retries', async () => {
			const { answer, calls, waits } = await attempt(provider, operation, [
				{ statusCode: 429, headers: { 'retry-after': '2', 'x-ratelimit-reset': '1700000003' }, body: '{"retry_after":2}' },
				ok(),
			]);
			expect(answer.ok).toBe(true);
			expect(calls).toBe(2);
			expect(waits[0]).toBe(provider === 'periskope' ? 3000 : 2000);
		});

		test(`reset, timeout and 5xx are ${retried ? '' : 'not '}retried`, async () => {
			for (const failure of [new NetworkError('reset', 'ECONNRESET'), new NetworkError('timeout', 'ETIMEDOUT'), serverError]) {
				const { answer, calls } = await attempt(provider, operation, [failure, ok()]);
				expect({ ok: answer.ok, calls }).toEqual(retried ? { ok: true, calls: 2 } : { ok: false, calls: 1 });
				if (!retried && !answer.ok) expect(answer.error.message).toMatch(/not retried automatically/);
			}
		});

		test('attempts are bounded', async () => {
			const { answer, calls } = await attempt(provider, operation, [new NetworkError('refused', 'ECONNREFUSED')]);
			expect(answer.ok).toBe(false);
			expect(calls).toBe(DEFAULT_RETRY.maxAttempts);
		});
	});
});

test('a 4xx refusal is final and not retried', async () => {
	const { answer, calls } = await attempt('chert', 'addParticipants', [
		{ statusCode: 404, headers: {}, body: '{"success":false,"error":{"status":404,"code":2002,"message":"not found"},"trace_id":"t"}' },
		ok(),
	]);
	expect(answer.ok).toBe(false);
	expect(calls).toBe(1);
});

test('Chert: a retried remove answering "not in group" counts as removed; a first one does not', async () => {
	const notInGroup: HttpResponse = { statusCode: 400, headers: {}, body: '{"success":false,"error":{"status":400,"code":1001,"message":"not in group"},"trace_id":"t"}' };
	const retried = await attempt('chert', 'removeParticipants', [new NetworkError('reset', 'ECONNRESET'), notInGroup]);
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
	expect(classifyNetworkFailure({ code: 'ECONNABORTED', config: { headers: { Authorization: 'Bearer x' } } }).kind).toBe('timeout');
	const other = classifyNetworkFailure({ message: 'weird', headers: { Authorization: 'Bearer secret' } });
	expect(other.kind).toBe('other');
	expect(JSON.stringify(other) + other.message).not.toContain('secret');
});

test('codes are found in the messages of errors n8n has wrapped', () => {
	expect(classifyNetworkFailure({ message: 'x', cause: { message: 'connect ECONNREFUSED 127.0.0.1:9' } }).kind).toBe('refused');
	expect(classifyNetworkFailure({ message: 'timeout of 30000ms exceeded' }).kind).toBe('timeout');
});
