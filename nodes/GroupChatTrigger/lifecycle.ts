import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions } from 'n8n-workflow';

import { normalizeAddressList } from '../../src/addresses';
import type { StoredSubscription, TriggerEvent } from '../../src/events';
import { EVENT_LABELS, TRIGGER_EVENTS, clipText, withoutQuery } from '../../src/events';
import { entryFor } from '../../src/providers';
import { PROVIDERS } from '../../src/types';
import type { Provider } from '../../src/types';
import { callProvider } from '../GroupChat/transport';

type Context = IHookFunctions;

export function readProvider(context: {
	getNodeParameter(name: string, fallback?: unknown): unknown;
}): Provider {
	const value = context.getNodeParameter('provider', 'linq');
	return PROVIDERS.includes(value as Provider) ? (value as Provider) : 'linq';
}

export function readEvents(
	context: { getNodeParameter(name: string, fallback?: unknown): unknown },
	provider: Provider,
): TriggerEvent[] {
	const raw = context.getNodeParameter('events', []);
	const supported = entryFor(provider).events.supported;
	return (Array.isArray(raw) ? raw : []).filter(
		(event): event is TriggerEvent =>
			TRIGGER_EVENTS.includes(event as TriggerEvent) && supported.includes(event as TriggerEvent),
	);
}

/**
 * Why activation has no event to subscribe to: none chosen, or only events this provider does
 * not deliver (a workflow saved with another provider's events, then switched), named.
 */
function noEventsMessage(raw: unknown, provider: Provider, label: string): string {
	const chosen = Array.isArray(raw) ? raw : [];
	const named = chosen
		.slice(0, 10)
		.map((event) =>
			TRIGGER_EVENTS.includes(event as TriggerEvent)
				? EVENT_LABELS[event as TriggerEvent].name
				: (clipText(JSON.stringify(event) ?? String(event), 60) as string),
		);
	if (chosen.length > 10) named.push(`… ${chosen.length - 10} more`);
	const offered = entryFor(provider)
		.events.supported.map((event) => EVENT_LABELS[event].name)
		.join(', ');
	if (named.length === 0)
		return `Choose at least one event in "Trigger On" (${label} delivers: ${offered})`;
	return `${label} does not deliver the events chosen in "Trigger On" (${named.join(', ')}): choose from ${offered}`;
}

export function readLines(
	context: { getNodeParameter(name: string, fallback?: unknown): unknown },
	provider: Provider,
): string[] {
	// Lines are phone numbers in the provider's format; numbers without a country code are read
	// as US numbers, as in the action node's default.
	const format = { ...entryFor(provider).adapter.rules.addresses, emails: false };
	return normalizeAddressList(context.getNodeParameter('senders', ''), format, 'US', 'senders');
}

export function readChatIds(context: {
	getNodeParameter(name: string, fallback?: unknown): unknown;
}): string[] {
	const raw = context.getNodeParameter('chatIds', '');
	const list = Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(/[,;\n\r]+/);
	return list.map((entry) => entry.trim()).filter(Boolean);
}

function webhookUrlOf(context: Context): string {
	const url = context.getNodeWebhookUrl('default');
	if (!url)
		throw new NodeOperationError(context.getNode(), 'n8n did not give this trigger a webhook URL');
	return url;
}

async function credentialsOf(
	context: Context,
	provider: Provider,
): Promise<ICredentialDataDecryptedObject> {
	return (await context.getCredentials(
		entryFor(provider).credentialType,
	)) as ICredentialDataDecryptedObject;
}

function storedOf(data: IDataObject): StoredSubscription | undefined {
	const stored = data.subscription as StoredSubscription | undefined;
	return stored && typeof stored === 'object' && Array.isArray(stored.ids) ? stored : undefined;
}

function sameSet<T>(a: T[], b: T[]): boolean {
	return a.length === b.length && a.every((entry) => b.includes(entry));
}

/** Subscriptions deleted before creating one: more than this for one URL is not a leftover. */
const MAX_STALE = 20;
/** Deadline of each subscription call (list, create, delete): small requests, activation waits on them. */
const SUBSCRIPTION_TIMEOUT_MS = 10_000;

