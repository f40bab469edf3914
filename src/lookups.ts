/**
 * What the editor's pickers show, free of n8n: the Sender dropdown, the searchable, paginated
 * Chat list and the Members to Remove picker. Each provider's file says which calls to make
 * and how to read the answers (`lookups`); this file pages, filters and labels. The node hands
 * in `fetch`, which sends a call through the same gate as every other request.
 */
import { normalizeAddress } from './addresses';
import type { ProviderRequest } from './http';
import type {
	ChatPageRequest,
	ChatSummary,
	GroupView,
	ProviderAdapter,
} from './providers/contract';

export type Fetch = (call: ProviderRequest) => Promise<unknown>;

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
/** While a search filters on this side, read at most this many pages per picker call... */
export const MAX_PAGES_PER_SEARCH = 5;
/** ...or until this many groups matched. */
export const ENOUGH_MATCHES = 10;
/** At most this many groups in one picker call (a page counts for at most CHAT_PAGE_SIZE). */
export const MAX_CHATS_PER_CALL = MAX_PAGES_PER_SEARCH * CHAT_PAGE_SIZE;
/** One listing (the first page and every "more" after it) reads at most this many pages, then ends. */
export const MAX_PAGES_PER_LIST = 100;
/** A provider cursor longer than this is not followed (the list ends). */
export const MAX_CURSOR_CHARS = 512;
/** At most this many options in the Sender and Members to Remove dropdowns. */
export const MAX_OPTIONS = 1_000;
/** Option names and descriptions are cut to this many characters (graphemes), ellipsis included. */
export const MAX_NAME_CHARS = 100;
export const MAX_DESCRIPTION_CHARS = 200;

/**
 * How long one picker call may take: the editor waits for it. Each attempt has this deadline;
 * a read that failed is tried again at most once more.
 */
export const PICKER_LIMITS = { timeoutMs: 15_000, maxAttempts: 2 };

// C0 and C1 control characters (NUL, ESC, CR, LF, DEL…), ANSI escape sequences, and the bidi
// overrides, embeddings, isolates and marks that can make a label read backwards.
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * A label from the network as the editor may show it: control characters and bidi controls
 * removed, whitespace collapsed and trimmed, cut to `max` characters (graphemes, so an emoji is
 * never split) with an ellipsis. Only names and descriptions are cleaned; values stay exact.
 */
export function cleanLabel(text: string, max: number): string {
	const clean = text
		.replace(ANSI_SEQUENCE, ' ')
		.replace(CONTROL, ' ')
		.replace(BIDI, '')
		.replace(/\s+/g, ' ')
		.trim();
	if (clean.length <= max) return clean;
	const graphemes: string[] = [];
	for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(clean)) {
		graphemes.push(segment);
		if (graphemes.length > max) break;
	}
	if (graphemes.length <= max) return clean;
	return `${graphemes
		.slice(0, max - 1)
		.join('')
		.trimEnd()}…`;
}

/** An option with its name and description cleaned (see cleanLabel); the value is kept exactly. */
function option(name: string, value: string, description?: string, suffix = ''): PickerOption {
	const shown = cleanLabel(name, MAX_NAME_CHARS - suffix.length);
	return {
		name: `${shown || cleanLabel(value, MAX_NAME_CHARS - suffix.length)}${suffix}`,
		value,
		description:
			description === undefined
				? undefined
				: cleanLabel(description, MAX_DESCRIPTION_CHARS) || undefined,
	};
}

/** The account's sending lines, as Sender's options: number first, then what the provider says. */
export async function senderOptions(
	adapter: ProviderAdapter,
	fetch: Fetch,
): Promise<PickerOption[]> {
	const call = adapter.lookups.senders.call();
	const lines = adapter.lookups.senders.read(await fetch(call)).slice(0, MAX_OPTIONS);
	return lines.map((line) => {
		const label =
			line.label === undefined ? undefined : cleanLabel(line.label, MAX_DESCRIPTION_CHARS);
		return option(label ? `${line.address} · ${label}` : line.address, line.address, label);
	});
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
	if ((chat.name ?? '').toLowerCase().includes(text) || chat.id.toLowerCase().includes(text))
		return true;
	const wanted = digits(text);
	return chat.members.some(
		(member) =>
			member.toLowerCase().includes(text) ||
			(wanted.length >= 4 && digits(member).includes(wanted)),
	);
}

/** What the Chat list shows of a group. */
function summaryOf(group: GroupView): ChatSummary {
	return {
		id: group.chatId,
		name: group.name,
		members: group.roster,
		youAreMember: group.details.youAreMember,
	};
}

function chatOption(chat: ChatSummary): PickerOption {
	const count = chat.members.length;
	const shown =
		chat.members.slice(0, 4).join(', ') +
		(count > 4 ? ` and ${(count - 4).toLocaleString('en-US')} more` : '');
	const name = cleanLabel(chat.name ?? '', MAX_NAME_CHARS) || shown;
	return option(
		name,
		chat.id,
		`${count.toLocaleString('en-US')} member${count === 1 ? '' : 's'}${shown ? `: ${shown}` : ''}`,
		chat.youAreMember ? '' : ' (you left)',
	);
}

/**
 * Where a listing stands between picker calls, handed to the editor as the pagination token
 * and back: the provider's cursor, how many pages were read, and short fingerprints of every
 * cursor followed and of every page's chats, so a provider that repeats itself ends the list.
 */
