/**
 * What a provider is, as the rest of the package sees it: the adapter (input rules, request
 * planning, retry safety, interpretation of answers, the readers behind the pickers), the events
 * (trigger subscriptions, verification, normalization) and the registry entry that ties them to
 * a credential and to the editor. Each provider's folder fulfils it; src/providers/index.ts
 * holds one entry per provider.
 */
import { ProviderError } from '../errors';
import type {
	Delivery,
	NormalizedEvent,
	StoredSubscription,
	TriggerEvent,
	VerifyResult,
} from '../events';
import type { HttpAnswer, Answer, ProviderRequest } from '../http';
import type { InputRules, OperationInput } from '../operations';
import { OPERATION_LABELS } from '../types';
import type { GroupChatResult, GroupDetails, GroupMember, Operation, Provider } from '../types';

/**
 * When a failure may have reached the provider (5xx, reset, timeout, unreadable answer),
 * may the request be sent again? Each provider's row of the retry-safety table (docs/architecture.md);
 * an operation without a row is never sent again after it may have arrived.
 */
export type RetryAfterAmbiguity = Partial<Record<Operation, boolean>>;

export interface ProviderAdapter {
	id: Provider;
	/** "Chert", "Linq", "Periskope" */
	label: string;
	/** The operations this provider can do. */
	operations: readonly Operation[];
	/** Why an operation is not offered here, in the user's words (said when one is asked for anyway). */
	unavailable: Partial<Record<Operation, string>>;
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
		values(
			credentials: Record<string, unknown>,
			rawBody: string,
			fromMs: number,
			toMs: number,
		): string[];
	};
	/**
	 * An item that the credential in use makes a mistake, said before anything is sent (Periskope:
	 * demoting your own line, the credential's Org Phone), naming the field it is about.
	 */
	checkInput?(
		input: OperationInput,
		credentials: Record<string, unknown>,
	): { field: string; problem: string } | undefined;
	/** A credential problem to report before anything is sent (Chert HMAC without a tenant). */
	checkCredentials?(credentials: Record<string, unknown>): string | undefined;
	plan(input: OperationInput): ProviderRequest[];
	/**
	 * What is missing from a 2xx answer that the operation needs (create: a chat ID), or
	 * undefined when the answer is a success. Envelopes saying `success: false` are refusals
	 * and are handled before this.
	 */
	checkSuccess(operation: string, answer: HttpAnswer): string | undefined;
	/** Turns an error answer into a ProviderError in the user's words. */
	toError(operation: string, answer: HttpAnswer, request: ProviderRequest): ProviderError;
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
	/** Group chats only (direct messages are left out), read like Get Group reads one, with each entry as listed. */
	groups: Array<GroupView & { raw: unknown }>;
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
	senders: { call(): ProviderRequest; read(json: unknown): SenderLine[] };
	/** Listing groups; absent where the provider has no list endpoint (Chert: By ID only). */
	chats?: {
		call(page: ChatPageRequest): ProviderRequest;
		read(json: unknown, page: ChatPageRequest): ChatPage;
		/** Can `member` narrow the list on the provider's side? */
		filtersByMember: boolean;
	};
	/** Reading one group; absent where the provider cannot (then Get Group is not offered). */
	group?: { call(chatId: string): ProviderRequest; read(json: unknown): GroupView | undefined };
}

/** What a provider declares for the Group Chat Trigger. */
export interface ProviderEvents {
	provider: Provider;
	/** Normalized events this provider can deliver (the editor shows only these). */
	supported: readonly TriggerEvent[];
	/** One-line honest statement of how deliveries are authenticated, for notices and errors. */
	verification: string;
	/**
	 * The delivery URL handed to the provider for n8n's webhook URL, and the token this node
	 * checks on every delivery where the provider signs nothing (Periskope: a random token in
	 * the URL's query).
	 */
	target(webhookUrl: string): { target: string; token?: string };
	/** Problem with the URL for this provider (Chert: HTTPS only), or undefined. */
	checkTarget?(webhookUrl: string, baseUrl: string): string | undefined;
	create(target: string, events: TriggerEvent[], senders: string[]): ProviderRequest;
	/** Ids and signing secret from the create answer. */
	created(json: unknown): { ids: string[]; secret?: string };
	/**
	 * Why a create answer's secret cannot verify deliveries ("its signing secret is …", never the
	 * secret itself), or undefined when it can. Absent for providers without a secret (Periskope).
	 */
	secretProblem?(secret: string | undefined): string | undefined;
	/** Where a person lists and deletes this provider's subscriptions by hand (an orphan's message). */
	manage: string;
	list(): ProviderRequest;
	/** The subscriptions in a list answer, or undefined when the answer holds no list at all. */
	listed(json: unknown): { id: string; url: string }[] | undefined;
	remove(id: string): ProviderRequest;
	/** Authenticates a delivery against the stored subscription (signature or token, time window). */
	verify(delivery: Delivery, stored: StoredSubscription, nowMs: number): VerifyResult;
	/** The dedup key, taken from signed content; undefined when there is none. */
	dedupKey(
		payload: Record<string, unknown>,
		delivery: Delivery,
		signedId?: string,
	): string | undefined;
	/** Turns a verified JSON object into zero or more normalized events. */
	normalize(payload: Record<string, unknown>, nowMs: number): NormalizedEvent[];
	/** The sending line an event happened on, when the payload says. */
	line?(payload: unknown): string | undefined;
	/** Addresses as the action node outputs them (E.164 or digits). */
	address(value: string): string;
}

/** One provider, as the registry (src/providers/index.ts) holds it. */
export interface ProviderEntry {
	id: Provider;
	/** "Chert", "Linq", "Periskope": in messages and in the editor. */
	label: string;
	/** The n8n credential type (credentials/<Name>Api.credentials.ts declares the same name). */
	credentialType: string;
	adapter: ProviderAdapter;
	events: ProviderEvents;
	/** How the editor offers this provider. */
	editor: ProviderEditor;
}

export interface ProviderEditor {
	/** The Provider option: "Chert · iMessage". */
	name: string;
	description: string;
	/** The Chat field on this provider: what it is, and its By ID format. */
	chat: {
		description: string;
		placeholder: string;
		hint: string;
		/** The By ID value's pattern (an empty value passes: "required" says that once). */
		pattern: string;
		patternError: string;
	};
	/** Notices the editor shows with an operation on this provider (its limits, in the user's words). */
	notices: Partial<Record<Operation, string>>;
	/** The trigger's notice: what this provider delivers and how deliveries are authenticated. */
	triggerNotice: string;
	/** The trigger's "Trigger On" default. */
	defaultEvents: TriggerEvent[];
}

/**
 * The error of an operation an adapter has no requests for (its `operations` leave it out, so
 * validation refuses it before; List Groups and Sync Members run through the readers instead).
 */
export function notPlanned(provider: Provider, label: string, operation: Operation): ProviderError {
	return new ProviderError(
		provider,
		`${label}: ${OPERATION_LABELS[operation]} is not available on ${label}`,
	);
}
