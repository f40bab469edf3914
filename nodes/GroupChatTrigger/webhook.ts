import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { Redactor } from '../../src/redaction';
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
const RECENT = new Map<string, { window: string[]; saved: unknown }>();
const MAX_NODES = 500;

/**
 * The window of seen ids: the in-process copy when the static data still holds what this process
 * saved last (no copying per delivery), else the static data's and the in-process ids merged.
 */
function windowFor(key: string, stored: unknown): string[] {
	const recent = RECENT.get(key);
	if (recent && recent.saved === stored) return recent.window;
	const kept = Array.isArray(stored) ? (stored as unknown[]).map(String) : [];
	return [...new Set([...kept, ...(recent?.window ?? [])])].slice(-SEEN_LIMIT);
}

/** Keeps `window` in this process and in the node's static data (a new array, so n8n saves it). */
function saveWindow(key: string, data: IDataObject, window: string[]): void {
	data.seen = window;
	RECENT.delete(key);
	RECENT.set(key, { window, saved: data.seen });
	while (RECENT.size > MAX_NODES) RECENT.delete(RECENT.keys().next().value as string);
}

/**
 * The output item: exactly the documented shape, `actor` only when the provider says who.
 * `eventId` is never empty: an event whose payload names no id carries the delivery's dedup key
 * (what the trigger and its database check record it under).
 */
function toItem(event: NormalizedEvent, dedupKey: string): IDataObject {
	const item: IDataObject = {
		provider: event.provider,
		event: event.event,
		chatId: event.chatId,
		participant: event.participant,
		name: event.name,
	};
	if (event.actor !== undefined && event.actor !== null) item.actor = event.actor;
	item.occurredAt = event.occurredAt;
	item.eventId = event.eventId || dedupKey;
	// Already a bounded copy of the part of the payload about this event (src/events boundedRaw).
	item.raw = event.raw as IDataObject;
	return item;
}

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

function answer(response: Response, status: number, body: IDataObject): IWebhookResponseData {
	response.status(status).json(body);
	return { noWebhookResponse: true };
}

/** An error's name and message for the log, cut short, with the subscription's secrets removed. */
function describeFailure(error: unknown, stored: StoredSubscription | undefined): string {
	const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	const redactor = new Redactor([stored?.secret ?? '', stored?.token ?? '']);
	return redactor.text(text.slice(0, 300));
}

/**
 * One delivery: raw body → the provider's check (signature or token, 300 s window) → the body
 * read as a JSON object → dedup on the signed event id → normalized items. Answers:
 * - 401: not verified; nothing starts, nothing is recorded;
 * - 422 `{error: "unprocessable"}`: verified, but the body cannot become an item (empty, not
 *   JSON, nested deeper than 64 levels, not an object, no event id); nothing starts, nothing is
 *   recorded, and the same bytes always get this answer (providers do not retry a 4xx);
 * - 200 without execution: a redelivery, or an event the node's filters exclude (recorded);
 * - 500 `{error: "processing_failed"}`: verified, but building the items failed; the id is NOT
 *   recorded, so the provider's retry of the same event is processed;
 * - otherwise the items (one execution); the id is recorded once they exist.
 */
export async function receive(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = this.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & {
		rawBody?: Buffer;
	};
	const provider = readProvider(this);
	const data = this.getWorkflowStaticData('node');
	const stored = data.subscription as StoredSubscription | undefined;
	const response = this.getResponseObject();
	const log = (message: string) => this.logger.warn(`Group Chat Trigger (${provider}): ${message}`);
	try {
		const memoryKey = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
		const seen = windowFor(memoryKey, data.seen);
		const rawBody = request.rawBody instanceof Uint8Array ? request.rawBody : new Uint8Array();
		const outcome = processDelivery(
			provider,
			{
				headers: this.getHeaderData() as IDataObject as Record<
					string,
					string | string[] | undefined
				>,
				rawBody,
				query: this.getQueryData() as Record<string, unknown>,
			},
			stored,
			seen,
			() => filtersOf(this),
			Date.now(),
		);
		if (outcome.kind === 'refused') {
			log(`delivery refused with 401: ${outcome.reason}`);
			return answer(response, 401, {
				error: 'unauthorized',
				message: 'The delivery could not be verified',
			});
		}
		if (outcome.kind === 'unreadable') {
			log(`verified delivery refused with 422, nothing started or recorded: ${outcome.problem}`);
			return answer(response, 422, {
				error: 'unprocessable',
				message: `The delivery was verified but cannot start a workflow: ${outcome.problem}`,
			});
		}
		if (outcome.kind === 'duplicate') {
			// Assigned again so n8n saves the window (it may not have after the original delivery).
			saveWindow(memoryKey, data, seen);
			return { webhookResponse: { received: true, duplicate: true } };
		}
		const recorded = seen.slice(seen.length >= SEEN_LIMIT ? seen.length - SEEN_LIMIT + 1 : 0);
		recorded.push(outcome.dedupKey);
		if (outcome.kind === 'filtered') {
			saveWindow(memoryKey, data, recorded);
			return { webhookResponse: { received: true, ignored: true } };
		}
		const items = this.helpers.returnJsonArray(
			outcome.events.map((event) => toItem(event, outcome.dedupKey)),
		);
		// Recorded only now that its items exist: a failure before this line leaves it unrecorded.
		saveWindow(memoryKey, data, recorded);
		// n8n answers with webhookResponse once the execution exists (the description's responseData '').
		return { workflowData: [items], webhookResponse: { received: true } };
	} catch (error) {
		log(
			`a delivery failed while being processed (${describeFailure(error, stored)}); answered 500 and not recorded, so the provider's retry is processed`,
		);
		return answer(response, 500, {
			error: 'processing_failed',
			message:
				'The delivery could not be processed; it was not recorded, so a redelivery will be processed',
		});
	}
}
