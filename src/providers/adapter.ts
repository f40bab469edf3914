/**
 * The contract every provider adapter fulfils: input rules, request planning, retry
 * safety, and interpretation of answers into the normalized result.
 */
import type { ProviderError } from '../errors';
import type { InputRules, OperationInput } from '../operations';
import type { GroupChatResult, GroupDetails, GroupMember, Operation, Provider } from '../types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One HTTP request the adapter wants sent. The transport serializes `body` exactly once. */
export interface PlannedRequest {
	method: HttpMethod;
	/** Path relative to the credential's base URL, already URL-encoded. */
	path: string;
	body?: unknown;
	/** The participant this request is for, when the provider takes one address per call. */
	address?: string;
	/** The participants this request is for, when the provider takes lists (a chunk of them). */
	addresses?: string[];
}

/** An HTTP answer as received: status, headers and the body text. */
export interface HttpAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	/** The body parsed as JSON, or undefined when it is not JSON. */
	json: unknown;
}

/** The final outcome of one planned request, after retries. */
export type Answer =
	| { request: PlannedRequest; ok: true; response: HttpAnswer; attempts: number; retried: boolean }
	| { request: PlannedRequest; ok: false; error: ProviderError; attempts: number; retried: boolean };

/**
 * When a failure may have reached the provider (5xx, reset, timeout, unreadable answer),
 * may the request be sent again? From design.md's retry-safety table.
 */
export type RetryAfterAmbiguity = Record<Operation, boolean>;

export interface ProviderAdapter {
	id: Provider;
	/** "Chert", "Linq", "Periskope" */
	label: string;
	rules: InputRules;
	retryAfterAmbiguity: RetryAfterAmbiguity;
	/** The credential fields whose values are secrets: redacted by value from all provider text. */
	secretFields: string[];
	/**
	 * Values derived from the credential for one request (Chert: the HMAC signatures of that
	 * body for the seconds it was in flight), redacted from that request's answer like the
	 * secrets themselves. Every value is at least `minLength` characters from [A-Za-z0-9], so
	 * an answer without such a run in any spelling cannot hold one, and `values` is only
	 * called (and its values only compiled) for an answer that could.
	 */
	derivedSecrets?: {
		minLength: number;
		values(credentials: Record<string, unknown>, rawBody: string, fromMs: number, toMs: number): string[];
	};
	/** A credential problem to report before anything is sent (Chert HMAC without a tenant). */
	checkCredentials?(credentials: Record<string, unknown>): string | undefined;
	plan(input: OperationInput): PlannedRequest[];
	/**
	 * What is missing from a 2xx answer that the operation needs (create: a chat ID), or
	 * undefined when the answer is a success. Envelopes saying `success: false` are refusals
	 * and are handled before this.
	 */
	checkSuccess(operation: string, answer: HttpAnswer): string | undefined;
	/** Turns an error answer into a ProviderError in the user's words. */
	toError(operation: string, answer: HttpAnswer, request: PlannedRequest): ProviderError;
	/**
	 * Every wait the provider asked for (429), in ms from now, as read from its headers and
	 * body; the transport ignores negative or unreadable hints and takes the longest.
	 */
	rateLimitHintsMs(answer: HttpAnswer, nowMs: number): number[];
	/**
	 * Pacing before a 429 happens: when an answer says the rate window is used up, how long
	 * every request of this credential should wait (Periskope's X-RateLimit-Remaining: 0).
	 */
	paceMs?(answer: HttpAnswer, nowMs: number): number | undefined;
	/**
	 * A refusal that, after an attempt that may have been applied, means the change is in
	 * place (Chert: "not in group" on a retried remove). Returns true to count it as done.
	 */
	confirmsEarlierAttempt?(operation: string, error: ProviderError): boolean;
	interpret(input: OperationInput, answers: Answer[]): GroupChatResult;
	/** What the editor's pickers read from this provider (sender lines, groups, members). */
	lookups: ProviderLookups;
}

/** A read-only provider call made for a picker; the node sends it through the same gate. */
export interface LookupCall {
	method: 'GET';
	/** Path below the Base URL; variable parts encoded with `segment()`. */
	path: string;
	query?: Record<string, string | number | undefined>;
	/** What the call reads, in the user's words, starting with "read" ("read your sender numbers"). */
	purpose: string;
}

/** One of the account's sending lines, as the Sender dropdown shows it. */
export interface SenderLine {
	/** Normalized the way Create's Sender is (E.164). */
	address: string;
	/** What else the provider says about the line (its name, health, state). */
	label?: string;
}

/** One group, as the Chat list shows it. */
export interface ChatSummary {
	id: string;
	name: string | null;
	/** Active members' normalized addresses. */
	members: string[];
	/** False once your line has left the group. */
	youAreMember: boolean;
}

/** Which page of the chat list to read; `cursor` is what the previous page handed back. */
export interface ChatPageRequest {
	cursor?: string;
	pageSize: number;
	/** Only chats with this member (normalized), where the provider can filter by member. */
	member?: string;
}

export interface ChatPage {
	/** Group chats only (direct messages are left out). */
	chats: ChatSummary[];
	/**
	 * The IDs of every chat the page held, direct messages included: a page that holds no ID
	 * not seen before ends the list (a provider repeating itself).
	 */
	ids: string[];
	/** Cursor of the next page; undefined on the last page or when the cursor did not move. */
	next?: string;
}

/** One group as the provider describes it: the heart of Get Group and the member picker. */
export interface GroupView {
	chatId: string;
	name: string | null;
	/** Active members' normalized addresses, your own line included. */
	roster: string[];
	members: GroupMember[];
	/** Your line's address in this group. */
	line: string | null;
	details: GroupDetails;
}

export interface ProviderLookups {
	/** The account's sending lines (the credential test calls the same endpoint). */
	senders: { call(): LookupCall; read(json: unknown): SenderLine[] };
	/** Listing groups; absent where the provider has no list endpoint (Chert: By ID only). */
	chats?: {
		call(page: ChatPageRequest): LookupCall;
		read(json: unknown, page: ChatPageRequest): ChatPage;
		/** Can `member` narrow the list on the provider's side? */
		filtersByMember: boolean;
	};
	/** Reading one group; absent where the provider cannot (then Get Group is not offered). */
	group?: { call(chatId: string): LookupCall; read(json: unknown): GroupView | undefined };
}

/** Reads a header case-insensitively as one string. */
export function header(answer: HttpAnswer, name: string): string | undefined {
	const value = answer.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

export { segment } from '../boundary';

/** A Retry-After header value (seconds or HTTP date) in ms from now; negative when past. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
	if (!value) return undefined;
	const trimmed = value.trim();
	if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : date - nowMs;
}

/** A 2xx body that is not a JSON object (empty, a list, text) cannot say what happened. */
export function needsObject(answer: HttpAnswer): string | undefined {
	if (answer.text.trim().length === 0) return 'the answer was empty';
	if (answer.json === null || typeof answer.json !== 'object' || Array.isArray(answer.json)) {
		return 'the answer was not a JSON object';
	}
	return undefined;
}

/** Status of a fan-out operation from its per-address outcomes. */
export function statusFrom(
	outcomes: { outcome: string }[],
	allOk: 'done' | 'accepted',
): GroupChatResult['status'] {
	const failed = outcomes.filter((entry) => entry.outcome === 'failed').length;
	if (failed === 0) return allOk;
	return failed === outcomes.length ? 'failed' : 'partial';
}

/** JSON object access without `any`. */
export function obj(value: unknown): Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}

export function str(value: unknown): string | undefined {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
