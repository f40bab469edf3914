/**
 * Linq Partner API v3 (iMessage, RCS, SMS) — endpoints, bodies, error codes and retry
 * safety. Linq queues group changes: answers say "accepted" and webhooks confirm later.
 */
import { ProviderError } from '../errors';
import type { OperationInput } from '../operations';
import type { GroupChatResult, ParticipantOutcome } from '../types';
import { normalizeAddress as normalizeOne } from '../addresses';
import type { Answer, ChatSummary, GroupView, HttpAnswer, PlannedRequest, ProviderAdapter, ProviderLookups } from './adapter';
import { header, needsObject, obj, retryAfterMs, segment, statusFrom, str } from './adapter';

export const LINQ_BASE_URL = 'https://api.linqapp.com/api/partner';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describe(code: number | undefined, status: number, operation: string) {
	switch (code) {
		case 1002:
			return 'a phone number is not in E.164 format';
		case 2004:
			return 'the API token was rejected: check the Linq credential';
		case 2001:
			// A read outside Get Group (a picker, the subscription list) is not about one chat.
			return operation === 'read' ? 'not found' : 'chat not found';
		case 3006:
			return 'Linq had a temporary problem';
	}
	if (status === 409) {
		return operation === 'get' || operation === 'read'
			? 'you have left this chat'
			: 'you have left this chat, so it can no longer be changed';
	}
	if (status === 429) return 'too many requests (rate limit)';
	if (status === 404) return operation === 'read' ? 'not found' : 'chat not found';
	if (status === 401 || status === 403) return 'the API token was rejected: check the Linq credential';
	if (status === 422 || status === 400) {
		if (operation === 'leave') return 'you can only leave an iMessage group with at least 4 active members';
		if (operation === 'removeParticipants') return 'the group must keep at least 3 members';
		return 'Linq refused the request';
	}
	return `the request failed (HTTP ${status})`;
}

function toError(operation: string, answer: HttpAnswer, request: PlannedRequest): ProviderError {
	const body = obj(answer.json);
	const error = obj(body.error);
	const code = typeof error.code === 'number' ? error.code : Number(error.code) || undefined;
	const providerMessage =
		str(error.message) ?? str(body.message) ?? (answer.json === undefined ? answer.text.slice(0, 200) : undefined);
	let words = describe(code, answer.status, operation);
	if (words === 'Linq refused the request' && providerMessage) words = providerMessage;
	const who = request.address ? ` (${request.address})` : '';
	return new ProviderError('linq', `Linq: ${words}${who}`, {
		httpStatus: answer.status,
		code,
		traceId: str(body.trace_id) ?? str(error.trace_id) ?? header(answer, 'x-trace-id'),
		providerMessage,
		body: answer.json ?? answer.text.slice(0, 500),
	});
}

function plan(input: OperationInput): PlannedRequest[] {
	switch (input.operation) {
		case 'create': {
			const message: Record<string, unknown> = { parts: [{ type: 'text', value: input.firstMessage }] };
			if (input.idempotencyKey) message.idempotency_key = input.idempotencyKey;
			return [{ method: 'POST', path: '/v3/chats', body: { from: input.sender, to: input.participants, message } }];
		}
		case 'addParticipants':
			return input.participants.map((handle) => ({
				method: 'POST',
				path: `/v3/chats/${segment(input.chatId)}/participants`,
				body: { handle },
				address: handle,
			}));
		case 'removeParticipants':
			return input.participants.map((handle) => ({
				method: 'DELETE',
				path: `/v3/chats/${segment(input.chatId)}/participants`,
				body: { handle },
				address: handle,
			}));
		case 'rename': {
			const body: Record<string, string> = {};
			if (input.groupName) body.display_name = input.groupName;
			if (input.iconUrl) body.group_chat_icon = input.iconUrl;
			return [{ method: 'PUT', path: `/v3/chats/${segment(input.chatId)}`, body }];
		}
		case 'leave':
			return [{ method: 'POST', path: `/v3/chats/${segment(input.chatId)}/leave` }];
		case 'get':
			return [{ method: 'GET', path: lookups.group!.call(input.chatId).path }];
	}
}

