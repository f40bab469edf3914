/**
 * The Group Chat Trigger on Periskope: webhook subscriptions (one row per event type), how a
 * delivery is accepted (Periskope publishes no signature scheme: an unguessable URL plus this
 * node's token), and what WhatsApp's group notifications become.
 */
import { segment } from '../../boundary';
import type { NormalizedEvent, TriggerEvent } from '../../events';
import { isoTime, shortKey } from '../../events';
import { obj, str } from '../../json';
import { boundedRaw, rawPerEntry } from '../../payload';
import { newWebhookToken, payloadDigest, sameSecret } from '../../signing';
import type { ProviderEvents } from '../contract';
import { periskopeAddress } from './addresses';
import { PERISKOPE_TOKEN_PARAM } from './constants';

/** Normalized event → the Periskope webhook events that deliver it. */
const PERISKOPE_EVENT_TYPES: Partial<Record<TriggerEvent, string>> = {
	'participant.added': 'chat.notification.created',
	'participant.removed': 'chat.notification.created',
	'group.renamed': 'chat.notification.created',
	'group.icon_changed': 'chat.notification.created',
	'group.created': 'chat.created',
	'message.received': 'message.created',
	'participant.promoted': 'chat.notification.created',
	'participant.demoted': 'chat.notification.created',
	'group.invite_link_reset': 'chat.notification.created',
};

/** WhatsApp group notification types (chat.notification.created `type`) → normalized event. */
const NOTIFICATION_TYPES: Record<string, TriggerEvent> = {
	add: 'participant.added',
	invite: 'participant.added',
	remove: 'participant.removed',
	leave: 'participant.removed',
	subject: 'group.renamed',
	picture: 'group.icon_changed',
	create: 'group.created',
	promote: 'participant.promoted',
	demote: 'participant.demoted',
	// Not in Periskope's published notification types (WhatsappGroupActionEnum): the name WhatsApp
	// uses for a revoked invite link, delivered by the sandbox; unconfirmed for Periskope itself.
	revoke_invite: 'group.invite_link_reset',
};

/** Notifications about members named in `recipientids`: one item per member. */
const ABOUT_MEMBERS = new Set<TriggerEvent>([
	'participant.added',
	'participant.removed',
	'participant.promoted',
	'participant.demoted',
]);

function isGroup(chatId: string | undefined): chatId is string {
	return typeof chatId === 'string' && chatId.endsWith('@g.us');
}

function periskopeNormalize(payload: Record<string, unknown>, nowMs: number): NormalizedEvent[] {
	const body = payload;
	const data = obj(body.data);
	const type = str(body.event);
	const chatId = str(data.chat_id);
	if (!isGroup(chatId)) return [];
	const base = { provider: 'periskope' as const, chatId };
	// Shortened once: a notification's items each carry it (with their recipient appended).
	const eventId = shortKey(str(body.id) ?? str(data.notification_id) ?? str(data.message_id) ?? '');
	switch (type) {
		case 'chat.created':
			return [
				{
					...base,
					raw: boundedRaw(payload),
					event: 'group.created',
					participant: null,
					name: str(data.chat_name) ?? null,
					occurredAt: isoTime(data.created_at ?? body.timestamp, nowMs),
					eventId: eventId || `chat.created:${chatId}`,
				},
			];
		case 'chat.notification.created': {
			const kind = str(data.type) ?? '';
			const event = NOTIFICATION_TYPES[kind];
			if (!event) return [];
			const actor = str(data.author) ? periskopeAddress(str(data.author) as string) : null;
			const occurredAt = isoTime(data.timestamp ?? body.timestamp, nowMs);
			if (ABOUT_MEMBERS.has(event)) {
				const recipients = Array.isArray(data.recipientids) ? data.recipientids : [];
				if (recipients.length === 0) {
					// A leave names no recipient: the author is who left.
					if (kind !== 'leave' || !actor) return [];
					return [
						{
							...base,
							raw: boundedRaw(payload),
							event,
							participant: actor,
							name: null,
							actor,
							occurredAt,
							eventId,
							details: { notificationType: kind },
						},
					];
				}
				// One item per recipient, each with its own small raw: the notification with only
				// that recipient in recipientids (one notification can name thousands).
				const rawFor = rawPerEntry(payload, ['data', 'recipientids'], recipients.length);
				return recipients.map((recipient, index) => {
					const text = str(recipient);
					const participant = text ? periskopeAddress(text) : null;
					return {
						...base,
						raw: rawFor(recipient),
						event,
						participant,
						name: null,
						actor,
						occurredAt,
						eventId: recipients.length > 1 ? `${eventId}#${participant ?? index}` : eventId,
						details: { notificationType: kind },
					};
				});
			}
			return [
				{
					...base,
					raw: boundedRaw(payload),
					event,
					participant: null,
					name: event === 'group.renamed' ? (str(data.body) ?? null) : null,
					actor,
					occurredAt,
					eventId,
					details: { notificationType: kind },
				},
			];
		}
		case 'message.created': {
			if (data.from_me === true) return [];
			return [
				{
					...base,
					raw: boundedRaw(payload),
					event: 'message.received',
					participant: str(data.sender_phone)
						? periskopeAddress(str(data.sender_phone) as string)
						: null,
					name: null,
					occurredAt: isoTime(data.timestamp ?? body.timestamp, nowMs),
					eventId,
					details: { text: str(data.body) ?? null, messageId: str(data.message_id) ?? null },
				},
			];
		}
		default:
			return [];
	}
}

