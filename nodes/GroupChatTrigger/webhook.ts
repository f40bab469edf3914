import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { capRaw } from '../../src/boundary';
import type { NormalizedEvent, StoredSubscription, TriggerFilters } from '../../src/events';
import { SEEN_LIMIT } from '../../src/events';
import { processDelivery } from '../../src/trigger';
import { readChatIds, readEvents, readLines, readProvider } from './lifecycle';

function filtersOf(context: IWebhookFunctions): TriggerFilters {
	const provider = readProvider(context);
	let lines: string[];
	try {
		lines = readLines(context, provider);
	} catch {
		lines = [];
	}
	return { events: readEvents(context, provider), lines, chatIds: readChatIds(context) };
}

/**
 * Recent delivery ids per trigger node, in this n8n process. The static data copy is what
 * survives a restart, but n8n (2.40, regular mode) does not save a webhook's static data when
 * that same delivery starts an execution: building the execution's workflow resets n8n's
 * "changed" flag before the webhook's save runs. This copy closes that gap for as long as the
 * process lives. Bounded: SEEN_LIMIT ids per node, at most MAX_NODES nodes.
 */
const RECENT = new Map<string, string[]>();
const MAX_NODES = 500;

function recentFor(key: string): string[] {
	return RECENT.get(key) ?? [];
}

function keepRecent(key: string, seen: string[]): void {
	RECENT.delete(key);
	RECENT.set(key, seen.slice(-SEEN_LIMIT));
	while (RECENT.size > MAX_NODES) RECENT.delete(RECENT.keys().next().value as string);
}

/** The output item: exactly the documented shape, `actor` only when the provider says who. */
function toItem(event: NormalizedEvent): IDataObject {
	const item: IDataObject = {
		provider: event.provider,
		event: event.event,
		chatId: event.chatId,
		participant: event.participant,
		name: event.name,
	};
	if (event.actor !== undefined && event.actor !== null) item.actor = event.actor;
	item.occurredAt = event.occurredAt;
	item.eventId = event.eventId;
	item.raw = capRaw(event.raw) as IDataObject;
	return item;
}

/**
 * One delivery: raw body → the provider's check (signature or token, 300 s window) → dedup on
 * the signed event id → normalized items. Anything that fails a check answers 401 and starts no
 * execution; a redelivery or an event nobody asked for answers 200 and starts none either.
 */
export async function receive(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = this.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };
	const provider = readProvider(this);
	const data = this.getWorkflowStaticData('node');
	const memoryKey = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
	const stored = Array.isArray(data.seen) ? (data.seen as unknown[]).map(String) : [];
	const seen = [...new Set([...stored, ...recentFor(memoryKey)])].slice(-SEEN_LIMIT);
	const rawBody = request.rawBody instanceof Uint8Array ? request.rawBody : new Uint8Array();
	const outcome = processDelivery(
		provider,
		{ headers: this.getHeaderData() as IDataObject as Record<string, string | string[] | undefined>, rawBody, query: this.getQueryData() as Record<string, unknown> },
		data.subscription as StoredSubscription | undefined,
		seen,
		filtersOf(this),
		Date.now(),
	);
	if (outcome.kind === 'refused') {
		this.logger.warn(`Group Chat Trigger (${provider}): delivery refused with 401: ${outcome.reason}`);
		const response = this.getResponseObject();
		response.status(401).json({ error: 'unauthorized', message: 'The delivery could not be verified' });
		return { noWebhookResponse: true };
	}
	// Assigned anew so n8n notices the change and saves the window with the workflow.
	data.seen = seen;
	keepRecent(memoryKey, seen);
	if (outcome.kind === 'duplicate') {
		return { webhookResponse: { received: true, duplicate: true } };
	}
	if (outcome.kind === 'filtered') {
		return { webhookResponse: { received: true, ignored: true } };
	}
	return { workflowData: [this.helpers.returnJsonArray(outcome.events.map(toItem))] };
}
