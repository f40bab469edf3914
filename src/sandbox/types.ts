/**
 * Public and internal types of the provider sandbox (a local emulator of the Chert, Linq and
 * Periskope group-chat APIs). Development tooling only: never part of the shipped package.
 */

export type ProviderName = 'chert' | 'linq' | 'periskope';

export interface RateLimitSpec {
	limit: number;
	windowSeconds: number;
	/** Windows aligned to the clock (each whole windowSeconds), instead of starting at the first request. */
	aligned?: boolean;
}

export interface SandboxOptions {
	/** 0 = a random free port (default). */
	port?: number;
	/** Default '127.0.0.1'. */
	host?: string;
	/** Default true: load the DEMO chats and contacts. Credentials and senders always exist. */
	seed?: boolean;
	/** How long Linq waits before applying a queued change (default 50 ms). */
	linqApplyDelayMs?: number;
	/** Off by default. Periskope always sends X-RateLimit-* headers (a large limit when off). */
	rateLimits?: { chert?: RateLimitSpec; linq?: RateLimitSpec; periskope?: RateLimitSpec };
	/** Delay before every API answer, in ms (default 0): a provider's latency, for the bench. */
	latencyMs?: number;
	/** Millisecond clock used for signatures, rate windows, timestamps (default Date.now). */
	now?: () => number;
	/** Webhook retries: first retry after this many ms, doubling (default 200). */
	webhookRetryBaseMs?: number;
	/**
	 * Also seed Periskope's linked-ids demo group (DEMO.groups.periskope.linked: members known by
	 * `<digits>@lid`). Default false: tests pin the default seed's two Periskope groups.
	 */
	seedLinkedIds?: boolean;
}

export interface RecordedRequest {
	provider: ProviderName | 'unknown';
	method: string;
	/** Raw request URL as received, e.g. /chert/api/v1/chats/ch_1/participants/%2B1415... */
	url: string;
	/** Provider-relative raw path without the query, e.g. /api/v1/chats/ch_1/participants/%2B1415... */
	path: string;
	/** Raw query string without the leading '?' ('' when none). */
	query: string;
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
	bodyText: string;
	/** HTTP status answered; 0 while pending or when the socket was destroyed without an answer. */
	status: number;
	/** Receipt time (sandbox clock, ms). */
	at: number;
}

export interface SandboxChat {
	provider: ProviderName;
	id: string;
	name: string | null;
	/** Current members: E.164 (or email) for chert/linq, digits (or `<digits>@lid` for a linked id) for periskope; includes self while a member. */
	participants: string[];
	/** The sending line: tenant number (chert), `from` (linq), org phone digits (periskope). */
	self: string;
	selfIsMember: boolean;
	iconUrl?: string | null;
	description?: string | null;
	/** Periskope: numbers that were sent an invite instead of being added. */
	invited?: string[];
}

export type FaultKind =
	| 'rate_limit'
	| 'http_error'
	| 'reset_before'
	| 'reset_after'
	| 'delay'
	| 'html'
	| 'malformed_json'
	| 'partial_failure';

export interface FaultSpec {
	provider?: ProviderName;
	method?: string;
	/** Matched against the provider-relative path (raw or percent-decoded); a string must match exactly. */
	path?: string | RegExp;
	kind: FaultKind;
	/** Default 1; Infinity allowed. */
	times?: number;
	/** Let the first N matching requests through before the fault starts (default 0). */
	skip?: number;
	/** http_error: 500 | 502 | 503 (default 500). */
	status?: number;
	/** rate_limit: default 1. */
	retryAfterSeconds?: number;
	/** delay: hold the request this long, then handle it normally. */
	delayMs?: number;
	/** partial_failure (Periskope add/remove/promote/demote): these participants fail with code 500. */
	failAddresses?: string[];
}

export interface FaultController {
	inject(spec: FaultSpec): void;
	clear(): void;
	/** Number of injected faults not yet used up. */
	pending(): number;
}

