/**
 * The read endpoints the pickers and Get Group depend on, answered by the sandbox in the
 * providers' own shapes (providers.md; the official SDKs' types): sender lists, chat lists
 * with their pagination, and one chat with its members.
 */
import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { chert, linq, periskope } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ linqApplyDelayMs: 5 });
});
afterAll(async () => sb.stop());
beforeEach(() => sb.reset());

describe('sender lists', () => {
	test('Chert GET /api/v1/phone-numbers: {phone_numbers: [{phone_number, …}]}', async () => {
		const res = await chert(sb, 'GET', '/api/v1/phone-numbers');
		expect(res.status).toBe(200);
		expect(
			res.json.phone_numbers.map((line: { phone_number: string }) => line.phone_number),
		).toEqual(DEMO.chert.senders);
	});

	test('Linq GET /v3/phone_numbers: {phone_numbers: [{id, phone_number, health_status: {status}}]}', async () => {
		const res = await linq(sb, 'GET', '/v3/phone_numbers');
		expect(res.json.phone_numbers).toEqual(
			DEMO.linq.senders.map((number) => ({
				id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				phone_number: number,
				health_status: expect.objectContaining({ status: 'HEALTHY' }),
			})),
		);
	});

	test('Periskope GET /phones: the connected phone with org_phone (<digits>@c.us), name and state', async () => {
		const res = await periskope(sb, 'GET', '/phones');
		expect(res.json.phones[0]).toMatchObject({
			org_phone: `${DEMO.periskope.orgPhone}@c.us`,
			phone_name: expect.any(String),
			wa_state: 'CONNECTED',
		});
	});
});

describe('one chat', () => {
	test('Linq GET /v3/chats/{id}: handles with is_me and a status that turns "removed" once a removal is applied', async () => {
		const id = DEMO.groups.linq.five;
		const before = await linq(sb, 'GET', `/v3/chats/${id}`);
		expect(before.json.handles.find((h: { is_me: boolean }) => h.is_me)).toMatchObject({
			handle: DEMO.linq.senders[0],
			status: 'active',
		});
		expect(
			(await linq(sb, 'DELETE', `/v3/chats/${id}/participants`, { handle: '+14155550166' })).status,
		).toBe(200);
		await sb.settle();
		const after = await linq(sb, 'GET', `/v3/chats/${id}`);
		expect(
			after.json.handles.find((h: { handle: string }) => h.handle === '+14155550166'),
		).toMatchObject({
			status: 'removed',
			left_at: expect.any(String),
		});
	});

	test('Periskope GET /chats/{id}: members keyed <digits>@c.us with contact_id and admin flags; the org phone is super admin', async () => {
		const res = await periskope(
			sb,
			'GET',
			`/chats/${encodeURIComponent(DEMO.groups.periskope.trio)}`,
		);
		expect(Object.keys(res.json.members)).toEqual(
			[DEMO.periskope.orgPhone, '14155550181', '14155550182'].map((digits) => `${digits}@c.us`),
		);
		expect(res.json.members[`${DEMO.periskope.orgPhone}@c.us`]).toMatchObject({
			contact_id: `${DEMO.periskope.orgPhone}@c.us`,
			is_admin: true,
			is_super_admin: true,
		});
		expect(res.json).toMatchObject({
			chat_name: 'Demo trio',
			chat_type: 'group',
			member_count: 3,
			is_exited: false,
		});
	});
});

describe('chat lists', () => {
	test('Periskope GET /chats?chat_type=: groups for "group", none for "user"; from/to/count page the list', async () => {
		const groups = await periskope(sb, 'GET', '/chats?offset=0&limit=1&chat_type=group');
		expect(groups.json).toMatchObject({ count: 2, from: 0, to: 1 });
		expect(groups.json.chats.map((chat: { chat_id: string }) => chat.chat_id)).toEqual([
			DEMO.groups.periskope.trio,
		]);
		const users = await periskope(sb, 'GET', '/chats?chat_type=user');
		expect(users.json).toMatchObject({ chats: [], count: 0 });
	});

	test('Linq GET /v3/chats without from: every line’s chats; next_cursor null on the last page', async () => {
		const res = await linq(sb, 'GET', '/v3/chats?limit=2');
		expect(res.json.chats).toHaveLength(2);
		expect(res.json.next_cursor).toBe('2');
		const last = await linq(sb, 'GET', '/v3/chats?limit=2&cursor=2');
		expect(last.json.next_cursor).toBeNull();
	});
});