function labelOf(provider: Provider): string {
	return entryFor(provider).label;
}

/** The provider's subscriptions; an answer without a list is an error (nothing is guessed). */
async function listed(
	context: Context,
	provider: Provider,
	credentials: ICredentialDataDecryptedObject,
) {
	const source = entryFor(provider).events;
	const reply = await callProvider(context, provider, source.list(), {
		credentials,
		timeoutMs: SUBSCRIPTION_TIMEOUT_MS,
	});
	const list = source.listed(reply.json);
	if (!list) {
		throw new NodeOperationError(
			context.getNode(),
			`${labelOf(provider)}: could not read the list of webhook subscriptions: the answer holds no list`,
			{ description: `${labelOf(provider)}: ${source.manage}.` },
		);
	}
	return list;
}

/** Deletes one provider subscription; one that is already gone counts as deleted. */
async function deleteOne(
	context: Context,
	provider: Provider,
	id: string,
	credentials: ICredentialDataDecryptedObject,
) {
	try {
		await callProvider(context, provider, entryFor(provider).events.remove(id), {
			credentials,
			timeoutMs: SUBSCRIPTION_TIMEOUT_MS,
		});
	} catch (error) {
		if (error instanceof NodeApiError && error.httpCode === '404') return;
		throw error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(context.getNode(), error as Error);
	}
}

/** The subscription stored for this node exists at the provider, for this URL and these events. */
export async function checkExists(this: Context): Promise<boolean> {
	const provider = readProvider(this);
	const stored = storedOf(this.getWorkflowStaticData('node'));
	if (!stored || stored.provider !== provider) return false;
	if (withoutQuery(stored.target) !== withoutQuery(webhookUrlOf(this))) return false;
	if (!sameSet(stored.events, readEvents(this, provider))) return false;
	const credentials = await credentialsOf(this, provider);
	const atProvider = await listed(this, provider, credentials);
	return stored.ids.every((id) => atProvider.some((entry) => entry.id === id));
}

/**
 * After a create answer that cannot be used: deletes what was created (by id, or — when the
 * answer named no id — whatever the provider lists for this URL, all of it from this request,
 * since leftovers were deleted just before) and says exactly what is left.
 */
async function undoCreate(
	context: Context,
	provider: Provider,
	credentials: ICredentialDataDecryptedObject,
	ids: string[],
	webhookUrl: string,
): Promise<string> {
	const label = labelOf(provider);
	const source = entryFor(provider).events;
	let found = ids;
	if (found.length === 0) {
		try {
			found = (await listed(context, provider, credentials))
				.filter((entry) => withoutQuery(entry.url) === withoutQuery(webhookUrl))
				.map((entry) => entry.id);
		} catch {
			found = [];
		}
		if (found.length === 0) {
			return `No subscription ID came back and none is listed for this URL, so nothing could be deleted: an orphan subscription for ${webhookUrl} may remain at ${label} (${source.manage}). The next activation of this workflow deletes subscriptions registered for this URL.`;
		}
	}
	const left: string[] = [];
	for (const id of found) {
		try {
			await deleteOne(context, provider, id, credentials);
		} catch (error) {
			left.push(`${id} (${(error as Error).message})`);
		}
	}
	const what = ids.length
		? 'it was deleted again'
		: 'the subscription listed for this URL was deleted';
	if (left.length === 0) return `${what[0].toUpperCase()}${what.slice(1)}.`;
	return `Deleting it failed, so ${left.length === 1 ? 'this subscription remains' : 'these subscriptions remain'} at ${label}: ${left.join('; ')}. ${source.manage}; the next activation of this workflow also deletes subscriptions registered for this URL.`;
}

/** A create request that failed in a way that may have created it anyway (5xx, timeout, unreadable 2xx). */
function mayHaveCreated(error: NodeApiError): boolean {
	const status = Number(error.httpCode);
	return (
		!Number.isFinite(status) || status === 0 || (status >= 200 && status < 300) || status >= 500
	);
}

