import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { chert, chertCreateBody, chertSignature, call } from './helpers';

const { trio, five, dm } = DEMO.groups.chert;
const SELF = DEMO.chert.senders[0];
/** Well-formed signing secrets that are not the tenant's. */
const WRONG_SECRET = '0'.repeat(32);
const OTHER_SECRET = 'f'.repeat(32);

describe('sandbox: Chert', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox();
	});
	afterAll(async () => {
		await sb.stop();
	});
	beforeEach(() => sb.reset());

	function expectChertError(
		res: {
			status: number;
			json: { success: boolean; error: Record<string, unknown>; trace_id: string };
		},
		status: number,
		code: number,
	): void {
		expect(res.status).toBe(status);
		expect(res.json.success).toBe(false);
		expect(res.json.error).toMatchObject({ status, code });
		expect(typeof res.json.error.message).toBe('string');
		expect(typeof res.json.error.retryable).toBe('boolean');
		expect(res.json.trace_id).toMatch(/^trc_/);
	}

	describe('authentication', () => {
		it('accepts a good HMAC signature', async () => {
			const res = await chert(sb, 'GET', '/api/v1/phone-numbers');
			expect(res.status).toBe(200);
			expect(res.json.phone_numbers.map((p: { phone_number: string }) => p.phone_number)).toEqual(
				DEMO.chert.senders,
			);
		});

		it('refuses a signature made with the wrong secret (2004)', async () => {
			const res = await chert(sb, 'GET', '/api/v1/phone-numbers', undefined, {
				secret: WRONG_SECRET,
			});
			expectChertError(res, 401, 2004);
		});

		it('refuses a timestamp more than 300 s away (2013), in both directions', async () => {
			const now = Math.floor(Date.now() / 1000);
			expectChertError(
				await chert(sb, 'GET', '/api/v1/chats', undefined, { ts: now - 301 }),
				401,
				2013,
			);
			expectChertError(
				await chert(sb, 'GET', '/api/v1/chats', undefined, { ts: now + 400 }),
				401,
				2013,
			);
			expect((await chert(sb, 'GET', '/api/v1/chats', undefined, { ts: now - 250 })).status).toBe(
				200,
			);
		});

		it('answers 2012 when nothing is supplied, and when the tenant header is missing', async () => {
			expectChertError(
				await chert(sb, 'GET', '/api/v1/chats', undefined, { auth: 'none' }),
				401,
				2012,
			);
			expectChertError(
				await chert(sb, 'GET', '/api/v1/chats', undefined, { tenant: null }),
				401,
				2012,
			);
		});

		it('refuses an unknown tenant (2004)', async () => {
			expectChertError(
				await chert(sb, 'GET', '/api/v1/chats', undefined, { tenant: 'nobody' }),
				401,
				2004,
			);
			expectChertError(
				await chert(sb, 'GET', '/api/v1/chats', undefined, { auth: 'bearer', tenant: 'nobody' }),
				401,
				2004,
			);
		});

		it('accepts bearer mode with or without the tenant header', async () => {
			expect((await chert(sb, 'GET', '/api/v1/chats', undefined, { auth: 'bearer' })).status).toBe(
				200,
			);
			expect(
				(await chert(sb, 'GET', '/api/v1/chats', undefined, { auth: 'bearer', tenant: null }))
					.status,
			).toBe(200);
			expectChertError(
				await chert(sb, 'GET', '/api/v1/chats', undefined, { auth: 'bearer', secret: 'wrong' }),
				401,
				2004,
			);
		});

		it('checks the signature first when both are sent', async () => {
			const bad = await chert(sb, 'GET', '/api/v1/chats', undefined, {
				secret: OTHER_SECRET,
				headers: { authorization: `Bearer ${DEMO.chert.signingSecret}` },
			});
			expectChertError(bad, 401, 2004);
			const good = await chert(sb, 'GET', '/api/v1/chats', undefined, {
				headers: { authorization: 'Bearer wrong' },
			});
			expect(good.status).toBe(200);
		});

		it('signs the raw received bytes: a re-serialized body fails', async () => {
			const ts = Math.floor(Date.now() / 1000);
			const sent = '{ "address" : "+14155550141" }';
			const signedOver = JSON.stringify(JSON.parse(sent));
			const res = await call(`${sb.baseUrls.chert}/api/v1/chats/${five}/participants`, {
				method: 'POST',
				headers: {
					'x-chert-tenant': DEMO.chert.tenantSlug,
					'x-chert-signature': chertSignature(signedOver, ts),
				},
				body: sent,
			});
			expectChertError(res, 401, 2004);
			const ok = await call(`${sb.baseUrls.chert}/api/v1/chats/${five}/participants`, {
				method: 'POST',
				headers: {
					'x-chert-tenant': DEMO.chert.tenantSlug,
					'x-chert-signature': chertSignature(sent, ts),
				},
				body: sent,
			});
			expect(ok.status).toBe(200);
		});

		it('signs bodiless requests over "<ts>." (DELETE)', async () => {
			const ts = Math.floor(Date.now() / 1000);
			const path = `/api/v1/chats/${five}/participants/${encodeURIComponent('+14155550121')}`;
			const res = await call(`${sb.baseUrls.chert}${path}`, {
				method: 'DELETE',
				headers: {
					'x-chert-tenant': DEMO.chert.tenantSlug,
					'x-chert-signature': chertSignature('', ts),
				},
			});
			expect(res.status).toBe(200);
		});

		it('uses the injected clock for the skew window', async () => {
			const fixed = Date.UTC(2030, 0, 1);
			const clocked = await startSandbox({ now: () => fixed });
			try {
				const ts = fixed / 1000;
				expect((await chert(clocked, 'GET', '/api/v1/chats', undefined, { ts })).status).toBe(200);
				expectChertError(
					await chert(clocked, 'GET', '/api/v1/chats', undefined, { ts: ts - 301 }),
					401,
					2013,
				);
				expectChertError(await chert(clocked, 'GET', '/api/v1/chats'), 401, 2013);
			} finally {
				await clocked.stop();
			}
		});

		it('requires content-type application/json on requests with a body (1004)', async () => {
			const res = await chert(sb, 'POST', '/api/v1/chats', chertCreateBody(), {
				headers: { 'content-type': 'text/plain' },
			});
			expectChertError(res, 400, 1004);
		});
	});

	describe('create', () => {
		it('creates a group of from + to (3 members) and answers the documented shape', async () => {
			const res = await chert(sb, 'POST', '/api/v1/chats', chertCreateBody());
			expect(res.status).toBe(200);
			const { chat, message } = res.json;
			expect(chat).toMatchObject({
				display_name: 'Launch follow-up',
				is_group: true,
				service: 'imessage',
			});
			expect(chat.id).toMatch(/^ch_/);
			expect(chat.handles).toEqual([
				{ service: 'imessage', address: '+14155550141' },
				{ service: 'imessage', address: '+14155550142' },
			]);
			expect(typeof chat.health_score).toBe('number');
			expect(message).toMatchObject({ chat_id: chat.id, status: 'sent', direction: 'outbound' });
			expect(message.parts).toEqual([{ type: 'text', value: 'Starting this group here.' }]);
			const state = sb.getChat('chert', chat.id);
			expect(state).toMatchObject({
				participants: [SELF, '+14155550141', '+14155550142'],
				self: SELF,
				selfIsMember: true,
			});
			const got = await chert(sb, 'GET', `/api/v1/chats/${chat.id}`);
			expect(got.json.chat.participants).toHaveLength(3);
		});

		it('refuses missing fields (1001), fewer than 2 recipients (1001) and more than 31 (1006/422)', async () => {
			expectChertError(
				await chert(sb, 'POST', '/api/v1/chats', chertCreateBody({ from: undefined })),
				400,
				1001,
			);
			expectChertError(
				await chert(sb, 'POST', '/api/v1/chats', chertCreateBody({ to: undefined })),
				400,
				1001,
			);
			expectChertError(
				await chert(sb, 'POST', '/api/v1/chats', chertCreateBody({ message: {} })),
				400,
				1001,
			);
			const one = await chert(
				sb,
				'POST',
				'/api/v1/chats',
				chertCreateBody({ to: ['+14155550141'] }),
			);
			expectChertError(one, 400, 1001);
			expect(one.json.error.message).toMatch(/2-31/);
			const many = Array.from({ length: 32 }, (_, i) => `+1415555${String(1000 + i)}`);
			expectChertError(
				await chert(sb, 'POST', '/api/v1/chats', chertCreateBody({ to: many })),
				422,
				1006,
			);
			expect(sb.listChats('chert')).toHaveLength(3);
		});

		it('refuses invalid phone numbers (1003) and a from that is not the tenant’s (2006/403)', async () => {
			expectChertError(
				await chert(
					sb,
					'POST',
					'/api/v1/chats',
					chertCreateBody({ to: ['4155550141', '+14155550142'] }),
				),
				400,
				1003,
			);
			expectChertError(
				await chert(sb, 'POST', '/api/v1/chats', chertCreateBody({ from: '+14155550199' })),
				403,
				2006,
			);
		});

		it('refuses media in the first message (4099/501) and URLs in text (1005)', async () => {
			const media = chertCreateBody({
				message: { parts: [{ type: 'media', url: 'https://x.test/a.png' }] },
			});
			expectChertError(await chert(sb, 'POST', '/api/v1/chats', media), 501, 4099);
			const link = chertCreateBody({
				message: { parts: [{ type: 'text', value: 'see https://example.com' }] },
			});
			expectChertError(await chert(sb, 'POST', '/api/v1/chats', link), 400, 1005);
		});

		it('replays an idempotent create and refuses a reused key with another body (409/1008)', async () => {
			const body = chertCreateBody({
				message: { parts: [{ type: 'text', value: 'hi' }], idempotency_key: 'k-1' },
			});
			const first = await chert(sb, 'POST', '/api/v1/chats', body);
			const second = await chert(sb, 'POST', '/api/v1/chats', body);
			expect(second.status).toBe(200);
			expect(second.json.chat.id).toBe(first.json.chat.id);
			expect(second.text).toBe(first.text);
			expect(sb.listChats('chert')).toHaveLength(4);
			const other = { ...body, to: ['+14155550143', '+14155550144'] };
			expectChertError(await chert(sb, 'POST', '/api/v1/chats', other), 409, 1008);
			expect(sb.listChats('chert')).toHaveLength(4);
		});
	});

	describe('add', () => {
		it('adds an address (and the handle alias) and returns the roster', async () => {
			const res = await chert(sb, 'POST', `/api/v1/chats/${trio}/participants`, {
				address: '+14155550141',
			});
			expect(res.status).toBe(200);
			expect(res.json).toEqual({
				chat_id: trio,
				added: '+14155550141',
				participants: [SELF, '+14155550111', '+14155550112', '+14155550141'],
			});
			const alias = await chert(sb, 'POST', `/api/v1/chats/${trio}/participants`, {
				handle: '+14155550142',
			});
			expect(alias.json.participants).toHaveLength(5);
		});

		it('treats an existing member as a no-op', async () => {
			const res = await chert(sb, 'POST', `/api/v1/chats/${trio}/participants`, {
				address: '+14155550111',
			});
			expect(res.status).toBe(200);
			expect(res.json.participants).toHaveLength(3);
		});

		it('refuses a missing address (1001), unknown chat (2002/404) and a DM (1006)', async () => {
			expectChertError(
				await chert(sb, 'POST', `/api/v1/chats/${trio}/participants`, {}),
				400,
				1001,
			);
			expectChertError(
				await chert(sb, 'POST', '/api/v1/chats/ch_nope/participants', { address: '+14155550141' }),
				404,
				2002,
			);
			expectChertError(
				await chert(sb, 'POST', `/api/v1/chats/${dm}/participants`, { address: '+14155550141' }),
				400,
				1006,
			);
		});
	});

	describe('remove', () => {
		it('removes a URL-encoded address from the path', async () => {
			const res = await chert(
				sb,
				'DELETE',
				`/api/v1/chats/${five}/participants/${encodeURIComponent('+14155550121')}`,
			);
			expect(res.status).toBe(200);
			expect(res.json).toMatchObject({ chat_id: five, removed: '+14155550121' });
			expect(res.json.participants).toHaveLength(4);
			expect(sb.getChat('chert', five)?.participants).not.toContain('+14155550121');
		});

		it('answers 1001 "not in group" for a non-member (also on a second remove)', async () => {
			const path = `/api/v1/chats/${five}/participants/${encodeURIComponent('+14155550121')}`;
			await chert(sb, 'DELETE', path);
			const again = await chert(sb, 'DELETE', path);
			expectChertError(again, 400, 1001);
			expect(again.json.error.message).toMatch(/not in group/);
		});

		it('refuses to shrink a group below 3 (1002)', async () => {
			const res = await chert(
				sb,
				'DELETE',
				`/api/v1/chats/${trio}/participants/${encodeURIComponent('+14155550111')}`,
			);
			expectChertError(res, 400, 1002);
			expect(sb.getChat('chert', trio)?.participants).toHaveLength(3);
		});
	});

	describe('rename', () => {
		it('renames (trimmed) and sets an https icon', async () => {
			const res = await chert(sb, 'PUT', `/api/v1/chats/${trio}`, {
				display_name: '  Deal room  ',
				group_chat_icon: 'https://img.test/icon.png',
			});
			expect(res.status).toBe(200);
			expect(res.json).toEqual({
				chat: {
					id: trio,
					display_name: 'Deal room',
					group_chat_icon: 'https://img.test/icon.png',
					is_group: true,
				},
			});
			expect(sb.getChat('chert', trio)).toMatchObject({
				name: 'Deal room',
				iconUrl: 'https://img.test/icon.png',
			});
		});

		it('refuses an empty name, a non-https icon, invalid JSON and DMs', async () => {
			expectChertError(
				await chert(sb, 'PUT', `/api/v1/chats/${trio}`, { display_name: '   ' }),
				400,
				1001,
			);
			expectChertError(
				await chert(sb, 'PUT', `/api/v1/chats/${trio}`, {
					group_chat_icon: 'http://img.test/i.png',
				}),
				400,
				1001,
			);
			expectChertError(
				await chert(sb, 'PUT', `/api/v1/chats/${trio}`, '{"display_name":'),
				400,
				1004,
			);
			expectChertError(
				await chert(sb, 'PUT', `/api/v1/chats/${dm}`, { display_name: 'x' }),
				400,
				1006,
			);
			expectChertError(
				await chert(sb, 'PUT', '/api/v1/chats/ch_nope', { display_name: 'x' }),
				404,
				2002,
			);
		});
	});

	describe('leave', () => {
		it('needs 4+ members (1002 on a trio)', async () => {
			expectChertError(await chert(sb, 'POST', `/api/v1/chats/${trio}/leave`), 400, 1002);
		});

		it('leaves a group of 5; later leave and group calls answer 1006', async () => {
			const res = await chert(sb, 'POST', `/api/v1/chats/${five}/leave`);
			expect(res.status).toBe(200);
			expect(res.json).toEqual({ chat_id: five, status: 'left' });
			const state = sb.getChat('chert', five);
			expect(state?.selfIsMember).toBe(false);
			expect(state?.participants).toHaveLength(4);
			expect(state?.participants).not.toContain(SELF);
			expectChertError(await chert(sb, 'POST', `/api/v1/chats/${five}/leave`), 400, 1006);
			expectChertError(
				await chert(sb, 'POST', `/api/v1/chats/${five}/participants`, { address: '+14155550141' }),
				400,
				1006,
			);
			expectChertError(
				await chert(sb, 'PUT', `/api/v1/chats/${five}`, { display_name: 'x' }),
				400,
				1006,
			);
		});
	});

	describe('reads and unknown routes', () => {
		it('gets one chat and lists chats', async () => {
			const one = await chert(sb, 'GET', `/api/v1/chats/${trio}`);
			expect(one.json.chat).toMatchObject({ id: trio, is_group: true, display_name: 'Demo trio' });
			const list = await chert(sb, 'GET', '/api/v1/chats');
			expect(list.json.chats.map((c: { id: string }) => c.id)).toEqual([trio, five, dm]);
			expectChertError(await chert(sb, 'GET', '/api/v1/chats/ch_nope'), 404, 2002);
		});

		it('answers unknown routes with 404 in the Chert envelope', async () => {
			const res = await chert(sb, 'GET', '/api/v2/whatever');
			expect(res.status).toBe(404);
			expect(res.json.success).toBe(false);
			expect(res.json.error.status).toBe(404);
		});
	});
});
