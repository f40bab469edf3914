/**
 * Periskope group administration on the emulator, over real HTTP: promote / demote (one entry per
 * participant, like add/remove), the invite link and its reset, WhatsApp linked ids (`<digits>@lid`
 * members: listed as such, accepted by remove / promote / demote, never read as a phone number),
 * and the `chat.notification.created` deliveries these cause.
 */
import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { startRecorder, type Recorder } from '../helpers/recorder';
import { periskope, type Json, type Res } from './helpers';

const { trio, five, linked } = DEMO.groups.periskope;
const ORG = DEMO.periskope.orgPhone;
const [LID_A, LID_B] = DEMO.periskope.linkedIds;
const enc = encodeURIComponent;

let sb: Sandbox;
let hooks: Recorder;
beforeAll(async () => {
	sb = await startSandbox({ seedLinkedIds: true });
	hooks = await startRecorder();
});
afterAll(async () => {
	await sb.stop();
	await hooks.close();
});
beforeEach(() => {
	sb.reset();
	hooks.reset();
	hooks.respond(() => ({ status: 200, body: {} }));
});

const members = async (chatId: string): Promise<Json> =>
	(await periskope(sb, 'GET', `/chats/${enc(chatId)}`)).json.members;

function expectPeriskopeError(res: Res, status: number, code: string): void {
	expect(res.status).toBe(status);
	expect(res.json).toMatchObject({ status, code });
}

async function notifications(): Promise<Json[]> {
	await sb.webhooksIdle();
	// Each delivery is its own connection: arrival order is not emit order, so sort by type.
	return hooks.requests
		.map((request) => JSON.parse(request.text).data)
		.sort((a: Json, b: Json) => a.type.localeCompare(b.type));
}

describe('linked ids (@lid)', () => {
	test('the linked-ids demo group lists <digits>@lid members as such: key, contact_id and contact_lid, no number', async () => {
		const res = await periskope(sb, 'GET', `/chats/${enc(linked)}`);
		expect(res.status).toBe(200);
		expect(Object.keys(res.json.members)).toEqual([
			`${ORG}@c.us`,
			'14155550187@c.us',
			LID_A,
			LID_B,
		]);
		expect(res.json.members[LID_A]).toMatchObject({
			contact_id: LID_A,
			contact_lid: LID_A,
			number: null,
			is_admin: false,
		});
		expect(res.json.members[LID_B]).toMatchObject({
			contact_id: LID_B,
			is_admin: true,
			is_super_admin: false,
		});
		expect(res.json.members['14155550187@c.us']).toMatchObject({
			contact_lid: null,
			number: '14155550187',
			is_admin: true,
		});
		expect(res.json).toMatchObject({ chat_name: 'Demo linked ids', member_count: 4 });
		expect(sb.getChat('periskope', linked)?.participants).toEqual([
			ORG,
			'14155550187',
			LID_A,
			LID_B,
		]);
		const list = await periskope(sb, 'GET', '/chats?chat_type=group');
		expect(list.json.count).toBe(3);
		expect(
			Object.keys(list.json.chats.find((chat: Json) => chat.chat_id === linked).members),
		).toContain(LID_A);
	});

	test('only with seedLinkedIds: the default seed keeps its two Periskope groups', async () => {
		const plain = await startSandbox();
		try {
			expect((await periskope(plain, 'GET', '/chats')).json.count).toBe(2);
			expectPeriskopeError(
				await periskope(plain, 'GET', `/chats/${enc(linked)}`),
				404,
				'chat_not_found',
			);
		} finally {
			await plain.stop();
		}
	});

	test('remove takes a linked id and answers under it; its bare digits are a (different) phone number', async () => {
		const res = await periskope(sb, 'POST', `/chats/${enc(linked)}/remove`, {
			participants: [LID_A, LID_B.replace('@lid', '')],
		});
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			[LID_A]: {
				is_success: true,
				message: 'Participant removed from group',
				code: 200,
				isInviteV4Sent: false,
			},
			[`${LID_B.replace('@lid', '')}@c.us`]: {
				is_success: false,
				message: 'Participant is not a participant of the group',
				code: 404,
				isInviteV4Sent: false,
			},
		});
		expect(Object.keys(await members(linked))).toEqual([`${ORG}@c.us`, '14155550187@c.us', LID_B]);
	});

	test('add cannot add a linked id (that participant fails, the others go on); create refuses one', async () => {
		const res = await periskope(sb, 'POST', `/chats/${enc(linked)}/add`, {
			participants: ['14155550188', '205519000000009@lid'],
		});
		expect(res.json['14155550188@c.us']).toMatchObject({ is_success: true, code: 200 });
		expect(res.json['205519000000009@lid']).toMatchObject({ is_success: false, code: 400 });
		expectPeriskopeError(
			await periskope(sb, 'POST', '/chats/create', {
				group_name: 'x',
				participants: ['14155550188', '205519000000009@lid'],
			}),
			400,
			'invalid_request',
		);
	});

	test('a member known by a linked id can post; the message names it as such', async () => {
		sb.postMessage('periskope', linked, LID_A, 'hello from a hidden number');
		expect(sb.messages('periskope', linked)[0]).toMatchObject({
			from: LID_A,
			direction: 'inbound',
		});
		expect(sb.messages('periskope', linked)[0].id).toMatch(new RegExp(`_${LID_A}$`));
	});
});