function interpret(input: OperationInput, answers: Answer[]): GroupChatResult {
	const raw = answers.map((answer) => (answer.ok ? answer.response.json : answer.error.details.body));
	const base = { provider: 'linq' as const, operation: input.operation, raw };
	switch (input.operation) {
		case 'create': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			const chat = obj(obj(answer.response.json).chat);
			const roster = Array.isArray(chat.handles)
				? chat.handles.map((entry) => str(obj(entry).handle) ?? '').filter(Boolean)
				: undefined;
			return {
				...base,
				chatId: str(chat.id) ?? null,
				status: 'done',
				name: str(chat.display_name) ?? null,
				participants: input.participants.map((address) => ({
					address,
					outcome: 'added',
					message: 'in the new group',
				})),
				roster,
			};
		}
		case 'addParticipants':
		case 'removeParticipants': {
			const verb = input.operation === 'addParticipants' ? 'addition' : 'removal';
			const participants = answers.map(
				(answer): ParticipantOutcome =>
					answer.ok
						? {
								address: answer.request.address ?? '',
								outcome: 'queued',
								message: str(obj(answer.response.json).message) ?? `Participant ${verb} queued`,
							}
						: {
								address: answer.request.address ?? '',
								outcome: 'failed',
								message: answer.error.message,
								code: answer.error.details.code,
							},
			);
			return { ...base, chatId: input.chatId, status: statusFrom(participants, 'accepted'), participants };
		}
		case 'get': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			const view = readGroup(answer.response.json);
			if (!view) throw new ProviderError('linq', 'Linq: the answer has no chat');
			return { ...base, ...view, status: 'done', participants: [] };
		}
		case 'rename':
		case 'leave': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			return {
				...base,
				chatId: str(obj(answer.response.json).chat_id) ?? input.chatId,
				status: 'accepted',
				name: input.operation === 'rename' ? (input.groupName ?? null) : undefined,
				participants: [],
			};
		}
	}
}

// ---- Reading: sender lines, the chat list and one group (pickers and Get Group) ---------------

/** A Linq handle (E.164 or email) normalized like every Linq address; as given when unreadable. */
function address(handle: string): string {
	try {
		return normalizeOne(handle, { phone: 'e164', emails: true, label: 'Linq' }, undefined);
	} catch {
		return handle;
	}
}

/** `GET /v3/chats/{id}` answers the Chat itself (`{chat: …}` is accepted too). */
function readGroup(json: unknown): GroupView | undefined {
	const body = obj(json);
	const chat = body.chat !== undefined ? obj(body.chat) : body;
	const id = str(chat.id);
	if (!id) return undefined;
	const handles = (Array.isArray(chat.handles) ? chat.handles : []).map(obj);
	const members = handles
		.filter((entry) => str(entry.handle))
		.map((entry) => {
			const status = entry.status === 'left' || entry.status === 'removed' ? entry.status : 'active';
			return {
				address: address(str(entry.handle) as string),
				isYou: entry.is_me === true,
				status: status as 'active' | 'left' | 'removed',
				isAdmin: null,
				joinedAt: str(entry.joined_at) ?? null,
			};
		});
	const roster = members.filter((member) => member.status === 'active').map((member) => member.address);
	const me = members.find((member) => member.isYou);
	return {
		chatId: id,
		name: str(chat.display_name) ?? null,
		roster,
		members,
		line: me?.address ?? null,
		details: {
			service: str(chat.service) ?? null,
			iconUrl: str(chat.group_chat_icon) ?? null,
			description: null,
			memberCount: roster.length,
			youAreMember: me ? me.status === 'active' : true,
			createdAt: str(chat.created_at) ?? null,
			updatedAt: str(chat.updated_at) ?? null,
		},
	};
}

function summary(json: unknown): ChatSummary | undefined {
	const chat = obj(json);
	if (chat.is_group !== true) return undefined;
	const view = readGroup(chat);
	return view && { id: view.chatId, name: view.name, members: view.roster, youAreMember: view.details.youAreMember };
}

const lookups: ProviderLookups = {
	senders: {
		call: () => ({ method: 'GET', path: '/v3/phone_numbers', purpose: 'read your sender numbers' }),
		read: (json) =>
			(Array.isArray(obj(json).phone_numbers) ? (obj(json).phone_numbers as unknown[]) : [])
				.map(obj)
				.filter((line) => str(line.phone_number))
				.map((line) => {
					const health = str(obj(line.health_status).status);
					return {
						address: address(str(line.phone_number) as string),
						label: health ? `health: ${health.toLowerCase().replace(/_/g, ' ')}` : undefined,
					};
				}),
	},
	// GET /v3/chats?to=&limit=&cursor= (from omitted: every line of the partner); next_cursor null/"" = last page.
	// A page holds at most what was asked for (the rest of a longer one is not read); a
	// next_cursor equal to the one just sent does not move, so the list ends there.
	chats: {
		call: (page) => ({
			method: 'GET',
			path: '/v3/chats',
			query: { limit: Math.min(page.pageSize, 100), cursor: page.cursor, to: page.member },
			purpose: 'read the group list',
		}),
		read: (json, page) => {
			const body = obj(json);
			const list = (Array.isArray(body.chats) ? body.chats : []).slice(0, Math.min(page.pageSize, 100));
			const chats = list.map(summary).filter((chat): chat is ChatSummary => chat !== undefined);
			const next = str(body.next_cursor) || undefined;
			return {
				chats,
				ids: list.map((entry) => str(obj(entry).id) ?? '').filter(Boolean),
				next: next !== undefined && next !== page.cursor ? next : undefined,
			};
		},
		filtersByMember: true,
	},
	group: {
		call: (chatId) => ({ method: 'GET', path: `/v3/chats/${segment(chatId)}`, purpose: 'read the group' }),
		read: readGroup,
	},
};

