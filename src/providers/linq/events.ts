/**
 * The Group Chat Trigger on Linq: webhook subscriptions (one per target URL, a signing secret
 * shown once), Standard Webhooks verification (legacy headers as a fallback), and what each
 * event type becomes.
 */
import { segment } from '../../boundary';
import type { NormalizedEvent, TriggerEvent } from '../../events';
import { headerValue, isoTime } from '../../events';
import { obj, str } from '../../json';
import { boundedRaw } from '../../payload';
import { standardWebhookKey, verifyLinqLegacy, verifyStandardWebhook } from '../../signing';
import type { ProviderEvents } from '../contract';
import { linqAddress, linqHandle } from './addresses';

/** Normalized event → the Linq event types that deliver it. */
const LINQ_EVENT_TYPES: Partial<Record<TriggerEvent, string[]>> = {
	'participant.added': ['participant.added'],
	'participant.removed': ['participant.removed'],
	'group.renamed': ['chat.group_name_updated'],
	'group.icon_changed': ['chat.group_icon_updated'],
	'group.created': ['chat.created'],
	'change.failed': ['chat.group_name_update_failed', 'chat.group_icon_update_failed'],
	'message.received': ['message.received'],
};

function linqNormalize(payload: Record<string, unknown>, nowMs: number): NormalizedEvent[] {
	const body = payload;
	const data = obj(body.data);
	const type = str(body.event_type) ?? '';
	// Every Linq delivery is one event: its raw is the payload, bounded (chat.created's handles
	// list is cut, never copied whole).
	const base = {
		provider: 'linq' as const,
		eventId: str(body.event_id) ?? '',
		occurredAt: isoTime(body.created_at, nowMs),
		raw: boundedRaw(payload),
	};
	const chatId = str(data.chat_id) ?? str(obj(data.chat).id) ?? null;
	switch (type) {
		case 'participant.added':
		case 'participant.removed': {
			const participant = linqHandle(data.participant) ?? linqHandle(data.handle);
			const isMe = obj(data.participant).is_me === true;
			return [
				{
					...base,
					event: type,
					chatId,
					participant,
					name: null,
					occurredAt: isoTime(data.added_at ?? data.removed_at ?? body.created_at, nowMs),
					details: isMe ? { self: true } : undefined,
				},
			];
		}
		case 'chat.group_name_updated':
		case 'chat.group_icon_updated': {
			const renamed = type === 'chat.group_name_updated';
			return [
				{
					...base,
					event: renamed ? 'group.renamed' : 'group.icon_changed',
					chatId,
					participant: null,
					name: renamed ? (str(data.new_value) ?? null) : null,
					actor: linqHandle(data.changed_by_handle),
					occurredAt: isoTime(data.updated_at ?? body.created_at, nowMs),
					details: renamed
						? { previousName: data.old_value ?? null }
						: { iconUrl: data.new_value ?? null, previousIconUrl: data.old_value ?? null },
				},
			];
		}
		case 'chat.group_name_update_failed':
		case 'chat.group_icon_update_failed':
			return [
				{
					...base,
					event: 'change.failed',
					chatId,
					participant: null,
					name: null,
					occurredAt: isoTime(data.failed_at ?? body.created_at, nowMs),
					details: {
						change: type === 'chat.group_name_update_failed' ? 'rename' : 'icon',
						errorCode: data.error_code ?? null,
					},
				},
			];
		case 'chat.created': {
			if (data.is_group === false) return [];
			return [
				{
					...base,
					event: 'group.created',
					chatId: str(data.id) ?? chatId,
					participant: null,
					name: str(data.display_name) ?? null,
					// The members stay in raw (data.handles, bounded); normalizing every handle
					// here would cost one phone-number parse per member for nothing shown.
					details: { members: Array.isArray(data.handles) ? data.handles.length : 0 },
				},
			];
		}
		case 'message.received': {
			const chat = obj(data.chat);
			if (chat.is_group === false) return [];
			const parts = Array.isArray(data.parts)
				? data.parts
				: Array.isArray(obj(data.message).parts)
					? (obj(data.message).parts as unknown[])
					: [];
			const text = parts.map((part) => obj(part)).find((part) => part.type === 'text');
			return [
				{
					...base,
					event: 'message.received',
					chatId,
					participant: linqHandle(data.sender_handle),
					name: null,
					occurredAt: isoTime(data.sent_at ?? body.created_at, nowMs),
					details: { text: str(text?.value) ?? null, messageId: str(data.id) ?? null },
				},
			];
		}
		default:
			return [];
	}
}