/**
 * Creates the subscription for n8n's webhook URL, all or nothing: it is kept only when the
 * provider's answer names it and carries a secret that can verify deliveries; otherwise what was
 * created is deleted and activation fails, saying what the answer lacked and what may remain.
 * Subscriptions already registered for the same URL (a previous activation that was never
 * cleaned up, or one whose secret is lost) are deleted first, so reactivating never leaves two.
 */
export async function create(this: Context): Promise<boolean> {
	const provider = readProvider(this);
	const source = entryFor(provider).events;
	const label = labelOf(provider);
	const events = readEvents(this, provider);
	if (events.length === 0) {
		throw new NodeOperationError(
			this.getNode(),
			noEventsMessage(this.getNodeParameter('events', []), provider, label),
		);
	}
	let lines: string[];
	try {
		lines = readLines(this, provider);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `Sender Lines: ${(error as Error).message}`);
	}
	const webhookUrl = webhookUrlOf(this);
	const credentials = await credentialsOf(this, provider);
	const problem = source.checkTarget?.(webhookUrl, String(credentials.baseUrl ?? ''));
	if (problem) throw new NodeOperationError(this.getNode(), problem);

	const data = this.getWorkflowStaticData('node');
	const previous = storedOf(data);
	const stale = (await listed(this, provider, credentials)).filter(
		(entry) =>
			withoutQuery(entry.url) === withoutQuery(webhookUrl) || previous?.ids.includes(entry.id),
	);
	if (stale.length > MAX_STALE) {
		throw new NodeOperationError(
			this.getNode(),
			`${label} lists ${stale.length} webhook subscriptions for this trigger's URL; that is not a leftover this node deletes on its own. Delete them at ${label} (${source.manage}) and activate again.`,
		);
	}
	for (const entry of stale) await deleteOne(this, provider, entry.id, credentials);

	const { target, token } = source.target(webhookUrl);
	let reply;
	try {
		reply = await callProvider(this, provider, source.create(target, events, lines), {
			credentials,
			timeoutMs: SUBSCRIPTION_TIMEOUT_MS,
		});
	} catch (error) {
		const failure =
			error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(this.getNode(), error as Error);
		if (failure instanceof NodeApiError && mayHaveCreated(failure)) {
			failure.message += `. The subscription may have been created anyway: ${await undoCreate(this, provider, credentials, [], webhookUrl)}`;
		}
		throw failure;
	}
	const { ids, secret } = source.created(reply.json);
	if (ids.length === 0) {
		const outcome = await undoCreate(this, provider, credentials, ids, webhookUrl);
		throw new NodeOperationError(
			this.getNode(),
			`${label} answered the request to create the webhook subscription without a subscription ID, so this trigger could not keep it and did not activate. ${outcome}`,
		);
	}
	const unusable = source.secretProblem?.(secret);
	if (unusable) {
		const outcome = await undoCreate(this, provider, credentials, ids, webhookUrl);
		throw new NodeOperationError(
			this.getNode(),
			`${label} created the webhook subscription, but ${unusable}, so no delivery could be verified and this trigger did not activate. ${outcome}`,
		);
	}
	const subscription: StoredSubscription = {
		provider,
		target,
		ids,
		events,
		createdAt: new Date().toISOString(),
		...(secret ? { secret } : {}),
		...(token ? { token } : {}),
	};
	data.subscription = subscription as unknown as IDataObject;
	return true;
}

/** Deletes the subscription; the window of seen delivery ids is kept for a reactivation. */
export async function remove(this: Context): Promise<boolean> {
	const provider = readProvider(this);
	const data = this.getWorkflowStaticData('node');
	const stored = storedOf(data);
	if (!stored) return true;
	try {
		const credentials = await credentialsOf(this, stored.provider ?? provider);
		for (const id of stored.ids)
			await deleteOne(this, stored.provider ?? provider, id, credentials);
	} catch {
		return false;
	}
	delete data.subscription;
	return true;
}