interface ListState {
	/** The provider's cursor of the next page. */
	cursor?: string;
	pages: number;
	/** Fingerprints of the cursors followed. */
	cursors: string[];
	/** Fingerprints of the pages read (their sorted chat IDs). */
	prints: string[];
}

/** A 32-bit FNV-1a fingerprint, in base 36. */
function fingerprint(text: string): string {
	let hash = 0x811c9dc5;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(36);
}

const TOKEN_PREFIX = 'gc1:';

function writeToken(state: ListState): string {
	return `${TOKEN_PREFIX}${JSON.stringify({ c: state.cursor, p: state.pages, k: state.cursors, s: state.prints })}`;
}

/** The token from the editor: one of ours, or (from before) a bare provider cursor. */
function readToken(token: string | undefined): ListState {
	const fresh: ListState = { pages: 0, cursors: [], prints: [] };
	if (!token) return fresh;
	if (!token.startsWith(TOKEN_PREFIX)) {
		return token.length <= MAX_CURSOR_CHARS
			? { ...fresh, cursor: token, cursors: [fingerprint(token)] }
			: fresh;
	}
	try {
		const saved = JSON.parse(token.slice(TOKEN_PREFIX.length)) as Record<string, unknown>;
		const list = (value: unknown) =>
			Array.isArray(value)
				? value
						.filter((entry): entry is string => typeof entry === 'string')
						.slice(0, MAX_PAGES_PER_LIST)
				: [];
		const cursor =
			typeof saved.c === 'string' && saved.c.length <= MAX_CURSOR_CHARS ? saved.c : undefined;
		const pages =
			typeof saved.p === 'number' && Number.isSafeInteger(saved.p) && saved.p >= 0
				? saved.p
				: MAX_PAGES_PER_LIST;
		return cursor === undefined
			? { ...fresh, pages: MAX_PAGES_PER_LIST }
			: { cursor, pages, cursors: list(saved.k), prints: list(saved.s) };
	} catch {
		return { ...fresh, pages: MAX_PAGES_PER_LIST };
	}
}

/**
 * One page of the Chat list. The provider pages with its own cursor, handed back to n8n inside
 * the pagination token; a search narrows on the provider's side where it can (a member's number
 * on Linq), else here, reading further pages until enough groups match.
 *
 * Every list ends: a cursor that does not move or comes back, a page with no chat not seen
 * before, more than MAX_PAGES_PER_SEARCH pages or MAX_CHATS_PER_CALL groups in one call, or
 * MAX_PAGES_PER_LIST pages in one listing — then no token is handed back and the editor offers
 * no "more".
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
	const filteringHere = text !== '' && member === undefined;
	const state = readToken(paginationToken);
	if (paginationToken && state.cursor === undefined) return { results: [] };
	const seen = new Set<string>();
	const results: PickerOption[] = [];
	let cursor = state.cursor;
	for (let page = 0; page < MAX_PAGES_PER_SEARCH && state.pages < MAX_PAGES_PER_LIST; page++) {
		const request: ChatPageRequest = { cursor, pageSize: CHAT_PAGE_SIZE, member };
		const answer = chats.read(await fetch(chats.call(request)), request);
		state.pages++;
		cursor = undefined;
		// A page that holds no chat not seen before (in this call, or as a whole in an earlier one) ends the list.
		const ids = [...new Set(answer.ids)];
		const added = new Set(ids.filter((id) => !seen.has(id)));
		const print = fingerprint(JSON.stringify(ids.sort()));
		if (added.size === 0 || state.prints.includes(print)) break;
		added.forEach((id) => seen.add(id));
		state.prints.push(print);
		// Each chat once: only those this page added, a chat listed twice on it counted once.
		const fresh = answer.groups.map(summaryOf).filter((chat) => added.delete(chat.id));
		const matching = member ? fresh : fresh.filter((chat) => chatMatches(chat, text));
		results.push(...matching.slice(0, MAX_CHATS_PER_CALL - results.length).map(chatOption));
		// Follow the next cursor only when it moves somewhere new.
		const next = answer.next;
		if (
			next === undefined ||
			next.length > MAX_CURSOR_CHARS ||
			state.cursors.includes(fingerprint(next))
		)
			break;
		state.cursors.push(fingerprint(next));
		cursor = next;
		if (!filteringHere || results.length >= ENOUGH_MATCHES) break;
	}
	const more = cursor !== undefined && state.pages < MAX_PAGES_PER_LIST;
	return { results, paginationToken: more ? writeToken({ ...state, cursor }) : undefined };
}

/** The chat ID a picker was given: a resource locator's value or a plain string; expressions cannot be read here. */
export function pickedChatId(value: unknown): { id: string } | Problem {
	const raw =
		value !== null && typeof value === 'object' && 'value' in value
			? (value as { value: unknown }).value
			: value;
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
	const call = group.call(normalized.id);
	const view = group.read(await fetch(call));
	if (!view)
		return { problem: `${adapter.label}: could not ${call.purpose}: the answer has no chat` };
	return view.members
		.filter((member) => member.status === 'active' && !member.isYou)
		.slice(0, MAX_OPTIONS)
		.map((member) =>
			option(
				member.address,
				/^\d+$/.test(member.address) ? `+${member.address}` : member.address,
				member.joinedAt ? `joined ${member.joinedAt.slice(0, 10)}` : undefined,
				member.isAdmin ? ' (admin)' : '',
			),
		);
}
