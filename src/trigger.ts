/**
 * The Group Chat Trigger's pipeline, free of n8n: which provider declares what, and what one
 * delivery becomes (401, a silent 200, or items). The node (nodes/GroupChatTrigger) only reads
 * parameters, static data and the request, and answers.
 */
import type { Delivery, NormalizedEvent, ProviderEvents, StoredSubscription, TriggerFilters } from './events';
import { matchesFilters, remember } from './events';
import { chertEvents } from './providers/chert';
import { linqEvents } from './providers/linq';
import { periskopeEvents } from './providers/periskope';
import type { Provider } from './types';

export const EVENT_SOURCES: Record<Provider, ProviderEvents> = {
	chert: chertEvents,
	linq: linqEvents,
	periskope: periskopeEvents,
};

export type DeliveryOutcome =
	/** Refused: answer 401, start nothing. `reason` is safe to log (no secret, no signature). */
	| { kind: 'refused'; reason: string }
	/** Authentic but already seen: answer 200, start nothing. */
	| { kind: 'duplicate'; dedupKey: string }
	/** Authentic, new, but nothing the user asked for: answer 200, start nothing. */
	| { kind: 'filtered'; dedupKey: string }
	| { kind: 'events'; dedupKey: string; events: NormalizedEvent[] };

/**
 * Verify → dedup → normalize → filter. `seen` is the bounded window of delivery ids kept in
 * static data; it is updated only for authentic deliveries.
 */
export function processDelivery(
	provider: Provider,
	delivery: Delivery,
	stored: StoredSubscription | undefined,
	seen: string[],
	filters: TriggerFilters,
	nowMs: number,
): DeliveryOutcome {
	if (!stored || stored.provider !== provider) {
		return { kind: 'refused', reason: 'no active subscription for this node (activate the workflow again)' };
	}
	const source = EVENT_SOURCES[provider];
	const verdict = source.verify(delivery, stored, nowMs);
	if (!verdict.ok) return { kind: 'refused', reason: verdict.reason };
	if (!remember(seen, verdict.dedupKey)) return { kind: 'duplicate', dedupKey: verdict.dedupKey };
	const line = source.line?.(verdict.payload);
	const events = source
		.normalize(verdict.payload, nowMs)
		.filter((event) => matchesFilters(event, line, filters));
	return events.length
		? { kind: 'events', dedupKey: verdict.dedupKey, events }
		: { kind: 'filtered', dedupKey: verdict.dedupKey };
}