export const linq: ProviderAdapter = {
	id: 'linq',
	label: 'Linq',
	rules: {
		addresses: { phone: 'e164', emails: true, label: 'Linq' },
		createNeedsSenderAndMessage: true,
		createNeedsName: false,
		createRecipients: { min: 2, max: 100 },
		normalizeChatId: (chatId) =>
			UUID.test(chatId)
				? { id: chatId.toLowerCase() }
				: { problem: `"${chatId}" is not a Linq chat ID (a UUID)` },
		renameHasIcon: true,
		idempotencyKeys: true,
		readsGroups: true,
	},
	retryAfterAmbiguity: {
		create: true, // same idempotency key
		addParticipants: false, // queued: retry only when the request surely did not arrive
		removeParticipants: false,
		rename: true,
		leave: false,
		get: true, // a read changes nothing
	},
	secretFields: ['apiToken'],
	plan,
	checkSuccess: (operation, answer) => {
		const shape = needsObject(answer);
		if (shape) return shape;
		if (operation === 'create' && !str(obj(obj(answer.json).chat).id)) return 'the answer has no chat ID';
		if (operation === 'get' && !readGroup(answer.json)) return 'the answer has no chat';
		return undefined;
	},
	toError,
	rateLimitHintsMs: (answer, nowMs) => {
		const fromHeader = retryAfterMs(header(answer, 'retry-after'), nowMs);
		return fromHeader === undefined ? [] : [fromHeader];
	},
	interpret,
	lookups,
};

// ==== Group Chat Trigger: Linq webhook subscriptions and events ================================
// (section owned by the trigger; keep provider knowledge for events here)
import {
	boundedRaw,
	eventAddress,
	headerValue,
	isoTime,
	type NormalizedEvent,
	type ProviderEvents,
	type TriggerEvent,
} from '../events';
import { segment as idSegment } from '../boundary';
import { standardWebhookKey, verifyLinqLegacy, verifyStandardWebhook } from '../signing';

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

function linqAddress(value: string): string {
	return eventAddress(value, { phone: 'e164', emails: true, label: 'Linq' });
}

function linqHandle(value: unknown): string | null {
	const handle = str(obj(value).handle) ?? str(value);
	return handle ? linqAddress(handle) : null;
}

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
			const parts = Array.isArray(data.parts) ? data.parts : Array.isArray(obj(data.message).parts) ? (obj(data.message).parts as unknown[]) : [];
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
	target: (webhookUrl) => webhookUrl,
	create: (target, events, senders) => {
		const body: Record<string, unknown> = {
			target_url: target,
			subscribed_events: [...new Set(events.flatMap((event) => LINQ_EVENT_TYPES[event] ?? []))],
		};
		if (senders.length) body.phone_numbers = senders;
		return { method: 'POST', path: '/v3/webhook-subscriptions', body, purpose: 'create the webhook subscription' };
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
	list: () => ({ method: 'GET', path: '/v3/webhook-subscriptions', purpose: 'list the webhook subscriptions' }),
	listed: (json) => {
		const list = obj(json).subscriptions;
		if (!Array.isArray(list)) return undefined;
		return list
			.map((entry) => ({ id: str(obj(entry).id) ?? '', url: str(obj(entry).target_url) ?? '' }))
			.filter((entry) => entry.id);
	},
	remove: (id) => ({
		method: 'DELETE',
		path: `/v3/webhook-subscriptions/${idSegment(id, 'subscriptionId')}`,
		purpose: 'delete the webhook subscription',
	}),
	verify: (delivery, stored, nowMs) => {
		if (!stored.secret) return { ok: false, reason: 'no signing secret stored for this subscription' };
		const h = (name: string) => headerValue(delivery.headers, name);
		const standard = h('webhook-signature') !== undefined || h('webhook-id') !== undefined;
		const verdict = standard
			? verifyStandardWebhook(
					{ id: h('webhook-id'), timestamp: h('webhook-timestamp'), signature: h('webhook-signature') },
					delivery.rawBody,
					stored.secret,
					nowMs,
				)
			: verifyLinqLegacy(h('x-webhook-timestamp'), h('x-webhook-signature'), delivery.rawBody, stored.secret, nowMs);
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