export const linqEvents: ProviderEvents = {
	provider: 'linq',
	supported: [
		'participant.added',
		'participant.removed',
		'group.renamed',
		'group.icon_changed',
		'group.created',
		'change.failed',
		'message.received',
	],
	verification:
		'Linq signs every delivery (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature); this node checks the signature over the raw body, a 300 s window and the event id',
	target: (webhookUrl) => ({ target: webhookUrl }),
	create: (target, events, senders) => {
		const body: Record<string, unknown> = {
			target_url: target,
			subscribed_events: [...new Set(events.flatMap((event) => LINQ_EVENT_TYPES[event] ?? []))],
		};
		if (senders.length) body.phone_numbers = senders;
		return {
			method: 'POST',
			path: '/v3/webhook-subscriptions',
			body,
			purpose: 'create the webhook subscription',
		};
	},
	created: (json) => {
		const body = obj(json);
		const id = str(body.id) ?? str(obj(body.subscription).id);
		return { ids: id ? [id] : [], secret: str(body.signing_secret) };
	},
	// Standard Webhooks: "whsec_" + canonical base64 of a non-empty key.
	secretProblem: (secret) => {
		const parsed = standardWebhookKey(secret);
		return 'problem' in parsed ? parsed.problem : undefined;
	},
	manage:
		'GET /v3/webhook-subscriptions lists them (each with its target_url) and DELETE /v3/webhook-subscriptions/{id} deletes one',
	list: () => ({
		method: 'GET',
		path: '/v3/webhook-subscriptions',
		kind: 'read',
		purpose: 'read the webhook subscriptions',
	}),
	listed: (json) => {
		const list = obj(json).subscriptions;
		if (!Array.isArray(list)) return undefined;
		return list
			.map((entry) => ({ id: str(obj(entry).id) ?? '', url: str(obj(entry).target_url) ?? '' }))
			.filter((entry) => entry.id);
	},
	remove: (id) => ({
		method: 'DELETE',
		path: `/v3/webhook-subscriptions/${segment(id, 'subscriptionId')}`,
		purpose: 'delete the webhook subscription',
	}),
	verify: (delivery, stored, nowMs) => {
		if (!stored.secret)
			return { ok: false, reason: 'no signing secret stored for this subscription' };
		const h = (name: string) => headerValue(delivery.headers, name);
		const standard = h('webhook-signature') !== undefined || h('webhook-id') !== undefined;
		const verdict = standard
			? verifyStandardWebhook(
					{
						id: h('webhook-id'),
						timestamp: h('webhook-timestamp'),
						signature: h('webhook-signature'),
					},
					delivery.rawBody,
					stored.secret,
					nowMs,
				)
			: verifyLinqLegacy(
					h('x-webhook-timestamp'),
					h('x-webhook-signature'),
					delivery.rawBody,
					stored.secret,
					nowMs,
				);
		if (!verdict.ok) return verdict;
		// webhook-id is signed too in the Standard Webhooks scheme; the legacy headers sign only the body.
		return standard ? { ok: true, signedId: h('webhook-id') } : { ok: true };
	},
	// The dedup key comes from signed content: the body's event_id, else the signed webhook-id.
	dedupKey: (payload, _delivery, signedId) => str(payload.event_id) ?? signedId,
	normalize: linqNormalize,
	line: (payload) => {
		const owner = obj(obj(obj(payload).data).chat).owner_handle;
		const line = linqHandle(owner);
		return line ?? undefined;
	},
	address: linqAddress,
};
