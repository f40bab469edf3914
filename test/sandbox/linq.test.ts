import { DEMO, LINQ_CODES, linqCapabilities, startSandbox, type Sandbox } from '../../src/sandbox';
import { linq, linqCreateBody, type Res } from './helpers';

const { trio, five, sms, dm } = DEMO.groups.linq;
const SELF = DEMO.linq.senders[0];

function expectLinqError(res: Res, status: number, code: number): void {
	expect(res.status).toBe(status);
	expect(res.json).toMatchObject({ success: false, error: { status, code } });
	expect(typeof res.json.error.message).toBe('string');
	expect(typeof res.json.trace_id).toBe('string');
}

describe('sandbox: Linq', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ linqApplyDelayMs: 30 });
	});
	afterAll(async () => {
		await sb.stop();
	});
	beforeEach(() => sb.reset());

	it('requires a bearer token (401 / 2004)', async () => {
		const none = await linq(sb, 'GET', '/v3/phone_numbers', undefined, '');
		expectLinqError(none, 401, 2004);
		expect(none.json.error.message).toBe('Unauthorized - missing or invalid authentication token');
		expectLinqError(await linq(sb, 'GET', '/v3/phone_numbers', undefined, 'wrong'), 401, 2004);
	});

	it('lists the partner’s phone numbers', async () => {
		const res = await linq(sb, 'GET', '/v3/phone_numbers');
		expect(res.status).toBe(200);
		expect(res.json.phone_numbers.map((p: { phone_number: string }) => p.phone_number)).toEqual(
			DEMO.linq.senders,
		);
		expect(res.json.phone_numbers[0].id).toMatch(/^[0-9a-f-]{36}$/);
	});

	describe('create', () => {
		it('creates a group chat object with handles incl. is_me', async () => {
			const res = await linq(sb, 'POST', '/v3/chats', linqCreateBody());
			expect(res.status).toBe(200);
			const { chat } = res.json;
			expect(chat.id).toMatch(
				/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
			);
			expect(chat).toMatchObject({
				is_group: true,
				service: 'iMessage',
				health_status: { status: 'HEALTHY' },
			});
			expect(chat.handles).toHaveLength(3);
			expect(chat.handles[0]).toMatchObject({
				handle: SELF,
				is_me: true,
				status: 'active',
				service: 'iMessage',
			});
			expect(chat.handles[1]).toMatchObject({ handle: '+14155550155', is_me: false });
			expect(chat.message.parts).toEqual([{ type: 'text', value: 'Hello group' }]);
			expect(sb.getChat('linq', chat.id)?.participants).toEqual([
				SELF,
				'+14155550155',
				'+14155550156',
			]);
		});

		it('gives a chat with an SMS-only number the SMS service', async () => {
			expect(linqCapabilities('+14155559999')).toEqual(['SMS']);
			const res = await linq(
				sb,
				'POST',
				'/v3/chats',
				linqCreateBody({ to: ['+14155550155', '+14155559999'] }),
			);
			expect(res.json.chat.service).toBe('SMS');
		});

		it('refuses bad E.164 (1002), a foreign from (2003/403), missing fields (1001) and links (1005)', async () => {
			const bad = await linq(sb, 'POST', '/v3/chats', linqCreateBody({ to: ['(415) 555-0155'] }));
			expectLinqError(bad, 400, 1002);
			expect(bad.json.error.message).toBe('Phone number must be in E.164 format');
			expectLinqError(
				await linq(sb, 'POST', '/v3/chats', linqCreateBody({ from: '+14155550199' })),
				403,
				LINQ_CODES.senderNotOwned,
			);
			expectLinqError(await linq(sb, 'POST', '/v3/chats', linqCreateBody({ to: [] })), 400, 1001);
			const link = linqCreateBody({
				message: { parts: [{ type: 'text', value: 'go to www.example.com' }] },
			});
			expectLinqError(
				await linq(sb, 'POST', '/v3/chats', link),
				400,
				LINQ_CODES.linkInFirstMessage,
			);
		});

		it('replays an idempotent create; another body with the key is 409', async () => {
			const body = linqCreateBody({
				message: { parts: [{ type: 'text', value: 'hi' }], idempotency_key: 'abc' },
			});
			const first = await linq(sb, 'POST', '/v3/chats', body);
			const again = await linq(sb, 'POST', '/v3/chats', body);
			expect(again.json.chat.id).toBe(first.json.chat.id);
			expect(sb.listChats('linq')).toHaveLength(5);
			const other = { ...body, to: ['+14155550157', '+14155550158'] };
			expectLinqError(
				await linq(sb, 'POST', '/v3/chats', other),
				409,
				LINQ_CODES.idempotencyConflict,
			);
			expect(sb.listChats('linq')).toHaveLength(5);
		});
	});

	describe('asynchronous group changes', () => {
		it('queues an add, applies it later, shows it on GET /v3/chats/{id}', async () => {
			const res = await linq(sb, 'POST', `/v3/chats/${trio}/participants`, {
				handle: '+14155550155',
			});
			expect(res.status).toBe(200);
			expect(res.json).toMatchObject({
				message: 'Participant addition queued',
				status: 'accepted',
			});
			expect(typeof res.json.trace_id).toBe('string');
			expect(sb.getChat('linq', trio)?.participants).toHaveLength(3);
			await sb.settle();
			expect(sb.getChat('linq', trio)?.participants).toContain('+14155550155');
			const got = await linq(sb, 'GET', `/v3/chats/${trio}`);
			expect(
				got.json.handles.find((h: { handle: string }) => h.handle === '+14155550155'),
			).toMatchObject({ status: 'active' });
		});

		it('validates adds synchronously', async () => {
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${trio}/participants`, { handle: '+14155559999' }),
				400,
				LINQ_CODES.crossService,
			);
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${trio}/participants`, { handle: '+14155558888' }),
				400,
				LINQ_CODES.crossService,
			);
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${dm}/participants`, { handle: '+14155550155' }),
				400,
				LINQ_CODES.notAGroup,
			);
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${trio}/participants`, { handle: '+14155550161' }),
				409,
				LINQ_CODES.alreadyParticipant,
			);
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${trio}/participants`, { handle: '4155550155' }),
				400,
				1002,
			);
			expectLinqError(await linq(sb, 'POST', `/v3/chats/${trio}/participants`, {}), 400, 1001);
			expectLinqError(
				await linq(sb, 'POST', '/v3/chats/00000000-0000-4000-8000-000000000000/participants', {
					handle: '+14155550155',
				}),
				404,
				2001,
			);
			// An SMS group takes any number that can do SMS.
			expect(
				(await linq(sb, 'POST', `/v3/chats/${sms}/participants`, { handle: '+14155550155' }))
					.status,
			).toBe(200);
			await sb.settle();
		});

		it('queues a removal (DELETE with a JSON body) and keeps 3+', async () => {
			const res = await linq(sb, 'DELETE', `/v3/chats/${five}/participants`, {
				handle: '+14155550163',
			});
			expect(res.json).toMatchObject({ message: 'Participant removal queued', status: 'accepted' });
			await sb.settle();
			const got = await linq(sb, 'GET', `/v3/chats/${five}`);
			expect(
				got.json.handles.find((h: { handle: string }) => h.handle === '+14155550163'),
			).toMatchObject({ status: 'removed' });
			expect(sb.getChat('linq', five)?.participants).toHaveLength(4);
			expectLinqError(
				await linq(sb, 'DELETE', `/v3/chats/${trio}/participants`, { handle: '+14155550161' }),
				400,
				LINQ_CODES.belowThree,
			);
			expectLinqError(
				await linq(sb, 'DELETE', `/v3/chats/${five}/participants`, { handle: '+14155550163' }),
				400,
				LINQ_CODES.notAParticipant,
			);
		});

		it('queues a rename', async () => {
			const res = await linq(sb, 'PUT', `/v3/chats/${trio}`, {
				display_name: ' Renamed ',
				group_chat_icon: 'https://img.test/a.png',
			});
			expect(res.json).toEqual({ chat_id: trio, status: 'accepted' });
			expect(sb.getChat('linq', trio)?.name).toBe('Demo trio');
			await sb.settle();
			expect(sb.getChat('linq', trio)).toMatchObject({
				name: 'Renamed',
				iconUrl: 'https://img.test/a.png',
			});
			expect((await linq(sb, 'GET', `/v3/chats/${trio}`)).json.display_name).toBe('Renamed');
			expectLinqError(await linq(sb, 'PUT', `/v3/chats/${trio}`, { display_name: '' }), 400, 1001);
		});

		it('leave: iMessage groups with 4+ active only; afterwards other calls answer 409', async () => {
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${trio}/leave`),
				400,
				LINQ_CODES.leaveNotAllowed,
			);
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${sms}/leave`),
				400,
				LINQ_CODES.leaveNotAllowed,
			);
			const res = await linq(sb, 'POST', `/v3/chats/${five}/leave`);
			expect(res.json).toMatchObject({ message: 'Leave group chat queued', status: 'accepted' });
			expectLinqError(
				await linq(sb, 'POST', `/v3/chats/${five}/participants`, { handle: '+14155550155' }),
				409,
				LINQ_CODES.leftChat,
			);
			expectLinqError(
				await linq(sb, 'PUT', `/v3/chats/${five}`, { display_name: 'x' }),
				409,
				LINQ_CODES.leftChat,
			);
			expectLinqError(await linq(sb, 'POST', `/v3/chats/${five}/leave`), 409, LINQ_CODES.leftChat);
			await sb.settle();
			const state = sb.getChat('linq', five);
			expect(state?.selfIsMember).toBe(false);
			expect(state?.participants).not.toContain(SELF);
			const got = await linq(sb, 'GET', `/v3/chats/${five}`);
			expect(got.json.handles.find((h: { is_me: boolean }) => h.is_me)).toMatchObject({
				status: 'left',
			});
		});

		it('settle() resolves at once when nothing is queued', async () => {
			await expect(sb.settle()).resolves.toBeUndefined();
		});
	});

	describe('list and get', () => {
		it('lists chats by from (URL-encoded +) and paginates', async () => {
			const all = await linq(sb, 'GET', `/v3/chats?from=${encodeURIComponent(SELF)}`);
			expect(all.json.chats).toHaveLength(4);
			expect(all.json.next_cursor).toBeNull();
			const page = await linq(sb, 'GET', `/v3/chats?from=${encodeURIComponent(SELF)}&limit=3`);
			expect(page.json.chats).toHaveLength(3);
			expect(page.json.next_cursor).toBe('3');
			const rest = await linq(
				sb,
				'GET',
				`/v3/chats?from=${encodeURIComponent(SELF)}&limit=3&cursor=3`,
			);
			expect(rest.json.chats.map((c: { id: string }) => c.id)).toEqual([dm]);
			const to = await linq(sb, 'GET', `/v3/chats?to=${encodeURIComponent('+14155559999')}`);
			expect(to.json.chats.map((c: { id: string }) => c.id)).toEqual([sms]);
			expectLinqError(await linq(sb, 'GET', '/v3/chats?from=4155550150'), 400, 1002);
		});

		it('shows the group icon as the SDK’s Chat does (group_chat_icon: null until set)', async () => {
			expect((await linq(sb, 'GET', `/v3/chats/${trio}`)).json.group_chat_icon).toBeNull();
			await linq(sb, 'PUT', `/v3/chats/${trio}`, { group_chat_icon: 'https://img.test/icon.png' });
			await sb.settle();
			expect((await linq(sb, 'GET', `/v3/chats/${trio}`)).json.group_chat_icon).toBe(
				'https://img.test/icon.png',
			);
		});

		it('gets a chat; unknown ids and routes are 404 / 2001', async () => {
			const got = await linq(sb, 'GET', `/v3/chats/${dm}`);
			expect(got.json).toMatchObject({ id: dm, is_group: false });
			expectLinqError(await linq(sb, 'GET', '/v3/chats/nope'), 404, 2001);
			expectLinqError(await linq(sb, 'GET', '/v9/unknown'), 404, 2001);
		});
	});
});
