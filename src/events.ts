/**
 * Group Chat Trigger core, free of n8n: the normalized events, what each provider must
 * declare to deliver them (src/providers/*.ts, "Group Chat Trigger" section), and the path of
 * one delivery: verify → dedup → normalize → filter.
 */
import { normalizeAddress } from './addresses';
import type { AddressFormat } from './addresses';
import type { HttpMethod } from './providers/adapter';
import type { Provider } from './types';

export const TRIGGER_EVENTS = [
	'participant.added',
	'participant.removed',
	'group.renamed',
	'group.icon_changed',
	'group.created',
	'change.failed',
	'message.received',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const EVENT_LABELS: Record<TriggerEvent, { name: string; description: string }> = {
	'participant.added': { name: 'Participant Added', description: 'Someone joined the group or was added' },
	'participant.removed': {
		name: 'Participant Removed',
		description: 'Someone was removed or left the group, including your own line leaving',
	},
	'group.renamed': { name: 'Group Renamed', description: 'The group’s name changed' },
	'group.icon_changed': { name: 'Group Icon Changed', description: 'The group’s picture changed' },
	'group.created': { name: 'Group Created', description: 'A new group that includes your line' },
	'change.failed': {
		name: 'Change Failed',
		description: 'A queued rename or icon change was refused by the network (Linq)',
	},
	'message.received': { name: 'Message Received in a Group', description: 'A message arrived in a group' },
};

/** One output item of the trigger: the same shape on every provider. */
export interface NormalizedEvent {
	provider: Provider;
	event: TriggerEvent;
	chatId: string | null;
	/** The participant the event is about (added, removed, sender of a message), normalized. */
	participant: string | null;
	/** The group's name when the event carries it (the new name for group.renamed). */
	name: string | null;
	/** Who made the change, when the provider says. */
	actor?: string | null;
	occurredAt: string;
	eventId: string;
	/** The provider's payload as received (never headers, secrets or signatures). */
	raw: unknown;
	/** Provider-specific extras that do not fit the shape (message text, error code, icon URL). */
	details?: Record<string, unknown>;
}

/** What the node keeps in the workflow's static data for one trigger node. */
export interface StoredSubscription {
	provider: Provider;
	/** The delivery URL the provider was given (Periskope: with the token in the query). */
	target: string;
	/** Provider subscription ids (Periskope creates one per event type). */
	ids: string[];
	/** Chert / Linq signing secret, shown once at creation. */
	secret?: string;
	/** Periskope: the token this node put in the delivery URL. */
	token?: string;
	events: TriggerEvent[];
	createdAt: string;
}

export interface SubscriptionCall {
	method: HttpMethod;
	path: string;
	body?: unknown;
	purpose: string;
}

/** One received delivery, as n8n hands it over. */
export interface Delivery {
	/** Lower-case header names. */
	headers: Record<string, string | string[] | undefined>;
	rawBody: Uint8Array;
	query: Record<string, unknown>;
}

export type VerifyResult =
	| { ok: true; dedupKey: string; payload: unknown }
	| { ok: false; reason: string };

/** What a provider file declares for the trigger. */
export interface ProviderEvents {
	provider: Provider;
	/** Normalized events this provider can deliver (the editor shows only these). */
	supported: readonly TriggerEvent[];
	/** One-line honest statement of how deliveries are authenticated, for notices and errors. */
	verification: string;
	/** The delivery URL handed to the provider (Periskope adds the token). */
	target(webhookUrl: string, token?: string): string;
	/** Problem with the URL for this provider (Chert: HTTPS only), or undefined. */
	checkTarget?(webhookUrl: string, baseUrl: string): string | undefined;
	create(target: string, events: TriggerEvent[], senders: string[]): SubscriptionCall;
	/** Ids and signing secret from the create answer. */
	created(json: unknown): { ids: string[]; secret?: string };
	list(): SubscriptionCall;
	listed(json: unknown): { id: string; url: string }[];
	remove(id: string): SubscriptionCall;
	/** Authenticates a delivery against the stored subscription and takes the dedup key from signed content. */
	verify(delivery: Delivery, stored: StoredSubscription, nowMs: number): VerifyResult;
	/** Turns a verified payload into zero or more normalized events. */
	normalize(payload: unknown, nowMs: number): NormalizedEvent[];
	/** The sending line an event happened on, when the payload says. */
	line?(payload: unknown): string | undefined;
	/** Addresses as the action node outputs them (E.164 or digits). */
	address(value: string): string;
}

/**
 * An address from a payload as the action node outputs it (E.164 or digits; emails lower-case);
 * a value that is no valid address is kept as the provider sent it.
 */
export function eventAddress(value: string, format: AddressFormat): string {
	try {
		return normalizeAddress(value, format, undefined);
	} catch {
		return value;
	}
}

/** The URL without query and fragment, for "same delivery URL" comparisons. */
export function withoutQuery(url: string): string {
	const cut = url.search(/[?#]/);
	return (cut === -1 ? url : url.slice(0, cut)).replace(/\/+$/, '');
}

// ---- deduplication ---------------------------------------------------------------------------

/** How many delivery ids the node remembers (oldest forgotten first). */
export const SEEN_LIMIT = 1000;

/**
 * Records a dedup key in a bounded first-in-first-out window; returns false when it was
 * already there (a redelivery).
 */
export function remember(seen: string[], key: string, limit = SEEN_LIMIT): boolean {
	if (seen.includes(key)) return false;
	seen.push(key);
	if (seen.length > limit) seen.splice(0, seen.length - limit);
	return true;
}

// ---- filters ---------------------------------------------------------------------------------

export interface TriggerFilters {
	events: TriggerEvent[];
	/** Normalized sending lines; empty = any. */
	lines: string[];
	/** Chat ids; empty = any. */
	chatIds: string[];
}

export function matchesFilters(
	event: NormalizedEvent,
	line: string | undefined,
	filters: TriggerFilters,
): boolean {
	if (!filters.events.includes(event.event)) return false;
	if (filters.chatIds.length && !filters.chatIds.some((id) => id.toLowerCase() === (event.chatId ?? '').toLowerCase())) {
		return false;
	}
	// A line filter can only be checked when the payload names the line; otherwise the
	// provider's own filter (Linq phone_numbers) or the subscription decides.
	if (filters.lines.length && line !== undefined && !filters.lines.includes(line)) return false;
	return true;
}

/** ISO time from seconds, milliseconds or an ISO string; `fallbackMs` otherwise. */
export function isoTime(value: unknown, fallbackMs: number): string {
	if (typeof value === 'number' && Number.isFinite(value)) {
		return new Date(value < 1e12 ? value * 1000 : value).toISOString();
	}
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Date.parse(value);
		if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
	}
	return new Date(fallbackMs).toISOString();
}

/** First value of a header. */
export function headerValue(headers: Delivery['headers'], name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** Parses the raw body as JSON (after a BOM), or undefined. */
export function parseBody(rawBody: Uint8Array): unknown {
	try {
		const text = new TextDecoder('utf-8').decode(rawBody).replace(/^\uFEFF/, '');
		return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
	} catch {
		return undefined;
	}
}
