/**
 * Reading the providers' answers in the shapes their SDKs document where the sandbox answers
 * differently or more conveniently: Periskope's GET /phones (one phone object), a chat object
 * with only its `members` map, Linq handles whose status is null, and list pagination markers.
 */
import { adapterFor } from '../../src/providers';
import type { Answer } from '../../src/http';
import type { ChatPageRequest } from '../../src/providers/contract';
import type { OperationInput } from '../../src/operations';

const linq = adapterFor('linq');
const periskope = adapterFor('periskope');

const okAnswer = (json: unknown): Answer => ({
	request: { method: 'GET', path: '/' },
	ok: true,
	response: { status: 200, headers: {}, text: JSON.stringify(json), json },
	attempts: 1,
	retried: false,
});

const PERISKOPE_CHAT = {
	chat_id: '120363371308389685@g.us',
	chat_name: 'Launch',
	org_phone: '919876543210@c.us',
	members: {
		'919876543210@c.us': { contact_id: '919876543210@c.us', is_admin: true, is_super_admin: true },
		'919537851844@c.us': {
			contact_id: '919537851844@c.us',
			is_admin: false,
			is_super_admin: false,
		},
	},
};

test('Periskope create: the roster comes from the members map when there is no participants list', () => {
	const input = {
		provider: 'periskope',
		operation: 'create',
		participants: ['919537851844'],
		groupName: 'Launch',
		settings: {},
		forceAdd: false,
	} as OperationInput;
	const result = periskope.interpret(input, [okAnswer(PERISKOPE_CHAT)]);
	expect(result.roster).toEqual(['919876543210', '919537851844']);
	expect(result.participants).toEqual([
		expect.objectContaining({ address: '919537851844', outcome: 'added' }),
	]);
});

test('Periskope get: members map → roster, your line, admin flags; member_add_mode as a boolean', () => {
	const input = {
		provider: 'periskope',
		operation: 'get',
		chatId: PERISKOPE_CHAT.chat_id,
	} as OperationInput;
	const result = periskope.interpret(input, [
		okAnswer({ ...PERISKOPE_CHAT, member_add_mode: true }),
	]);
	expect(result).toMatchObject({
		chatId: PERISKOPE_CHAT.chat_id,
		roster: ['919876543210', '919537851844'],
		line: '919876543210',
		details: { settings: { addMembersAdminsOnly: true }, memberCount: 2, youAreMember: true },
	});
	expect(periskope.checkSuccess('get', { status: 200, headers: {}, text: '{}', json: {} })).toBe(
		'the answer has no chat',
	);
	expect(linq.checkSuccess('get', { status: 200, headers: {}, text: '{}', json: {} })).toBe(
		'the answer has no chat',
	);
});

test('Periskope senders: GET /phones answers one phone object (the SDK’s PhoneInfoType); a list is read too', () => {
	const phone = { org_phone: '919876543210@c.us', phone_name: 'Sales', wa_state: 'CONNECTED' };
	expect(periskope.lookups.senders.read(phone)).toEqual([
		{ address: '919876543210', label: 'Sales, connected' },
	]);
	expect(
		periskope.lookups.senders.read([
			phone,
			{ ...phone, org_phone: '14155550100@c.us', phone_name: null },
		]),
	).toEqual([
		{ address: '919876543210', label: 'Sales, connected' },
		{ address: '14155550100', label: 'connected' },
	]);
});

test('Periskope chat list: without count, a full page means there may be more; only @g.us groups are kept', () => {
	const page: ChatPageRequest = { cursor: '4', pageSize: 2 };
	const read = periskope.lookups.chats!.read(
		{ chats: [PERISKOPE_CHAT, { chat_id: '919537851844@c.us', chat_type: 'user' }] },
		page,
	);
	expect(read.groups.map((group) => group.chatId)).toEqual([PERISKOPE_CHAT.chat_id]);
	expect(read.next).toBe('6');
	expect(
		periskope.lookups.chats!.read({ chats: [PERISKOPE_CHAT], count: 5, to: 5 }, page).next,
	).toBeUndefined();
});

test('Periskope chat list: an offset that does not advance ends the list; a page holds at most what was asked for', () => {
	const page: ChatPageRequest = { cursor: '4', pageSize: 2 };
	const full = { chats: [PERISKOPE_CHAT, PERISKOPE_CHAT], count: 1_000_000 };
	// `to` equal to (or behind) the offset: the provider says nothing moved.
	expect(periskope.lookups.chats!.read({ ...full, to: 4 }, page).next).toBeUndefined();
	expect(periskope.lookups.chats!.read({ ...full, to: 1 }, page).next).toBeUndefined();
	// A count that lies about an empty page does not keep the list going.
	expect(
		periskope.lookups.chats!.read({ chats: [], count: 1_000_000, to: 50 }, page).next,
	).toBeUndefined();
	// 5,000 chats where 2 were asked for: 2 are read, and the next offset moves by 2.
	const flood = periskope.lookups.chats!.read(
		{ chats: Array.from({ length: 5_000 }, () => PERISKOPE_CHAT), count: 1_000_000 },
		page,
	);
	expect(flood.ids).toHaveLength(2);
	expect(flood.next).toBe('6');
	// A cursor that is not a whole number from 0 reads from the start.
	expect(periskope.lookups.chats!.call({ cursor: '-7', pageSize: 2 }).query).toMatchObject({
		offset: 0,
	});
	expect(periskope.lookups.chats!.call({ cursor: '1e400', pageSize: 2 }).query).toMatchObject({
		offset: 0,
	});
});

test('Linq: a handle whose status is null is active; next_cursor "" or null ends the list', () => {
	const chat = {
		id: '550e8400-e29b-41d4-a716-446655440000',
		display_name: null,
		is_group: true,
		handles: [
			{ handle: '+14155550150', is_me: true, status: null, joined_at: '2025-01-01T00:00:00Z' },
			{ handle: 'Ana@Example.com', status: null },
			{ handle: '+14155550161', status: 'left' },
		],
	};
	const view = linq.lookups.group!.read(chat)!;
	expect(view.roster).toEqual(['+14155550150', 'ana@example.com']);
	expect(view.line).toBe('+14155550150');
	const listed = linq.lookups.chats!.read({ chats: [chat], next_cursor: '' }, { pageSize: 20 });
	expect(
		listed.groups.map((group) => [
			group.chatId,
			group.name,
			group.roster,
			group.details.youAreMember,
			group.raw,
		]),
	).toEqual([[chat.id, null, ['+14155550150', 'ana@example.com'], true, chat]]);
	expect(listed.ids).toEqual([chat.id]);
	expect(listed.next).toBeUndefined();
	// A direct message is left out of the chats, but counts as something the page held.
	expect(
		linq.lookups.chats!.read(
			{ chats: [{ ...chat, is_group: false }], next_cursor: '20' },
			{ pageSize: 20 },
		),
	).toEqual({
		groups: [],
		ids: [chat.id],
		next: '20',
	});
	// A next_cursor equal to the cursor just sent does not move: the list ends.
	expect(
		linq.lookups.chats!.read({ chats: [chat], next_cursor: '20' }, { pageSize: 20, cursor: '20' })
			.next,
	).toBeUndefined();
});
