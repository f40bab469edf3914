import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { call, chert, chertSignature, linq, periskope, sleep } from './helpers';

const C = DEMO.groups.chert;
const L = DEMO.groups.linq;
const P = DEMO.groups.periskope;
const addPath = `/api/v1/chats/${C.five}/participants`;
const chertAdd = (sb: Sandbox) => chert(sb, 'POST', addPath, { address: '+14155550141' });

describe('sandbox: fault injection', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ linqApplyDelayMs: 20 });
	});
	afterAll(async () => {
		await sb.stop();
	});
	beforeEach(() => sb.reset());

	const roster = (id = C.five) => sb.getChat('chert', id)?.participants ?? [];

	describe('rate_limit', () => {
		it('Chert: 1007/429 with retry_after and Retry-After, not applied', async () => {
			sb.faults.inject({
				provider: 'chert',
				method: 'POST',
				path: addPath,
				kind: 'rate_limit',
				retryAfterSeconds: 3,
			});
			const res = await chertAdd(sb);
			expect(res.status).toBe(429);
			expect(res.json).toMatchObject({
				success: false,
				error: { status: 429, code: 1007, retryable: true },
				retry_after: 3,
			});
			expect(res.headers['retry-after']).toBe('3');
			expect(roster()).not.toContain('+14155550141');
			expect(sb.faults.pending()).toBe(0);
			expect((await chertAdd(sb)).status).toBe(200);
		});

		it('Linq: 429 envelope with Retry-After, not applied', async () => {
			sb.faults.inject({ provider: 'linq', kind: 'rate_limit', retryAfterSeconds: 2 });
			const res = await linq(sb, 'POST', `/v3/chats/${L.trio}/participants`, {
				handle: '+14155550155',
			});
			expect(res.status).toBe(429);
			expect(res.json).toMatchObject({ success: false, error: { status: 429 } });
			expect(res.headers['retry-after']).toBe('2');
			await sb.settle();
			expect(sb.getChat('linq', L.trio)?.participants).toHaveLength(3);
		});

		it('Periskope: 429 with X-RateLimit-Reset = now + retryAfter, not applied', async () => {
			const fixed = Date.UTC(2030, 0, 1, 12);
			const clocked = await startSandbox({ now: () => fixed });
			try {
				clocked.faults.inject({ provider: 'periskope', kind: 'rate_limit', retryAfterSeconds: 5 });
				const res = await periskope(clocked, 'POST', `/chats/${P.trio}/add`, {
					participants: ['14155550187'],
				});
				expect(res.status).toBe(429);
				expect(res.headers['x-ratelimit-remaining']).toBe('0');
				expect(res.headers['x-ratelimit-reset']).toBe(String(fixed / 1000 + 5));
				expect(clocked.getChat('periskope', P.trio)?.participants).toHaveLength(3);
			} finally {
				await clocked.stop();
			}
		});
	});

	describe('http_error', () => {
		it.each([
			[500, 3001],
			[502, 3004],
			[503, 3002],
		])('Chert %i → code %i, retryable, not applied', async (status, code) => {
			sb.faults.inject({ provider: 'chert', kind: 'http_error', status });
			const res = await chertAdd(sb);
			expect(res.status).toBe(status);
			expect(res.json.error).toMatchObject({ status, code, retryable: true });
			expect(roster()).not.toContain('+14155550141');
		});

		it('Linq 500 → 3006; Periskope 503 keeps its headers', async () => {
			sb.faults.inject({ provider: 'linq', kind: 'http_error' });
			const l = await linq(sb, 'GET', '/v3/phone_numbers');
			expect(l.json).toMatchObject({ success: false, error: { status: 500, code: 3006 } });
			sb.faults.inject({ provider: 'periskope', kind: 'http_error', status: 503 });
			const p = await periskope(sb, 'GET', '/chats');
			expect(p.status).toBe(503);
			expect(p.headers['x-ratelimit-limit']).toBeDefined();
			expect(p.headers['x-periskope-trace-id']).toBeDefined();
		});
	});

	describe('connection resets', () => {
		it('reset_before: the socket dies and nothing is applied', async () => {
			sb.faults.inject({ provider: 'chert', kind: 'reset_before' });
			await expect(chertAdd(sb)).rejects.toThrow();
			expect(roster()).not.toContain('+14155550141');
			expect(sb.requests.at(-1)?.status).toBe(0);
			expect((await chertAdd(sb)).status).toBe(200);
		});

		it('reset_after: the change is applied, then the socket dies without an answer', async () => {
			sb.faults.inject({ provider: 'chert', kind: 'reset_after' });
			await expect(chertAdd(sb)).rejects.toThrow();
			expect(roster()).toContain('+14155550141');
			expect(sb.requests.at(-1)?.status).toBe(0);
		});

		it('reset_after on a Linq call queues the change', async () => {
			sb.faults.inject({ provider: 'linq', kind: 'reset_after' });
			await expect(
				linq(sb, 'POST', `/v3/chats/${L.trio}/participants`, { handle: '+14155550155' }),
			).rejects.toThrow();
			await sb.settle();
			expect(sb.getChat('linq', L.trio)?.participants).toContain('+14155550155');
		});
	});

	describe('delay', () => {
		it('holds the request, then answers normally', async () => {
			sb.faults.inject({ provider: 'chert', kind: 'delay', delayMs: 150 });
			const started = Date.now();
			const res = await chertAdd(sb);
			expect(res.status).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		});

		it('applies the change after the delay even when the client gave up', async () => {
			sb.faults.inject({ provider: 'chert', kind: 'delay', delayMs: 800 });
			const body = JSON.stringify({ address: '+14155550142' });
			const gaveUp = call(`${sb.baseUrls.chert}${addPath}`, {
				method: 'POST',
				headers: {
					'x-chert-tenant': DEMO.chert.tenantSlug,
					'x-chert-signature': chertSignature(body, Math.floor(Date.now() / 1000)),
				},
				body,
				signal: AbortSignal.timeout(400),
			});
			await expect(gaveUp).rejects.toThrow();
			expect(roster()).not.toContain('+14155550142');
			// Polled rather than slept for: a loaded machine may take longer than the delay.
			for (let waited = 0; waited < 5000 && !roster().includes('+14155550142'); waited += 50)
				await sleep(50);
			expect(roster()).toContain('+14155550142');
			const record = sb.requests.at(-1);
			expect(record?.status).toBe(0);
		});
	});

	describe('broken answers', () => {
		it('html: 502 text/html, not applied', async () => {
			sb.faults.inject({ provider: 'chert', kind: 'html' });
			const res = await chertAdd(sb);
			expect(res.status).toBe(502);
			expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
			expect(res.text).toMatch(/<html>/);
			expect(roster()).not.toContain('+14155550141');
		});

		it('malformed_json: applied, 200 with a truncated JSON body', async () => {
			sb.faults.inject({ provider: 'chert', kind: 'malformed_json' });
			const res = await chertAdd(sb);
			expect(res.status).toBe(200);
			expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
			expect(res.json).toBeUndefined();
			expect(() => JSON.parse(res.text) as unknown).toThrow();
			expect(roster()).toContain('+14155550141');
		});

		it('malformed_json on an idempotent create: the retry replays the stored answer', async () => {
			const body = {
				from: DEMO.chert.senders[0],
				to: ['+14155550141', '+14155550142'],
				message: { parts: [{ type: 'text', value: 'hi' }], idempotency_key: 'mj-1' },
			};
			sb.faults.inject({
				provider: 'chert',
				path: '/api/v1/chats',
				method: 'POST',
				kind: 'malformed_json',
			});
			const broken = await chert(sb, 'POST', '/api/v1/chats', body);
			expect(broken.json).toBeUndefined();
			const retry = await chert(sb, 'POST', '/api/v1/chats', body);
			expect(retry.json.chat.id).toMatch(/^ch_/);
			expect(sb.listChats('chert')).toHaveLength(4);
		});
	});

	describe('partial_failure (Periskope add/remove)', () => {
		it('fails the listed participants with code 500 and applies the others', async () => {
			sb.faults.inject({ kind: 'partial_failure', failAddresses: ['14155550188'] });
			// Not consumed by requests it does not apply to.
			await chert(sb, 'GET', '/api/v1/chats');
			await periskope(sb, 'GET', '/chats');
			expect(sb.faults.pending()).toBe(1);
			const res = await periskope(sb, 'POST', `/chats/${P.trio}/add`, {
				participants: ['14155550187', '14155550188'],
			});
			expect(res.status).toBe(200);
			expect(res.json['14155550187@c.us']).toMatchObject({ is_success: true });
			expect(res.json['14155550188@c.us']).toMatchObject({ is_success: false, code: 500 });
			expect(sb.getChat('periskope', P.trio)?.participants).toEqual([
				DEMO.periskope.orgPhone,
				'14155550181',
				'14155550182',
				'14155550187',
			]);
			expect(sb.faults.pending()).toBe(0);
		});

		it('applies to remove too', async () => {
			sb.faults.inject({
				provider: 'periskope',
				kind: 'partial_failure',
				failAddresses: ['14155550183@c.us'],
			});
			const res = await periskope(sb, 'POST', `/chats/${P.five}/remove`, {
				participants: ['14155550183', '14155550184'],
			});
			expect(res.json['14155550183@c.us']).toMatchObject({ is_success: false, code: 500 });
			expect(res.json['14155550184@c.us']).toMatchObject({ is_success: true });
		});
	});

	describe('matching and consumption', () => {
		it('matches in injection order, by method and path (string or RegExp), and honours times', async () => {
			sb.faults.inject({
				provider: 'chert',
				method: 'GET',
				kind: 'http_error',
				status: 503,
				times: 2,
			});
			sb.faults.inject({
				provider: 'chert',
				path: /\/participants$/,
				kind: 'http_error',
				status: 502,
			});
			sb.faults.inject({ provider: 'chert', kind: 'http_error', status: 500 });
			expect(sb.faults.pending()).toBe(3);
			expect((await chertAdd(sb)).status).toBe(502);
			expect((await chert(sb, 'GET', '/api/v1/chats')).status).toBe(503);
			expect((await chert(sb, 'GET', '/api/v1/chats')).status).toBe(503);
			expect((await chert(sb, 'GET', '/api/v1/chats')).status).toBe(500);
			expect((await chert(sb, 'GET', '/api/v1/chats')).status).toBe(200);
			expect(sb.faults.pending()).toBe(0);
		});

		it('matches a string path against the raw or decoded form', async () => {
			const member = '+14155550121';
			sb.faults.inject({
				path: `/api/v1/chats/${C.five}/participants/${member}`,
				kind: 'http_error',
			});
			const res = await chert(
				sb,
				'DELETE',
				`/api/v1/chats/${C.five}/participants/${encodeURIComponent(member)}`,
			);
			expect(res.status).toBe(500);
			expect(roster()).toContain(member);
		});

		it('supports times: Infinity until clear()', async () => {
			sb.faults.inject({ provider: 'linq', kind: 'http_error', times: Infinity });
			for (let i = 0; i < 3; i++)
				expect((await linq(sb, 'GET', '/v3/phone_numbers')).status).toBe(500);
			expect(sb.faults.pending()).toBe(1);
			sb.faults.clear();
			expect((await linq(sb, 'GET', '/v3/phone_numbers')).status).toBe(200);
		});

		it('rejects unknown kinds and bad http_error statuses', () => {
			expect(() => sb.faults.inject({ kind: 'nope' as never })).toThrow();
			expect(() => sb.faults.inject({ kind: 'http_error', status: 404 })).toThrow();
		});
	});
});
