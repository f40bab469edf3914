/**
 * The Group Chat Trigger's vocabulary, free of n8n: the normalized events and their labels, what
 * the node keeps per subscription, one delivery as received, the ids and text bounds of items,
 * and the filters. Each provider declares its events (ProviderEvents, src/providers/contract.ts)
 * in its own folder; src/trigger.ts runs one delivery through them.
 */
import { payloadDigest } from './signing';
import type { Provider } from './types';

export const TRIGGER_EVENTS = [
	'participant.added',
	'participant.removed',
	'group.renamed',
	'group.icon_changed',
	'group.created',
	'change.failed',
	'message.received',
	'participant.promoted',
	'participant.demoted',
	'group.invite_link_reset',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const EVENT_LABELS: Record<TriggerEvent, { name: string; description: string }> = {
	'participant.added': {
		name: 'Participant Added',
		description: 'Someone joined the group or was added',
	},
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
	'message.received': {
		name: 'Message Received in a Group',
		description: 'A message arrived in a group',
	},
	'participant.promoted': {
		name: 'Participant Made Admin',
		description: 'A member became an admin of the group (WhatsApp)',
	},
	'participant.demoted': {
		name: 'Participant No Longer Admin',
		description: 'A member lost admin rights in the group (WhatsApp)',
	},
	'group.invite_link_reset': {
		name: 'Invite Link Reset',
		description: 'The group’s invite link was reset: the old link stopped working (WhatsApp)',
	},
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
	/**
	 * The part of the provider's payload about this event, as a bounded copy (`boundedRaw`,
	 * `rawPerEntry`): never headers, secrets or signatures, never the whole of a long list.
	 */
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

/** One received delivery, as n8n hands it over. */
export interface Delivery {
	/** Lower-case header names. */
	headers: Record<string, string | string[] | undefined>;
	rawBody: Uint8Array;
	query: Record<string, unknown>;
}

/**
 * Whether a delivery is authentic. `signedId` is an id the signature covers outside the body
 * (Linq's `webhook-id`), usable as the dedup key when the body has none.
 */
export type VerifyResult = { ok: true; signedId?: string } | { ok: false; reason: string };

/** The URL without query and fragment, for "same delivery URL" comparisons. */
export function withoutQuery(url: string): string {
	const cut = url.search(/[?#]/);
	return (cut === -1 ? url : url.slice(0, cut)).replace(/\/+$/, '');
}

// ---- deduplication ---------------------------------------------------------------------------

/** How many delivery ids the node remembers (oldest forgotten first). */
export const SEEN_LIMIT = 1000;

/** Dedup keys and event ids longer than this are kept as their SHA-256 (a signed body may carry any id). */
export const MAX_KEY_LENGTH = 200;

/** An id as kept and shown: itself, or `sha256:<hex>` of it when longer than MAX_KEY_LENGTH. */
export function shortKey(id: string): string {
	return id.length > MAX_KEY_LENGTH ? `sha256:${payloadDigest(id)}` : id;
}

/** Longest chat id, participant or actor an item carries; the group name may be longer. */
export const MAX_ID_CHARS = 256;
export const MAX_NAME_CHARS = 1024;

/** Text cut to `max` characters (marked with "…"), so no field of an item grows with the body. */
export function clipText(value: string | null | undefined, max: number): string | null {
	if (value === null || value === undefined) return null;
	return value.length > max ? `${value.slice(0, max)}…` : value;
}

/**
 * The event with every text field bounded: ids and names from a signed body can be any length,
 * and one delivery may fan out into thousands of items that would each carry them.
 */
export function boundedEvent(event: NormalizedEvent): NormalizedEvent {
	const bounded: NormalizedEvent = {
		...event,
		chatId: clipText(event.chatId, MAX_ID_CHARS),
		participant: clipText(event.participant, MAX_ID_CHARS),
		name: clipText(event.name, MAX_NAME_CHARS),
		eventId: shortKey(event.eventId),
	};
	if (event.actor !== undefined) bounded.actor = clipText(event.actor, MAX_ID_CHARS);
	return bounded;
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
	if (
		filters.chatIds.length &&
		!filters.chatIds.some((id) => id.toLowerCase() === (event.chatId ?? '').toLowerCase())
	) {
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
