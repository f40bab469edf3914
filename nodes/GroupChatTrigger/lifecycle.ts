import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions } from 'n8n-workflow';

import { normalizeAddressList } from '../../src/addresses';
import type { StoredSubscription, TriggerEvent } from '../../src/events';
import { TRIGGER_EVENTS, withoutQuery } from '../../src/events';
import { EVENT_SOURCES } from '../../src/trigger';
import { newWebhookToken } from '../../src/signing';
import { PROVIDERS } from '../../src/types';
import type { Provider } from '../../src/types';
import { CREDENTIAL_TYPES, callProvider } from '../GroupChat/transport';

type Context = IHookFunctions;

export function readProvider(context: { getNodeParameter(name: string, fallback?: unknown): unknown }): Provider {
	const value = context.getNodeParameter('provider', 'linq');
	return PROVIDERS.includes(value as Provider) ? (value as Provider) : 'linq';
}

export function readEvents(context: { getNodeParameter(name: string, fallback?: unknown): unknown }, provider: Provider): TriggerEvent[] {
	const raw = context.getNodeParameter('events', []);
	const supported = EVENT_SOURCES[provider].supported;
	return (Array.isArray(raw) ? raw : []).filter(
		(event): event is TriggerEvent => TRIGGER_EVENTS.includes(event as TriggerEvent) && supported.includes(event as TriggerEvent),
	);
}

export function readLines(context: { getNodeParameter(name: string, fallback?: unknown): unknown }, provider: Provider): string[] {
	const format = provider === 'periskope' ? 'digits' : 'e164';
	// Numbers without a country code are read as US numbers, as in the action node's default.
	return normalizeAddressList(context.getNodeParameter('senders', ''), { phone: format, emails: false, label: provider }, 'US', 'senders');
}

export function readChatIds(context: { getNodeParameter(name: string, fallback?: unknown): unknown }): string[] {
	const raw = context.getNodeParameter('chatIds', '');
	const list = Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(/[,;\n\r]+/);
	return list.map((entry) => entry.trim()).filter(Boolean);
}

function webhookUrlOf(context: Context): string {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n did not give this trigger a webhook URL');
	return url;
}

async function credentialsOf(context: Context, provider: Provider): Promise<ICredentialDataDecryptedObject> {
	return (await context.getCredentials(CREDENTIAL_TYPES[provider])) as ICredentialDataDecryptedObject;
}

function storedOf(data: IDataObject): StoredSubscription | undefined {
	const stored = data.subscription as StoredSubscription | undefined;
	return stored && typeof stored === 'object' && Array.isArray(stored.ids) ? stored : undefined;
}

function sameSet<T>(a: T[], b: T[]): boolean {
	return a.length === b.length && a.every((entry) => b.includes(entry));
}

async function listed(context: Context, provider: Provider, credentials: ICredentialDataDecryptedObject) {
	const source = EVENT_SOURCES[provider];
	const reply = await callProvider(context, provider, source.list(), { credentials });
	return source.listed(reply.json) ?? [];
}

/** Deletes one provider subscription; one that is already gone counts as deleted. */
async function deleteOne(context: Context, provider: Provider, id: string, credentials: ICredentialDataDecryptedObject) {
	try {
		await callProvider(context, provider, EVENT_SOURCES[provider].remove(id), { credentials });
	} catch (error) {
		if (error instanceof NodeApiError && error.httpCode === '404') return;
		throw error instanceof NodeApiError ? error : new NodeOperationError(context.getNode(), error as Error);
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
 * Creates the subscription for n8n's webhook URL. Subscriptions already registered for the same
 * URL (a previous activation that was never cleaned up, or one whose secret is lost) are deleted
 * first, so reactivating never leaves two.
 */
export async function create(this: Context): Promise<boolean> {
	const provider = readProvider(this);
	const source = EVENT_SOURCES[provider];
	const events = readEvents(this, provider);
	if (events.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Choose at least one event in "Trigger On"');
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
		(entry) => withoutQuery(entry.url) === withoutQuery(webhookUrl) || previous?.ids.includes(entry.id),
	);
	for (const entry of stale) await deleteOne(this, provider, entry.id, credentials);

	const token = provider === 'periskope' ? newWebhookToken() : undefined;
	const target = source.target(webhookUrl, token);
	const reply = await callProvider(this, provider, source.create(target, events, lines), { credentials });
	const { ids, secret } = source.created(reply.json);
	if (ids.length === 0 || (provider !== 'periskope' && !secret)) {
		for (const id of ids) await deleteOne(this, provider, id, credentials).catch(() => {});
		throw new NodeOperationError(
			this.getNode(),
			`The provider created the subscription but its answer had no ${ids.length ? 'signing secret' : 'subscription ID'}; deliveries could not be verified, so it was removed again`,
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
		for (const id of stored.ids) await deleteOne(this, stored.provider ?? provider, id, credentials);
	} catch {
		return false;
	}
	delete data.subscription;
	return true;
}