describe('promote and demote', () => {
	test('promote: one entry per participant keyed by the id as given; admin flags in GET /chats/{id}', async () => {
		const res = await periskope(sb, 'POST', `/chats/${enc(five)}/promote`, {
			participants: ['+14155550183', '14155550184@c.us', '14155550191', ORG],
		});
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			'14155550183@c.us': {
				is_success: true,
				message: 'Participant promoted to admin',
				code: 200,
				isInviteV4Sent: false,
			},
			'14155550184@c.us': {
				is_success: true,
				message: 'Participant promoted to admin',
				code: 200,
				isInviteV4Sent: false,
			},
			'14155550191@c.us': {
				is_success: false,
				message: 'Participant is not a participant of the group',
				code: 404,
				isInviteV4Sent: false,
			},
			[`${ORG}@c.us`]: {
				is_success: false,
				message: 'Participant is already an admin of the group',
				code: 409,
				isInviteV4Sent: false,
			},
		});
		const after = await members(five);
		expect(after['14155550183@c.us']).toMatchObject({ is_admin: true, is_super_admin: false });
		expect(after['14155550185@c.us']).toMatchObject({ is_admin: false });
		const again = await periskope(sb, 'POST', `/chats/${enc(five)}/promote`, {
			participants: ['14155550183'],
		});
		expect(again.json['14155550183@c.us']).toMatchObject({ is_success: false, code: 409 });
	});

	test('demote: admins become members; a non-admin is 409; your own line is refused (400) and stays admin', async () => {
		await periskope(sb, 'POST', `/chats/${enc(five)}/promote`, { participants: ['14155550183'] });
		const res = await periskope(sb, 'POST', `/chats/${enc(five)}/demote`, {
			participants: ['14155550183', '14155550184', ORG],
		});
		expect(res.json).toEqual({
			'14155550183@c.us': {
				is_success: true,
				message: 'Participant demoted to member',
				code: 200,
				isInviteV4Sent: false,
			},
			'14155550184@c.us': {
				is_success: false,
				message: 'Participant is not an admin of the group',
				code: 409,
				isInviteV4Sent: false,
			},
			[`${ORG}@c.us`]: {
				is_success: false,
				message: 'Cannot demote the connected phone',
				code: 400,
				isInviteV4Sent: false,
			},
		});
		const after = await members(five);
		expect(after['14155550183@c.us'].is_admin).toBe(false);
		expect(after[`${ORG}@c.us`]).toMatchObject({ is_admin: true, is_super_admin: true });
	});

	test('linked ids are promoted and demoted by their id', async () => {
		const promoted = await periskope(sb, 'POST', `/chats/${enc(linked)}/promote`, {
			participants: [LID_A],
		});
		expect(promoted.json).toEqual({
			[LID_A]: expect.objectContaining({ is_success: true, code: 200 }),
		});
		const demoted = await periskope(sb, 'POST', `/chats/${enc(linked)}/demote`, {
			participants: [LID_B],
		});
		expect(demoted.json).toEqual({
			[LID_B]: expect.objectContaining({ is_success: true, code: 200 }),
		});
		const after = await members(linked);
		expect([after[LID_A].is_admin, after[LID_B].is_admin]).toEqual([true, false]);
	});

	test('refuses a bad list (400), an unknown chat (404) and a group the phone left (403)', async () => {
		expectPeriskopeError(
			await periskope(sb, 'POST', `/chats/${enc(five)}/promote`, { participants: [] }),
			400,
			'invalid_request',
		);
		expectPeriskopeError(
			await periskope(sb, 'POST', `/chats/${enc(five)}/demote`, { participants: ['(415) 555'] }),
			400,
			'invalid_request',
		);
		expectPeriskopeError(
			await periskope(sb, 'POST', `/chats/${enc(five)}/promote`, '{"participants":'),
			400,
			'invalid_json',
		);
		expectPeriskopeError(
			await periskope(sb, 'POST', '/chats/1203630000@g.us/promote', {
				participants: ['14155550183'],
			}),
			404,
			'chat_not_found',
		);
		await periskope(sb, 'POST', `/chats/${enc(five)}/leave`);
		expectPeriskopeError(
			await periskope(sb, 'POST', `/chats/${enc(five)}/demote`, { participants: ['14155550183'] }),
			403,
			'not_group_member',
		);
	});

	test('a partial_failure fault fails the listed participants (500) and applies the others', async () => {
		sb.faults.inject({
			provider: 'periskope',
			kind: 'partial_failure',
			failAddresses: ['14155550184'],
		});
		const res = await periskope(sb, 'POST', `/chats/${enc(five)}/promote`, {
			participants: ['14155550183', '14155550184'],
		});
		expect(res.json['14155550184@c.us']).toMatchObject({ is_success: false, code: 500 });
		expect(res.json['14155550183@c.us']).toMatchObject({ is_success: true });
		expect((await members(five))['14155550184@c.us'].is_admin).toBe(false);
		expect(sb.faults.pending()).toBe(0);
	});
});

