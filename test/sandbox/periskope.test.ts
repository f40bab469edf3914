import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { periskope, type Res } from './helpers';

const { trio, five } = DEMO.groups.periskope;
const ORG = DEMO.periskope.orgPhone;
const NON_CONTACT = '14155550191';

function expectRateHeaders(res: Res): void {
	expect(Number(res.headers['x-ratelimit-limit'])).toBeGreaterThan(0);
	expect(res.headers['x-ratelimit-remaining']).toMatch(/^\d+$/);
	expect(res.headers['x-ratelimit-reset']).toMatch(/^\d{10}$/);
	expect(res.headers['x-periskope-trace-id']).toMatch(/^[0-9a-f-]{36}$/);
}

describe('sandbox: Periskope', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox();
	});
	afterAll(async () => {
		await sb.stop();
	});
	beforeEach(() => sb.reset());

	describe('auth and headers', () => {
		it('needs the bearer api key AND x-phone (401), headers on every answer', async () => {
			const noKey = await periskope(sb, 'GET', '/phones', undefined, { 'x-phone': ORG });
			expect(noKey.status).toBe(401);
			expect(noKey.json).toMatchObject({ code: 'unauthorized', status: 401 });
			expectRateHeaders(noKey);
			const noPhone = await periskope(sb, 'GET', '/phones', undefined, {
				authorization: `Bearer ${DEMO.periskope.apiKey}`,
			});
			expect(noPhone.status).toBe(401);
			const wrongPhone = await periskope(sb, 'GET', '/phones', undefined, {
				authorization: `Bearer ${DEMO.periskope.apiKey}`,
				'x-phone': '14155550100',
			});
			expect(wrongPhone.status).toBe(401);
			const byId = await periskope(sb, 'GET', '/phones', undefined, {
				authorization: `Bearer ${DEMO.periskope.apiKey}`,
				'x-phone': DEMO.periskope.phoneId,
			});
			expect(byId.status).toBe(200);
			expect(byId.json.phones[0]).toMatchObject({
				org_phone: `${ORG}@c.us`,
				phone_id: DEMO.periskope.phoneId,
				wa_state: 'CONNECTED',
			});
			expectRateHeaders(byId);
		});

		it('counts requests down in X-RateLimit-Remaining (large limit when off)', async () => {
			const a = await periskope(sb, 'GET', '/chats');
			const b = await periskope(sb, 'GET', '/chats');
			expect(Number(a.headers['x-ratelimit-limit'])).toBe(1000);
			expect(Number(b.headers['x-ratelimit-remaining'])).toBe(
				Number(a.headers['x-ratelimit-remaining']) - 1,
			);
		});

		it('answers unknown routes and chats with 404 + headers', async () => {
			const route = await periskope(sb, 'GET', '/nothing/here');
			expect(route.status).toBe(404);
			expectRateHeaders(route);
			const chat = await periskope(sb, 'GET', '/chats/999@g.us');
			expect(chat.status).toBe(404);
			expect(chat.json.code).toBe('chat_not_found');
		});
	});

	describe('create', () => {
		it('adds contacts, invites the rest', async () => {
			const res = await periskope(sb, 'POST', '/chats/create', {
				group_name: 'Onboarding',
				participants: ['14155550187', NON_CONTACT],
				options: { description: 'Welcome' },
			});
			expect(res.status).toBe(200);
			expect(res.json.chat_id).toMatch(/^\d+@g\.us$/);
			expect(res.json).toMatchObject({
				chat_name: 'Onboarding',
				chat_type: 'group',
				group_description: 'Welcome',
				member_count: 2,
			});
			expect(Object.keys(res.json.members).sort()).toEqual([`${ORG}@c.us`, `14155550187@c.us`]);
			const state = sb.getChat('periskope', res.json.chat_id);
			expect(state).toMatchObject({
				participants: [ORG, '14155550187'],
				invited: [NON_CONTACT],
				selfIsMember: true,
			});
			const got = await periskope(sb, 'GET', `/chats/${encodeURIComponent(res.json.chat_id)}`);
			expect(got.json.chat_id).toBe(res.json.chat_id);
		});

		it('adds everyone with options.force_add_participants', async () => {
			const res = await periskope(sb, 'POST', '/chats/create', {
				group_name: 'Forced',
				participants: [NON_CONTACT, '14155550192'],
				options: { force_add_participants: true },
			});
			expect(res.json.member_count).toBe(3);
		});

		it('validates the body', async () => {
			expect(
				(await periskope(sb, 'POST', '/chats/create', { participants: ['14155550187'] })).status,
			).toBe(400);
			expect(
				(
					await periskope(sb, 'POST', '/chats/create', {
						group_name: 'x',
						participants: ['+1 (415) 555'],
					})
				).status,
			).toBe(400);
			expect((await periskope(sb, 'POST', '/chats/create', '{bad json')).status).toBe(400);
		});
	});

	describe('add and remove', () => {
		it('answers one entry per participant: added, invited, already a member', async () => {
			const res = await periskope(sb, 'POST', `/chats/${trio}/add`, {
				participants: ['14155550187', NON_CONTACT, '14155550181'],
			});
			expect(res.status).toBe(200);
			expect(res.json).toEqual({
				'14155550187@c.us': {
					is_success: true,
					message: 'Participant added to group',
					code: 200,
					isInviteV4Sent: false,
				},
				[`${NON_CONTACT}@c.us`]: {
					is_success: true,
					message: 'Invite sent to participant',
					code: 200,
					isInviteV4Sent: true,
				},
				'14155550181@c.us': expect.objectContaining({
					is_success: false,
					code: 409,
					isInviteV4Sent: false,
				}),
			});
			expect(res.json['14155550181@c.us'].message).toMatch(/already a participant/);
			const state = sb.getChat('periskope', trio);
			expect(state?.participants).toEqual([ORG, '14155550181', '14155550182', '14155550187']);
			expect(state?.invited).toEqual([NON_CONTACT]);
		});

		it('adds non-contacts directly with force_add_participants, or once they are contacts', async () => {
			const forced = await periskope(sb, 'POST', `/chats/${trio}/add`, {
				participants: [NON_CONTACT],
				force_add_participants: true,
			});
			expect(forced.json[`${NON_CONTACT}@c.us`]).toMatchObject({
				is_success: true,
				isInviteV4Sent: false,
			});
			sb.addContact('14155550192');
			const contact = await periskope(sb, 'POST', `/chats/${trio}/add`, {
				participants: ['14155550192'],
			});
			expect(contact.json['14155550192@c.us']).toMatchObject({
				is_success: true,
				isInviteV4Sent: false,
			});
			expect(sb.getChat('periskope', trio)?.participants).toHaveLength(5);
		});

		it('removes members; a non-member is is_success false / 404', async () => {
			const res = await periskope(sb, 'POST', `/chats/${trio}/remove`, {
				participants: ['14155550181', NON_CONTACT],
			});
			expect(res.json['14155550181@c.us']).toMatchObject({ is_success: true, code: 200 });
			expect(res.json[`${NON_CONTACT}@c.us`]).toMatchObject({ is_success: false, code: 404 });
			expect(sb.getChat('periskope', trio)?.participants).toEqual([ORG, '14155550182']);
		});

		it('refuses an empty participants list (400) and unknown chats (404)', async () => {
			expect((await periskope(sb, 'POST', `/chats/${trio}/add`, { participants: [] })).status).toBe(
				400,
			);
			expect(
				(await periskope(sb, 'POST', '/chats/1@g.us/add', { participants: ['14155550187'] }))
					.status,
			).toBe(404);
		});
	});

	describe('settings and leave', () => {
		it('changes settings and answers the chat object', async () => {
			const res = await periskope(sb, 'POST', `/chats/${five}/settings`, {
				name: 'New name',
				description: 'About',
				image: 'https://img.test/g.png',
				messagesAdminsOnly: true,
				memberAddMode: true,
			});
			expect(res.status).toBe(200);
			expect(res.json).toMatchObject({
				chat_id: five,
				chat_name: 'New name',
				group_description: 'About',
				chat_image: 'https://img.test/g.png',
				messages_admins_only: true,
				member_add_mode: 'admin_add',
			});
			const asText = await periskope(sb, 'POST', `/chats/${five}/settings`, {
				memberAddMode: 'admin_add',
			});
			expect(asText.status).toBe(400);
			expect(sb.getChat('periskope', five)).toMatchObject({
				name: 'New name',
				description: 'About',
			});
			expect((await periskope(sb, 'POST', `/chats/${five}/settings`, { name: ' ' })).status).toBe(
				400,
			);
			expect((await periskope(sb, 'POST', `/chats/${five}/settings`, {})).status).toBe(400);
			expect(
				(await periskope(sb, 'POST', `/chats/${five}/settings`, { image: 'not a url' })).status,
			).toBe(400);
		});

		it('leaves; the chat then no longer lists the org phone and refuses changes', async () => {
			const res = await periskope(sb, 'POST', `/chats/${trio}/leave`);
			expect(res.status).toBe(200);
			expect(res.json).toMatchObject({ success: true, chat_id: trio });
			const got = await periskope(sb, 'GET', `/chats/${trio}`);
			expect(got.json.members[`${ORG}@c.us`]).toBeUndefined();
			expect(got.json.chat_org_phones).toEqual([]);
			expect(got.json.is_exited).toBe(true);
			expect(sb.getChat('periskope', trio)).toMatchObject({
				selfIsMember: false,
				participants: ['14155550181', '14155550182'],
			});
			const again = await periskope(sb, 'POST', `/chats/${trio}/leave`);
			expect(again.status).toBe(403);
			expect(again.json.code).toBe('not_group_member');
			expect(
				(await periskope(sb, 'POST', `/chats/${trio}/add`, { participants: ['14155550187'] }))
					.status,
			).toBe(403);
		});
	});

	it('lists chats with offset/limit', async () => {
		const all = await periskope(sb, 'GET', '/chats');
		expect(all.json).toMatchObject({ count: 2, from: 0, to: 2 });
		expect(all.json.chats.map((c: { chat_id: string }) => c.chat_id)).toEqual([trio, five]);
		const page = await periskope(sb, 'GET', '/chats?offset=1&limit=1');
		expect(page.json).toMatchObject({ count: 2, from: 1, to: 2 });
		expect(page.json.chats[0].chat_id).toBe(five);
	});
});
