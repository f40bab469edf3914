/**
 * The Group Chat Trigger on Chert: webhook subscriptions, how a delivery is verified, and what
 * it becomes. Chert delivers messages only (no membership events).
 */
import { segment } from '../../boundary';
import type { NormalizedEvent } from '../../events';
import { headerValue, isoTime } from '../../events';
import { obj, str } from '../../json';
import { boundedRaw } from '../../payload';
import { verifyChertWebhook } from '../../signing';
import type { ProviderEvents } from '../contract';
import { chertAddress, chertHandle } from './addresses';

function isLoopback(url: string): boolean {
	try {
		const { hostname } = new URL(url);
		return (
			hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
		);
	} catch {
		return false;
	}
}

export const chertEvents: ProviderEvents = {
	provider: 'chert',
	// Chert delivers messages and reactions only: membership changes are "silent" until a
	// message reaches the line (docs: Externally-created groups).
	supported: ['message.received'],
	verification:
		'Chert signs every delivery (X-Webhook-Signature, t=<ts>,v1=<hex> or legacy v1,<ts>,<hex>); this node checks the signature over the raw body, a 300 s window and the event id',
	target: (webhookUrl) => ({ target: webhookUrl }),
	checkTarget: (webhookUrl, baseUrl) => {
		if (webhookUrl.startsWith('https://')) return undefined;
		// Sandbox-only allowance: the local emulator accepts loopback http targets.
		if (isLoopback(baseUrl) && isLoopback(webhookUrl)) return undefined;
		return `Chert only delivers webhooks to HTTPS URLs, and this n8n's webhook URL is ${webhookUrl}. Make n8n reachable over HTTPS and set its WEBHOOK_URL environment variable to that address.`;
	},
	// Assumed body (providers.md: Chert's subscription body beyond url/events is not in our
	// sources): {url, events}; answer {subscription:{id, url, events, secret, …}}.
	create: (target) => ({
		method: 'POST',
		path: '/api/v1/webhook-subscriptions',
		body: { url: target, events: ['message.received'] },
		purpose: 'create the webhook subscription',
	}),
	created: (json) => {
		const subscription = obj(obj(json).subscription ?? json);
		const id = str(subscription.id);
		return { ids: id ? [id] : [], secret: str(subscription.secret) };
	},
	// The secret's characters are the HMAC key (providers.md): any non-empty string can verify.
	secretProblem: (secret) => (secret ? undefined : 'it has no signing secret'),
	manage:
		'GET /api/v1/webhook-subscriptions lists them (each with its url) and DELETE /api/v1/webhook-subscriptions/{id} deletes one',
	list: () => ({
		method: 'GET',
		path: '/api/v1/webhook-subscriptions',
		kind: 'read',
		purpose: 'read the webhook subscriptions',
	}),
	// Assumed list answer: {subscriptions:[{id, url, …}]} (a bare array is accepted too).
	listed: (json) => {
		const list = Array.isArray(json) ? json : obj(json).subscriptions;
		if (!Array.isArray(list)) return undefined;
		return list
			.map((entry) => ({ id: str(obj(entry).id) ?? '', url: str(obj(entry).url) ?? '' }))
			.filter((entry) => entry.id);
	},
	remove: (id) => ({
		method: 'DELETE',
		path: `/api/v1/webhook-subscriptions/${segment(id, 'subscriptionId')}`,
		purpose: 'delete the webhook subscription',
	}),
	verify: (delivery, stored, nowMs) => {
		if (!stored.secret)
			return { ok: false, reason: 'no signing secret stored for this subscription' };
		const signature =
			headerValue(delivery.headers, 'x-webhook-signature') ??
			headerValue(delivery.headers, 'x-chert-signature');
		const verdict = verifyChertWebhook(signature, delivery.rawBody, stored.secret, nowMs);
		return verdict.ok ? { ok: true } : verdict;
	},
	// The dedup key is the signed body's event_id, never the unsigned X-Webhook-Event-Id.
	dedupKey: (payload) => str(payload.event_id),
	normalize: (payload, nowMs): NormalizedEvent[] => {
		const body = payload;
		const type = str(body.event_type) ?? str(body.event);
		if (type !== 'message.received') return [];
		const data = obj(body.data);
		const chat = obj(data.chat);
		if (chat.is_group !== true) return [];
		const message = obj(data.message);
		const text = (Array.isArray(message.parts) ? message.parts : [])
			.map((part) => obj(part))
			.find((part) => part.type === 'text');
		return [
			{
				provider: 'chert',
				event: 'message.received',
				chatId: str(chat.id) ?? null,
				participant: chertHandle(message.sender_handle),
				name: str(chat.display_name) ?? null,
				occurredAt: isoTime(message.created_at ?? body.timestamp, nowMs),
				eventId: str(body.event_id) ?? '',
				// One item for the whole message: the payload, bounded (a chat's long handles list is cut).
				raw: boundedRaw(payload),
				details: { text: str(text?.value) ?? null, messageId: str(message.id) ?? null },
			},
		];
	},
	line: (payload) => chertHandle(obj(obj(obj(payload).data).chat).owner_handle) ?? undefined,
	address: chertAddress,
};
