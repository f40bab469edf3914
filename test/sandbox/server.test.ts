import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { call, chert, linq, periskope, waitFor } from './helpers';

describe('sandbox: server, recording, rate limits, lifecycle', () => {
	describe('with the default options', () => {
		let sb: Sandbox;
		beforeAll(async () => {
			sb = await startSandbox();
		});
		afterAll(async () => {
			await sb.stop();
		});
		beforeEach(() => sb.reset());

		it('listens on loopback with one base URL per provider', () => {
			expect(sb.url).toBe(`http://127.0.0.1:${sb.port}`);
			expect(sb.baseUrls).toEqual({
				chert: `${sb.url}/chert`,
				linq: `${sb.url}/linq/api/partner`,
				periskope: `${sb.url}/periskope/v1`,
			});
		});

		it('records every request in order with raw url, provider-relative path, query, headers, body and status', async () => {
			const address = encodeURIComponent('+14155550121');
			await chert(sb, 'DELETE', `/api/v1/chats/${DEMO.groups.chert.five}/participants/${address}`);
			await linq(sb, 'GET', `/v3/chats?from=${encodeURIComponent(DEMO.linq.senders[0])}`);
			await periskope(sb, 'POST', `/chats/${DEMO.groups.periskope.trio}/add`, {
				participants: ['14155550187'],
			});
			await call(`${sb.url}/elsewhere`);
			expect(sb.requests).toHaveLength(4);
			const [c, l, p, u] = sb.requests;
			expect(c).toMatchObject({
				provider: 'chert',
				method: 'DELETE',
				url: `/chert/api/v1/chats/${DEMO.groups.chert.five}/participants/%2B14155550121`,
				path: `/api/v1/chats/${DEMO.groups.chert.five}/participants/%2B14155550121`,
				query: '',
				bodyText: '',
				status: 200,
			});
			expect(c.headers['x-chert-tenant']).toBe(DEMO.chert.tenantSlug);
			expect(c.rawBody.length).toBe(0);
			expect(l).toMatchObject({
				provider: 'linq',
				path: '/v3/chats',
				query: 'from=%2B14155550150',
				status: 200,
			});
			expect(p).toMatchObject({ provider: 'periskope', method: 'POST', status: 200 });
			expect(JSON.parse(p.bodyText)).toEqual({ participants: ['14155550187'] });
			expect(p.rawBody.equals(Buffer.from(p.bodyText))).toBe(true);
			expect(u).toMatchObject({ provider: 'unknown', path: '/elsewhere', status: 404 });
			expect(c.at).toBeLessThanOrEqual(u.at);
		});

		it('reset() restores the seed and clears requests and faults', async () => {
			await chert(sb, 'POST', `/api/v1/chats/${DEMO.groups.chert.trio}/participants`, {
				address: '+14155550141',
			});
			sb.faults.inject({ kind: 'http_error' });
			sb.reset();
			expect(sb.requests).toHaveLength(0);
			expect(sb.faults.pending()).toBe(0);
			expect(sb.getChat('chert', DEMO.groups.chert.trio)?.participants).toHaveLength(3);
			expect(sb.listChats('chert')).toHaveLength(3);
			expect(sb.listChats('linq')).toHaveLength(4);
			expect(sb.listChats('periskope')).toHaveLength(2);
			expect(sb.getChat('chert', 'nope')).toBeUndefined();
		});

		it('does not rate limit Chert by default', async () => {
			for (let i = 0; i < 15; i++)
				expect((await chert(sb, 'GET', '/api/v1/chats')).status).toBe(200);
		});
	});

	describe('rate limits', () => {
		let clock = Date.UTC(2030, 0, 1, 9);
		let sb: Sandbox;
		beforeAll(async () => {
			sb = await startSandbox({
				now: () => clock,
				rateLimits: {
					chert: { limit: 2, windowSeconds: 10 },
					periskope: { limit: 2, windowSeconds: 60 },
				},
			});
		});
		afterAll(async () => {
			await sb.stop();
		});

		it('Chert: N per window, then 1007/429 with retry_after + Retry-After; a new window admits again', async () => {
			const ts = () => Math.floor(clock / 1000);
			expect((await chert(sb, 'GET', '/api/v1/chats', undefined, { ts: ts() })).status).toBe(200);
			expect((await chert(sb, 'GET', '/api/v1/chats', undefined, { ts: ts() })).status).toBe(200);
			clock += 4000;
			const limited = await chert(sb, 'GET', '/api/v1/chats', undefined, { ts: ts() });
			expect(limited.status).toBe(429);
			expect(limited.json).toMatchObject({
				error: { code: 1007, status: 429, retryable: true },
				retry_after: 6,
			});
			expect(limited.headers['retry-after']).toBe('6');
			clock += 6000;
			expect((await chert(sb, 'GET', '/api/v1/chats', undefined, { ts: ts() })).status).toBe(200);
		});

		it('Periskope: N per window, then 429 with the X-RateLimit-* headers', async () => {
			const a = await periskope(sb, 'GET', '/chats');
			const b = await periskope(sb, 'GET', '/chats');
			const c = await periskope(sb, 'POST', `/chats/${DEMO.groups.periskope.trio}/add`, {
				participants: ['14155550187'],
			});
			expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
			expect(a.headers['x-ratelimit-limit']).toBe('2');
			expect(a.headers['x-ratelimit-remaining']).toBe('1');
			expect(b.headers['x-ratelimit-remaining']).toBe('0');
			expect(c.headers['x-ratelimit-remaining']).toBe('0');
			expect(Number(c.headers['x-ratelimit-reset'])).toBe(Math.ceil(clock / 1000) + 60);
			expect(c.json).toMatchObject({ code: 'rate_limited', status: 429 });
			expect(sb.getChat('periskope', DEMO.groups.periskope.trio)?.participants).toHaveLength(3);
			clock += 61_000;
			expect((await periskope(sb, 'GET', '/chats')).status).toBe(200);
		});
	});

	describe('options and lifecycle', () => {
		it('seed: false starts empty but keeps the DEMO credentials', async () => {
			const sb = await startSandbox({ seed: false });
			try {
				expect(sb.listChats('chert')).toEqual([]);
				expect(sb.listChats('linq')).toEqual([]);
				expect(sb.listChats('periskope')).toEqual([]);
				expect((await chert(sb, 'GET', '/api/v1/phone-numbers')).status).toBe(200);
				const created = await periskope(sb, 'POST', '/chats/create', {
					group_name: 'g',
					participants: ['14155550187'],
				});
				// No seeded contacts: the number is invited.
				expect(sb.getChat('periskope', created.json.chat_id)?.invited).toEqual(['14155550187']);
			} finally {
				await sb.stop();
			}
		});

		it('stop() drops queued Linq changes and held requests, and is idempotent', async () => {
			const sb = await startSandbox({ linqApplyDelayMs: 10_000 });
			await linq(sb, 'POST', `/v3/chats/${DEMO.groups.linq.trio}/participants`, {
				handle: '+14155550155',
			});
			const settled = sb.settle();
			sb.faults.inject({ kind: 'delay', delayMs: 10_000 });
			const held = call(`${sb.baseUrls.linq}/v3/phone_numbers`, {
				headers: { authorization: `Bearer ${DEMO.linq.token}` },
			}).catch((error: unknown) => error);
			await waitFor(() => sb.requests.length === 2);
			await sb.stop();
			await sb.stop();
			await expect(settled).resolves.toBeUndefined();
			expect(await held).toBeInstanceOf(Error);
		});

		it('generates deterministic ids: the same calls give the same ids after reset()', async () => {
			const sb = await startSandbox();
			try {
				const body = {
					from: DEMO.linq.senders[0],
					to: ['+14155550155', '+14155550156'],
					message: { parts: [{ type: 'text', value: 'x' }] },
				};
				const first = await linq(sb, 'POST', '/v3/chats', body);
				sb.reset();
				const second = await linq(sb, 'POST', '/v3/chats', body);
				expect(second.json.chat.id).toBe(first.json.chat.id);
			} finally {
				await sb.stop();
			}
		});
	});
});
