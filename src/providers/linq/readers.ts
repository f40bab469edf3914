/**
 * What the pickers and Get Group read from Linq: the sender lines, the chat list (paged by
 * cursor, filtered by member on Linq's side) and one group.
 */
import { segment } from '../../boundary';
import { obj, str } from '../../json';
import type { GroupView, ProviderLookups } from '../contract';
import { linqAddress } from './addresses';
import { LINQ_PAGE_MAX, LINQ_TEST_PATH } from './constants';

/** `GET /v3/chats/{id}` answers the Chat itself (`{chat: …}` is accepted too). */
export function readGroup(json: unknown): GroupView | undefined {
	const body = obj(json);
	const chat = body.chat !== undefined ? obj(body.chat) : body;
	const id = str(chat.id);
	if (!id) return undefined;
	const handles = (Array.isArray(chat.handles) ? chat.handles : []).map(obj);
	const members = handles
		.filter((entry) => str(entry.handle))
		.map((entry) => {
			const status =
				entry.status === 'left' || entry.status === 'removed' ? entry.status : 'active';
			return {
				address: linqAddress(str(entry.handle) as string),
				isYou: entry.is_me === true,
				status: status as 'active' | 'left' | 'removed',
				isAdmin: null,
				joinedAt: str(entry.joined_at) ?? null,
			};
		});
	const roster = members
		.filter((member) => member.status === 'active')
		.map((member) => member.address);
	const me = members.find((member) => member.isYou);
	return {
		chatId: id,
		name: str(chat.display_name) ?? null,
		roster,
		members,
		line: me?.address ?? null,
		details: {
			service: str(chat.service) ?? null,
			iconUrl: str(chat.group_chat_icon) ?? null,
			description: null,
			memberCount: roster.length,
			youAreMember: me ? me.status === 'active' : true,
			createdAt: str(chat.created_at) ?? null,
			updatedAt: str(chat.updated_at) ?? null,
		},
	};
}

/** A group of the list, read like Get Group reads one, with the entry as listed; direct messages are left out. */
function listed(json: unknown): (GroupView & { raw: unknown }) | undefined {
	const chat = obj(json);
	if (chat.is_group !== true) return undefined;
	const view = readGroup(chat);
	return view && { ...view, raw: json };
}

export const linqLookups: ProviderLookups = {
	senders: {
		call: () => ({
			method: 'GET',
			path: LINQ_TEST_PATH,
			kind: 'read',
			purpose: 'read your sender numbers',
		}),
		read: (json) =>
			(Array.isArray(obj(json).phone_numbers) ? (obj(json).phone_numbers as unknown[]) : [])
				.map(obj)
				.filter((line) => str(line.phone_number))
				.map((line) => {
					const health = str(obj(line.health_status).status);
					return {
						address: linqAddress(str(line.phone_number) as string),
						label: health ? `health: ${health.toLowerCase().replace(/_/g, ' ')}` : undefined,
					};
				}),
	},
	// GET /v3/chats?to=&limit=&cursor= (from omitted: every line of the partner); next_cursor null/"" = last page.
	// A page holds at most what was asked for (the rest of a longer one is not read); a
	// next_cursor equal to the one just sent does not move, so the list ends there.
	chats: {
		call: (page) => ({
			method: 'GET',
			path: '/v3/chats',
			query: {
				limit: Math.min(page.pageSize, LINQ_PAGE_MAX),
				cursor: page.cursor,
				to: page.member,
			},
			kind: 'read',
			purpose: 'read the group list',
		}),
		read: (json, page) => {
			const body = obj(json);
			const list = (Array.isArray(body.chats) ? body.chats : []).slice(
				0,
				Math.min(page.pageSize, LINQ_PAGE_MAX),
			);
			const next = str(body.next_cursor) || undefined;
			return {
				groups: list.map(listed).filter((group) => group !== undefined),
				ids: list.map((entry) => str(obj(entry).id) ?? '').filter(Boolean),
				next: next !== undefined && next !== page.cursor ? next : undefined,
			};
		},
		filtersByMember: true,
	},
	group: {
		call: (chatId) => ({
			method: 'GET',
			path: `/v3/chats/${segment(chatId)}`,
			kind: 'read',
			purpose: 'read the group',
		}),
		read: readGroup,
	},
};
