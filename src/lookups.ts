/**
 * What the editor's pickers show, free of n8n: the Sender dropdown, the searchable, paginated
 * Chat list and the Members to Remove picker. Each provider's file says which calls to make
 * and how to read the answers (`lookups`); this file pages, filters and labels. The node hands
 * in `fetch`, which sends a call through the same gate as every other request.
 */
import { normalizeAddress } from './addresses';
import type { ChatPageRequest, ChatSummary, LookupCall, ProviderAdapter } from './providers/adapter';

export type Fetch = (call: LookupCall) => Promise<unknown>;

/** What a picker cannot do, said to the user (the node shows it in place of the list). */
export interface Problem {
	problem: string;
}

export interface PickerOption {
	name: string;
	value: string;
	description?: string;
}

/** Groups per provider request (Linq allows up to 100, Periskope up to 2,000). */
export const CHAT_PAGE_SIZE = 50;
/** While a search filters on this side, read at most this many pages per call... */
export const MAX_PAGES_PER_SEARCH = 5;
/** ...or until this many groups matched. */
export const ENOUGH_MATCHES = 10;

/** The account's sending lines, as Sender's options: number first, then what the provider says. */
export async function senderOptions(adapter: ProviderAdapter, fetch: Fetch): Promise<PickerOption[]> {
	const call = adapter.lookups.senders.call();
	const lines = adapter.lookups.senders.read(await fetch(call));
	return lines.map((line) => ({
		name: line.label ? `${line.address} · ${line.label}` : line.address,
		value: line.address,
		description: line.label,
	}));
}

function digits(text: string): string {
	return text.replace(/\D/g, '');
}

/** A search text that is one address the provider can filter by (Linq `to=`), normalized. */
function memberFilter(adapter: ProviderAdapter, filter: string): string | undefined {
	if (!/^[+\d\s().-]+$/.test(filter) && !filter.includes('@')) return undefined;
	try {
		return normalizeAddress(filter, adapter.rules.addresses, undefined);
	} catch {
		return undefined;
	}
}

/** Does a group match what the user typed: its name, its ID or a member (by digits for numbers)? */
export function chatMatches(chat: ChatSummary, filter: string): boolean {
	const text = filter.trim().toLowerCase();
	if (!text) return true;
	if ((chat.name ?? '').toLowerCase().includes(text) || chat.id.toLowerCase().includes(text)) return true;
	const wanted = digits(text);
	return chat.members.some(
		(member) => member.toLowerCase().includes(text) || (wanted.length >= 4 && digits(member).includes(wanted)),
	);
}

function chatOption(chat: ChatSummary): PickerOption {
	const count = chat.members.length;
	const shown = chat.members.slice(0, 4).join(', ') + (count > 4 ? ` and ${(count - 4).toLocaleString('en-US')} more` : '');
	const name = chat.name?.trim() || shown || chat.id;
	return {
		name: chat.youAreMember ? name : `${name} (you left)`,
		value: chat.id,
		description: `${count.toLocaleString('en-US')} member${count === 1 ? '' : 's'}${shown ? `: ${shown}` : ''}`,
	};
}

/**
 * One page of the Chat list. The provider pages with its own cursor, handed back to n8n as
 * the pagination token; a search narrows on the provider's side where it can (a member's
 * number on Linq), else here, reading further pages until enough groups match.
 */
export async function searchChats(
	adapter: ProviderAdapter,
	fetch: Fetch,
	filter = '',
	paginationToken?: string,
): Promise<{ results: PickerOption[]; paginationToken?: string } | Problem> {
	const chats = adapter.lookups.chats;
	if (!chats) return { problem: `${adapter.label} cannot list groups: enter the chat ID (By ID)` };
	const text = filter.trim();
	const member = text && chats.filtersByMember ? memberFilter(adapter, text) : undefined;
	const results: PickerOption[] = [];
	let cursor = paginationToken || undefined;
	for (let page = 0; page < MAX_PAGES_PER_SEARCH; page++) {
		const request: ChatPageRequest = { cursor, pageSize: CHAT_PAGE_SIZE, member };
		const answer = chats.read(await fetch(chats.call(request)), request);
		const matching = member ? answer.chats : answer.chats.filter((chat) => chatMatches(chat, text));
		results.push(...matching.map(chatOption));
		cursor = answer.next;
		const filteringHere = text !== '' && member === undefined;
		if (!cursor || !filteringHere || results.length >= ENOUGH_MATCHES) break;
	}
	return { results, paginationToken: cursor };
}

/** The chat ID a picker was given: a resource locator's value or a plain string; expressions cannot be read here. */
export function pickedChatId(value: unknown): { id: string } | Problem {
	const raw =
		value !== null && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
	const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	if (text.startsWith('=')) {
		return {
			problem:
				'The chat is an expression, which only has a value when the workflow runs: pick the chat from the list or enter its ID to choose members here, or type the addresses in Participants',
		};
	}
	return { id: text };
}

/**
 * Members to Remove: the group's current members except your own line (it leaves with Leave
 * Group). Values are addresses Remove Participants accepts as typed (WhatsApp digits with +).
 */
export async function memberOptions(
	adapter: ProviderAdapter,
	fetch: Fetch,
	chat: unknown,
): Promise<PickerOption[] | Problem> {
	const group = adapter.lookups.group;
	const picked = pickedChatId(chat);
	if ('problem' in picked) return picked;
	if (!group || !picked.id) return [];
	const normalized = adapter.rules.normalizeChatId(picked.id);
	if ('problem' in normalized) return normalized;
	const view = group.read(await fetch(group.call(normalized.id)));
	if (!view) return { problem: `${adapter.label}: the answer has no chat` };
	return view.members
		.filter((member) => member.status === 'active' && !member.isYou)
		.map((member) => ({
			name: member.isAdmin ? `${member.address} (admin)` : member.address,
			value: /^\d+$/.test(member.address) ? `+${member.address}` : member.address,
			description: member.joinedAt ? `joined ${member.joinedAt.slice(0, 10)}` : undefined,
		}));
}
