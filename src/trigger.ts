/**
 * The Group Chat Trigger's pipeline, free of n8n: what one delivery becomes (401, 422, a silent
 * 200, or items), through the provider's events from the registry. The node
 * (nodes/GroupChatTrigger) only reads parameters, static data and the request, records what was
 * seen, and answers.
 */
import type { Delivery, NormalizedEvent, StoredSubscription, TriggerFilters } from './events';
import { boundedEvent, matchesFilters, shortKey } from './events';
import { readSignedBody } from './payload';
import { entryFor } from './providers';
import type { Provider } from './types';

export type DeliveryOutcome =
	/** Refused: answer 401, start nothing. `reason` is safe to log (no secret, no signature). */
	| { kind: 'refused'; reason: string }
	/**
	 * Authentic, but the body cannot become an item (empty, not JSON, nested too deep, not an
	 * object, no event id): answer 422, start nothing, record nothing. The same bytes would fail
	 * the same way, so the answer is one the providers do not retry.
	 */
	| { kind: 'unreadable'; problem: string }
	/** Authentic but already seen: answer 200, start nothing. */
	| { kind: 'duplicate'; dedupKey: string }
	/** Authentic, new, but nothing the user asked for: record it, answer 200, start nothing. */
	| { kind: 'filtered'; dedupKey: string }
	/** Authentic and new: record `dedupKey` once its items exist. */
	| { kind: 'events'; dedupKey: string; events: NormalizedEvent[] };

/**
 * Verify → read the body → dedup → normalize → filter. Pure: `seen` (the bounded window of
 * delivery ids) is only read; the caller records `dedupKey` once the items exist.
 */
export function processDelivery(
	provider: Provider,
	delivery: Delivery,
	stored: StoredSubscription | undefined,
	seen: readonly string[],
	/** Read only for verified, new deliveries (the node's parameters may hold expressions). */
	filters: () => TriggerFilters,
	nowMs: number,
): DeliveryOutcome {
	if (!stored || stored.provider !== provider) {
		return {
			kind: 'refused',
			reason: 'no active subscription for this node (activate the workflow again)',
		};
	}
	const source = entryFor(provider).events;
	const verdict = source.verify(delivery, stored, nowMs);
	if (!verdict.ok) return { kind: 'refused', reason: verdict.reason };
	const body = readSignedBody(delivery.rawBody);
	if (!body.ok) return { kind: 'unreadable', problem: body.problem };
	const id = source.dedupKey(body.payload, delivery, verdict.signedId);
	if (!id) return { kind: 'unreadable', problem: 'the body has no event id' };
	const dedupKey = shortKey(id);
	if (seen.includes(dedupKey)) return { kind: 'duplicate', dedupKey };
	const wanted = filters();
	const line = source.line?.(body.payload);
	const events = source
		.normalize(body.payload, nowMs)
		.map(boundedEvent)
		.filter((event) => matchesFilters(event, line, wanted));
	return events.length ? { kind: 'events', dedupKey, events } : { kind: 'filtered', dedupKey };
}