describe('invite link', () => {
	test('POST /chats/{id}/invite answers a new link each time; GET /chats/{id} carries only the current one', async () => {
		const before = (await periskope(sb, 'GET', `/chats/${enc(trio)}`)).json.invite_link;
		expect(before).toMatch(/^https:\/\/chat\.whatsapp\.com\/invite\/[0-9a-f]{22}$/);
		const first = await periskope(sb, 'POST', `/chats/${enc(trio)}/invite`);
		expect(first.status).toBe(200);
		expect(first.json).toEqual({
			invite_link: expect.stringMatching(/^https:\/\/chat\.whatsapp\.com\/invite\/[0-9a-f]{22}$/),
		});
		expect(first.json.invite_link).not.toBe(before);
		const second = await periskope(sb, 'POST', `/chats/${enc(trio)}/invite`);
		expect(new Set([before, first.json.invite_link, second.json.invite_link]).size).toBe(3);
		expect((await periskope(sb, 'GET', `/chats/${enc(trio)}`)).json.invite_link).toBe(
			second.json.invite_link,
		);
		// Another group's link is untouched.
		expect((await periskope(sb, 'GET', `/chats/${enc(five)}`)).json.invite_link).not.toBe(
			second.json.invite_link,
		);
	});

	test('refuses an unknown chat (404) and a group the phone left (403)', async () => {
		expectPeriskopeError(
			await periskope(sb, 'POST', '/chats/1203630000@g.us/invite'),
			404,
			'chat_not_found',
		);
		await periskope(sb, 'POST', `/chats/${enc(trio)}/leave`);
		expectPeriskopeError(
			await periskope(sb, 'POST', `/chats/${enc(trio)}/invite`),
			403,
			'not_group_member',
		);
	});
});

describe('notifications', () => {
	test('promote, demote and an invite-link reset are delivered as chat.notification.created (promote, demote, revoke_invite)', async () => {
		await periskope(sb, 'POST', '/webhooks', {
			hookUrl: `${hooks.baseUrl}/p`,
			integrationName: 'chat.notification.created',
		});
		await periskope(sb, 'POST', `/chats/${enc(linked)}/promote`, {
			participants: [LID_A, '14155550191'],
		});
		await periskope(sb, 'POST', `/chats/${enc(linked)}/demote`, { participants: ['14155550187'] });
		const reset = await periskope(sb, 'POST', `/chats/${enc(linked)}/invite`);
		const events = await notifications();
		expect(events.map((event) => [event.type, event.recipientids])).toEqual([
			['demote', ['14155550187@c.us']],
			['promote', [LID_A]],
			['revoke_invite', []],
		]);
		expect(events[1]).toMatchObject({
			chat_id: linked,
			author: `${ORG}@c.us`,
			notification_id: expect.stringContaining(`_${LID_A}_promote`),
		});
		expect(events[2].body).toBe(reset.json.invite_link);
	});

	test('refused participants cause no notification', async () => {
		await periskope(sb, 'POST', '/webhooks', {
			hookUrl: `${hooks.baseUrl}/p`,
			integrationName: 'chat.notification.created',
		});
		await periskope(sb, 'POST', `/chats/${enc(five)}/demote`, {
			participants: [ORG, '14155550184'],
		});
		await periskope(sb, 'POST', `/chats/${enc(five)}/promote`, { participants: ['14155550191'] });
		expect(await notifications()).toEqual([]);
	});
});