export const periskopeEvents: ProviderEvents = {
	provider: 'periskope',
	supported: [
		'participant.added',
		'participant.removed',
		'participant.promoted',
		'participant.demoted',
		'group.renamed',
		'group.icon_changed',
		'group.invite_link_reset',
		'group.created',
		'message.received',
	],
	verification:
		'Periskope does not publish how its deliveries are signed, so this node does not claim to verify a Periskope signature. A delivery is accepted only on this workflow’s unguessable webhook URL and only with the random token this node put into the subscription’s URL when it created it',
	target: (webhookUrl) => {
		const token = newWebhookToken();
		return { target: `${webhookUrl}?${PERISKOPE_TOKEN_PARAM}=${encodeURIComponent(token)}`, token };
	},
	// Body from providers.md ({hookUrl, integrationName: event or events[]}); the answer (201)
	// is assumed to be the created rows, one per event, as the official client's types say.
	create: (target, events) => ({
		method: 'POST',
		path: '/webhooks',
		body: {
			hookUrl: target,
			integrationName: [
				...new Set(events.map((event) => PERISKOPE_EVENT_TYPES[event]).filter(Boolean)),
			],
		},
		purpose: 'create the webhook subscription',
	}),
	created: (json) => {
		const rows = Array.isArray(json)
			? json
			: Array.isArray(obj(json).data)
				? (obj(json).data as unknown[])
				: [json];
		return { ids: rows.map((row) => str(obj(row).id) ?? '').filter(Boolean) };
	},
	manage: 'GET /webhooks lists them (each with its hook_url) and DELETE /webhooks/{id} deletes one',
	list: () => ({
		method: 'GET',
		path: '/webhooks',
		kind: 'read',
		purpose: 'read the webhook subscriptions',
	}),
	listed: (json) => {
		const rows = Array.isArray(json)
			? json
			: Array.isArray(obj(json).data)
				? (obj(json).data as unknown[])
				: undefined;
		if (!rows) return undefined;
		return rows
			.map((row) => ({
				id: str(obj(row).id) ?? '',
				url: str(obj(row).hook_url) ?? str(obj(row).hookUrl) ?? '',
			}))
			.filter((row) => row.id);
	},
	remove: (id) => ({
		method: 'DELETE',
		path: `/webhooks/${segment(id, 'subscriptionId')}`,
		purpose: 'delete the webhook subscription',
	}),
	verify: (delivery, stored) => {
		const given = delivery.query[PERISKOPE_TOKEN_PARAM];
		if (!stored.token) return { ok: false, reason: 'no token stored for this subscription' };
		if (typeof given !== 'string' || !sameSecret(stored.token, given)) {
			return { ok: false, reason: 'missing or wrong delivery token' };
		}
		return { ok: true };
	},
	dedupKey: (body, delivery) => {
		const data = obj(body.data);
		return (
			str(body.id) ??
			str(data.notification_id) ??
			str(data.message_id) ??
			(body.event === 'chat.created' && str(data.chat_id)
				? `chat.created:${str(data.chat_id)}`
				: undefined) ??
			payloadDigest(delivery.rawBody)
		);
	},
	normalize: periskopeNormalize,
	line: (payload) => {
		const phone = str(obj(obj(payload).data).org_phone);
		return phone ? periskopeAddress(phone) : undefined;
	},
	address: periskopeAddress,
};
