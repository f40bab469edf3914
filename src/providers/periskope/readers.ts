/**
 * What the pickers and Get Group read from Periskope: the phone of the credential, the group
 * list (paged by offset) and one group with its members and settings.
 */
import { segment } from '../../boundary';
import { obj, str } from '../../json';
import type { GroupMember } from '../../types';
import type { GroupView, ProviderLookups } from '../contract';
import { periskopeAddress } from './addresses';
import { PERISKOPE_TEST_PATH } from './constants';

/**
 * The chat object of `GET /chats/{chat_id}` (and of each entry of `GET /chats`): `members` is a
 * map keyed by `<digits>@c.us` with `contact_id`, `is_admin`, `is_super_admin`.
 */
export function readGroup(json: unknown): GroupView | undefined {
	const body = obj(json);
	const chat = body.chat !== undefined ? obj(body.chat) : body;
	const id = str(chat.chat_id) ?? str(chat.id);
	if (!id) return undefined;
	const line = str(chat.org_phone) ? periskopeAddress(str(chat.org_phone) as string) : null;
	const entries: [string, Record<string, unknown>][] = Array.isArray(chat.members)
		? chat.members.map((entry) => [str(obj(entry).contact_id) ?? str(entry) ?? '', obj(entry)])
		: Object.entries(obj(chat.members)).map(([key, entry]) => [
				str(obj(entry).contact_id) ?? key,
				obj(entry),
			]);
	const members: GroupMember[] = entries
		.filter(([key]) => key !== '')
		.map(([key, entry]) => {
			const who = periskopeAddress(key);
			return {
				address: who,
				isYou: who === line,
				status: 'active',
				isAdmin: entry.is_admin === true || entry.is_super_admin === true,
				joinedAt: null,
			};
		});
	const roster = members.map((member) => member.address);
	const addMode = chat.member_add_mode;
	return {
		chatId: id,
		name: str(chat.chat_name) ?? null,
		roster,
		members,
		line,
		details: {
			service: 'WhatsApp',
			iconUrl: str(chat.chat_image) ?? null,
			description: str(chat.group_description) ?? null,
			memberCount: typeof chat.member_count === 'number' ? chat.member_count : roster.length,
			youAreMember: chat.is_exited !== true && (line === null || roster.includes(line)),
			createdAt: str(chat.created_at) ?? null,
			updatedAt: str(chat.updated_at) ?? null,
			settings: {
				messagesAdminsOnly: chat.messages_admins_only === true,
				infoAdminsOnly: chat.info_admins_only === true,
				// `add_members_admins_only` in @periskope/types' chat object; `member_add_mode` in older answers.
				addMembersAdminsOnly:
					chat.add_members_admins_only === true || addMode === true || addMode === 'admin_add',
				inviteLink: str(chat.invite_link) ?? null,
			},
		},
	};
}

/** A group of the list, read like Get Group reads one, with the entry as listed; direct messages are left out. */
function listed(json: unknown): (GroupView & { raw: unknown }) | undefined {
	const chat = obj(json);
	const id = str(chat.chat_id);
	if (!id?.endsWith('@g.us') || (chat.chat_type !== undefined && chat.chat_type !== 'group'))
		return undefined;
	const view = readGroup(chat);
	return view && { ...view, raw: json };
}

/** `GET /phones` answers the phone of the x-phone header; lists (`/phones/all`, `{phones}`) are read too. */
function phones(json: unknown): Record<string, unknown>[] {
	if (Array.isArray(json)) return json.map(obj);
	const body = obj(json);
	if (Array.isArray(body.phones)) return body.phones.map(obj);
	return body.org_phone !== undefined ? [body] : [];
}

/** The offset a page cursor stands for: a whole number from 0, else 0. */
function offsetOf(cursor: string | undefined): number {
	const offset = Number(cursor ?? 0);
	return Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
}

export const periskopeLookups: ProviderLookups = {
	senders: {
		call: () => ({
			method: 'GET',
			path: PERISKOPE_TEST_PATH,
			kind: 'read',
			purpose: 'read your sender numbers',
		}),
		read: (json) =>
			phones(json)
				.filter((phone) => str(phone.org_phone))
				.map((phone) => ({
					address: periskopeAddress(str(phone.org_phone) as string),
					label:
						[str(phone.phone_name), str(phone.wa_state)?.toLowerCase()]
							.filter(Boolean)
							.join(', ') || undefined,
				})),
	},
	// GET /chats?offset=&limit=&chat_type=group (the client SDK's query); `to` < `count` means more.
	// The next offset is this one plus the chats read from this page (at most what was asked for):
	// it always moves forward. A `to` that does not move past the offset ends the list.
	chats: {
		call: (page) => ({
			method: 'GET',
			path: '/chats',
			query: { offset: offsetOf(page.cursor), limit: page.pageSize, chat_type: 'group' },
			kind: 'read',
			purpose: 'read the group list',
		}),
		read: (json, page) => {
			const body = obj(json);
			const list = (Array.isArray(body.chats) ? body.chats : []).slice(0, page.pageSize);
			const offset = offsetOf(page.cursor);
			const next = offset + list.length;
			const stuck = typeof body.to === 'number' && !(body.to > offset);
			const more =
				typeof body.count === 'number' ? next < body.count : list.length >= page.pageSize;
			return {
				groups: list.map(listed).filter((group) => group !== undefined),
				ids: list.map((entry) => str(obj(entry).chat_id) ?? '').filter(Boolean),
				next:
					more && !stuck && list.length > 0 && Number.isSafeInteger(next)
						? String(next)
						: undefined,
			};
		},
		filtersByMember: false,
	},
	group: {
		call: (chatId) => ({
			method: 'GET',
			path: `/chats/${segment(chatId)}`,
			kind: 'read',
			purpose: 'read the group',
		}),
		read: readGroup,
	},
};