export interface Sandbox {
	url: string;
	port: number;
	baseUrls: { chert: string; linq: string; periskope: string };
	requests: RecordedRequest[];
	getChat(provider: ProviderName, chatId: string): SandboxChat | undefined;
	listChats(provider: ProviderName): SandboxChat[];
	/** Delay every API answer by this many ms from now on (0 = none). */
	setLatency(ms: number): void;
	addContact(digits: string): void;
	settle(): Promise<void>;
	faults: FaultController;
	/** Every webhook delivery attempt, in order (see webhooks.ts). */
	deliveries: DeliveryRecord[];
	/** Webhook subscriptions currently registered at a provider. */
	subscriptions(provider: ProviderName): HubSubscription[];
	/** Resolves once queued Linq changes are applied and no webhook delivery is pending. */
	webhooksIdle(): Promise<void>;
	/** Linq: the next `count` queued changes are accepted, then refused when applied (rename/icon → *_update_failed). */
	refuseQueued(count?: number): void;
	/** A message from `from` arrives in a group: the provider's message webhook fires. */
	postMessage(
		provider: ProviderName,
		chatId: string,
		from: string,
		text: string,
	): { eventId: string; deliveredTo: number };
	/** The chat's message log, oldest first: messages your line sent and messages members posted. */
	messages(provider: ProviderName, chatId: string): SandboxMessage[];
	reset(): void;
	stop(): Promise<void>;
}

