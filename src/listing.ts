/**
 * List Groups, free of n8n: pages through the provider's chat list (the readers the Chat picker
 * uses), one result per group in Get Group's shape, with Return All / Limit, a name or member
 * filter, and a clear stop: a cursor that does not move or comes back and a page that adds no
 * group end the list, and a hard bound on pages ends a list that never does.
 */
import { capRaw } from './boundary';
import type { ListGroupsInput } from './operations';
import type { RunOptions } from './plan';
import type { ChatPageRequest, GroupView, ProviderAdapter } from './providers/contract';
import { DEFAULT_RETRY, sendWithRetry } from './transport';
import { orderResult } from './types';
import type { GroupChatResult } from './types';

/** Groups asked for per page (Linq's most; Periskope takes up to 2,000). */
export const LIST_PAGE_SIZE = 100;
/** The most pages one List Groups item reads: 50,000 chats at 100 a page. */
export const LIST_MAX_PAGES = 500;

/** Does a group match the filters: a name containing the text (any case), a member. */
function matches(group: GroupView, input: ListGroupsInput): boolean {
	if (
		input.nameFilter &&
		!(group.name ?? '').toLowerCase().includes(input.nameFilter.toLowerCase())
	)
		return false;
	if (input.member && !group.roster.includes(input.member)) return false;
	return true;
}

export async function listGroups(
	adapter: ProviderAdapter,
	input: ListGroupsInput,
	options: RunOptions,
): Promise<GroupChatResult[]> {
	const chats = adapter.lookups.chats;
	if (!chats) throw new Error(`${adapter.label} cannot list groups`);
	const retry = { ...DEFAULT_RETRY, ...options.retry };
	const results: GroupChatResult[] = [];
	const seen = new Set<string>();
	const cursors = new Set<string>();
	let cursor: string | undefined;
	for (let pages = 0; ; pages++) {
		if (pages >= LIST_MAX_PAGES) {
			throw new Error(
				`${adapter.label}: stopped listing groups after ${LIST_MAX_PAGES.toLocaleString('en-US')} pages (${seen.size.toLocaleString(
					'en-US',
				)} chats read, ${results.length.toLocaleString('en-US')} matching): narrow the list with Filters, or turn off Return All and set a Limit`,
			);
		}
		const page: ChatPageRequest = {
			cursor,
			pageSize: LIST_PAGE_SIZE,
			member: chats.filtersByMember ? input.member : undefined,
		};
		const answer = await sendWithRetry(
			adapter,
			input.operation,
			chats.call(page),
			options.send,
			retry,
			options.hooks,
		);
		if (!answer.ok) throw answer.error;
		const read = chats.read(answer.response.json, page);
		const fresh = new Set(read.ids.filter((id) => !seen.has(id)));
		if (fresh.size === 0) break; // a page with nothing new: the provider repeats itself
		for (const id of fresh) seen.add(id);
		for (const group of read.groups) {
			// Each group once (a group listed twice counts once), and only those that match.
			if (!fresh.delete(group.chatId) || !matches(group, input)) continue;
			const { raw, ...view } = group;
			results.push(
				orderResult(
					{
						provider: adapter.id,
						operation: input.operation,
						status: 'done',
						...view,
						participants: [],
						raw: [capRaw(raw)],
					},
					options.includeRaw ?? true,
				),
			);
			if (!input.returnAll && results.length >= input.limit) return results;
		}
		const next = read.next;
		if (next === undefined || cursors.has(next)) break;
		cursors.add(next);
		cursor = next;
	}
	return results;
}
