/**
 * Chat lists with hundreds of groups, over real HTTP, in the SDKs' terms: Linq `GET /v3/chats`
 * (`limit` default 20, max 100; `cursor` = the previous `next_cursor`; `next_cursor` null on the
 * last page) and Periskope `GET /chats` (`offset`, `limit` default 1000, above 2000 a 422
 * VALIDATION_ERROR; `chat_type`; `{chats, count, from, to}`).
 */
import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { linq, linqCreateBody, periskope, type Json } from './helpers';

const GROUPS = 250;

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ linqApplyDelayMs: 5 });
	// Hundreds of groups on each, created through the providers' own create routes.
	for (let n = 0; n < GROUPS; n++) {
		const to = [`+1415556${String(n).padStart(4, '0')}`, `+1415557${String(n).padStart(4, '0')}`];
		expect((await linq(sb, 'POST', '/v3/chats', linqCreateBody({ to }))).status).toBe(200);
		expect(
			(
				await periskope(sb, 'POST', '/chats/create', {
					group_name: `Cohort ${n}`,
					participants: ['14155550181'],
				})
			).status,
		).toBe(200);
	}
}, 60_000);
afterAll(async () => sb.stop());

describe('Linq GET /v3/chats', () => {
	test('pages of `limit` follow next_cursor to a null on the last page: every chat exactly once', async () => {
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const query: string = `limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
			const res = await linq(sb, 'GET', `/v3/chats?${query}`);
			expect(res.status).toBe(200);
			expect(Object.keys(res.json).sort()).toEqual(['chats', 'next_cursor']);
			expect(res.json.chats.length).toBeLessThanOrEqual(100);
			seen.push(...res.json.chats.map((chat: Json) => chat.id));
			cursor = res.json.next_cursor;
			pages++;
		} while (cursor !== null && pages < 20);
		const all = sb.listChats('linq').map((chat) => chat.id);
		expect(all).toHaveLength(GROUPS + 4);
		expect(pages).toBe(Math.ceil(all.length / 100));
		expect(seen).toEqual(all);
	});

	test('limit defaults to 20 and is capped at 100; from filters by line', async () => {
		const first = await linq(sb, 'GET', '/v3/chats');
		expect(first.json.chats).toHaveLength(20);
		expect(first.json.next_cursor).toBe('20');
		expect((await linq(sb, 'GET', '/v3/chats?limit=500')).json.chats).toHaveLength(100);
		const other = await linq(
			sb,
			'GET',
			`/v3/chats?from=${encodeURIComponent(DEMO.linq.senders[1])}`,
		);
		expect(other.json).toEqual({ chats: [], next_cursor: null });
	});
});

describe('Periskope GET /chats', () => {
	test('offset/limit pages: {chats, count, from, to}; every group exactly once', async () => {
		const seen: string[] = [];
		let offset = 0;
		for (;;) {
			const res = await periskope(sb, 'GET', `/chats?offset=${offset}&limit=100&chat_type=group`);
			expect(res.status).toBe(200);
			expect(Object.keys(res.json).sort()).toEqual(['chats', 'count', 'from', 'to']);
			expect(res.json).toMatchObject({
				count: GROUPS + 2,
				from: offset,
				to: offset + res.json.chats.length,
			});
			seen.push(...res.json.chats.map((chat: Json) => chat.chat_id));
			if (res.json.to >= res.json.count || res.json.chats.length === 0) break;
			offset = res.json.to;
		}
		expect(seen).toEqual(sb.listChats('periskope').map((chat) => chat.id));
		expect(new Set(seen).size).toBe(GROUPS + 2);
	});

	test('limit defaults to 1000 and takes 2000; above 2000 is the SDK’s 422 VALIDATION_ERROR', async () => {
		const all = await periskope(sb, 'GET', '/chats');
		expect(all.json).toMatchObject({ count: GROUPS + 2, from: 0, to: GROUPS + 2 });
		expect((await periskope(sb, 'GET', '/chats?limit=2000')).status).toBe(200);
		const tooMany = await periskope(sb, 'GET', '/chats?limit=10000');
		expect(tooMany.status).toBe(422);
		expect(tooMany.json).toEqual({
			code: 'VALIDATION_ERROR',
			fields: { limit: { message: 'Limit should be less than 2000', value: '10000' } },
			message: 'Limit should be less than 2000',
			name: 'Validation Error',
			status: 422,
		});
		expect(tooMany.headers['x-ratelimit-limit']).toBeDefined();
		const past = await periskope(sb, 'GET', `/chats?offset=${GROUPS + 2}&limit=100`);
		expect(past.json).toMatchObject({
			chats: [],
			count: GROUPS + 2,
			from: GROUPS + 2,
			to: GROUPS + 2,
		});
	});
});