/** One answer produced by an emulator, before it is written to the socket. */
export interface Reply {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** What an emulator receives for one request. */
export interface HandlerInput {
	method: string;
	/** Provider-relative raw path (no query). */
	path: string;
	/** Path segments, percent-decoded (raw when not decodable), empty ones dropped. */
	segments: string[];
	query: URLSearchParams;
	/** Lower-case header names, as node:http gives them. */
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
	/** Sandbox clock at receipt, ms. */
	now: number;
	/** partial_failure fault: participants (digits or `<digits>@lid`) that must fail. */
	failAddresses?: string[];
}

/** The behaviour every provider emulator offers the HTTP server. */
export interface ProviderEmulator {
	readonly name: ProviderName;
	handle(input: HandlerInput): Reply;
	/** The provider's 429 answer (rate_limit fault). */
	rateLimited(input: HandlerInput, retryAfterSeconds: number): Reply;
	/** The provider's 5xx envelope (http_error fault). */
	serverError(input: HandlerInput, status: number): Reply;
	/** Adds headers the provider sends on every answer (Periskope), in place. */
	decorate(reply: Reply, input: HandlerInput): Reply;
	getChat(chatId: string): SandboxChat | undefined;
	listChats(): SandboxChat[];
	reset(seed: boolean): void;
	/** A message from `from` arrives in a group: emits the provider's message webhook. */
	receiveMessage?(
		chatId: string,
		from: string,
		text: string,
	): { eventId: string; deliveredTo: number };
}

/** Shared services the emulators use. */
export interface EmulatorContext {
	now(): number;
	/** Next value of a named deterministic counter (1, 2, 3, ...). */
	next(counter: string): number;
	/** Webhook subscriptions and signed deliveries (the kernel's; emulators declare schemes). */
	webhooks: Webhooks;
	/** Every chat's message log (the kernel's MessageLog in messages.ts). */
	messages: MessageStore;
	/** Idempotency keys of creates and sends (the kernel's IdempotencyStore in messages.ts). */
	idempotency: IdempotencyKeys;
}

// ---- messages (the kernel's MessageLog and IdempotencyStore in messages.ts) ----

/** One message in a chat, as the sandbox records it (the provider's answers are built from it). */
export interface SandboxMessage {
	provider: ProviderName;
	chatId: string;
	/** The provider's message id (Periskope: `true_<chat>_<unique>_<phone>@c.us`). */
	id: string;
	/** Periskope: the queue id its send answered (`sent_message_id` on the message object). */
	queueId?: string;
	/** `outbound`: sent by your line through the API; `inbound`: posted by a member. */
	direction: 'outbound' | 'inbound';
	/** The sender: your line, or the member (E.164 / email / digits, as the provider names them). */
	from: string;
	/** The text (Periskope `message`, the text parts joined by a blank line for Chert and Linq). */
	text: string | null;
	/** The parts as sent (Chert and Linq), or null. */
	parts: unknown[] | null;
	/** The id of the message this one replies to, or null. */
	replyTo: string | null;
	/** Provider-specific options as sent (e.g. Periskope `options`, Linq `effect`), or null. */
	options: Record<string, unknown> | null;
	createdAt: string;
}

/** Every chat's messages, in order. */
export interface MessageStore {
	add(message: SandboxMessage): SandboxMessage;
	/** The chat's messages, oldest first (a copy). */
	list(provider: ProviderName, chatId: string): SandboxMessage[];
	/** A message of one chat by its id (or its Periskope queue id). */
	find(provider: ProviderName, chatId: string, id: string): SandboxMessage | undefined;
	/** A message of any chat of the provider by its id or queue id. */
	findAnywhere(provider: ProviderName, id: string): SandboxMessage | undefined;
	reset(): void;
}

/** The outcome of presenting an idempotency key with a request. */
export type IdempotencyCheck =
	| { kind: 'new'; remember(reply: Reply): void }
	| { kind: 'replay'; reply: Reply }
	| { kind: 'conflict' };

/** Idempotency keys of one sandbox: the same key and request replay, another request conflicts. */
export interface IdempotencyKeys {
	check(provider: ProviderName, scopedKey: string, request: unknown): IdempotencyCheck;
	reset(): void;
}

// ---- webhooks (the kernel's WebhookHub in webhooks.ts; subscription endpoints in subscriptions.ts) ----

/** A webhook subscription registered at a provider. */
export interface HubSubscription {
	id: string;
	provider: ProviderName;
	url: string;
	/** Provider event types this subscription receives (empty = all). */
	events: string[];
	/** Chert / Linq signing secret (Periskope: none; its scheme is not published). */
	secret?: string;
	/** Linq `phone_numbers`: only events on these lines (empty = all). */
	phoneNumbers: string[];
	createdAt: string;
	updatedAt: string;
}

/** One webhook delivery attempt. */
export interface DeliveryRecord {
	provider: ProviderName;
	subscriptionId: string;
	url: string;
	eventType: string;
	eventId: string;
	/** 1 for the first attempt. */
	attempt: number;
	/** HTTP status of the receiver's answer; 0 for a network error or timeout. */
	status: number;
	headers: Record<string, string>;
	body: string;
	at: number;
}

/** How a provider delivers its webhooks: envelope, signature headers, retry rule. */
export interface WebhookScheme {
	provider: ProviderName;
	/** The payload for one event, in the provider's envelope. */
	envelope(
		eventType: string,
		eventId: string,
		data: Record<string, unknown>,
		nowMs: number,
	): unknown;
	/** The headers of one attempt (signed with the subscription's secret). */
	headers(
		subscription: HubSubscription,
		delivery: { eventType: string; eventId: string; body: string; nowMs: number },
	): Record<string, string>;
	/** How many times a failed delivery is tried again. */
	maxRetries: number;
	/** Whether an answer (status, 0 = network error or timeout) is retried. */
	retryOn(status: number): boolean;
}

/** The kernel's webhook services as the emulators use them (implemented by WebhookHub). */
export interface Webhooks {
	/** Declares a provider's delivery scheme. */
	register(scheme: WebhookScheme): void;
	/** Delivers one event to every subscription of the provider that takes it; returns how many. */
	emit(
		provider: ProviderName,
		eventType: string,
		eventId: string,
		data: Record<string, unknown>,
		line?: string,
	): number;
	add(subscription: Omit<HubSubscription, 'createdAt' | 'updatedAt'>): HubSubscription;
	list(provider: ProviderName): HubSubscription[];
	get(provider: ProviderName, id: string): HubSubscription | undefined;
	remove(provider: ProviderName, id: string): boolean;
}
