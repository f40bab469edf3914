/**
 * Periskope (WhatsApp) — endpoints, bodies, per-participant results, error words and retry
 * safety. Periskope takes whole participant lists in one call and answers per participant.
 */
import { ProviderError } from '../errors';
import type { OperationInput } from '../operations';
import type { GroupChatResult, GroupMember, ParticipantOutcome } from '../types';
import { normalizeAddress as normalizeOne } from '../addresses';
import type { Answer, ChatSummary, GroupView, HttpAnswer, PlannedRequest, ProviderAdapter, ProviderLookups } from './adapter';
import { header, needsObject, obj, retryAfterMs, segment, statusFrom, str } from './adapter';

export const PERISKOPE_BASE_URL = 'https://api.periskope.app/v1';

function describe(status: number, operation: string): string {
	switch (status) {
		case 401:
		case 403:
			return 'the API key or org phone was rejected: check the Periskope credential';
		case 404:
			// A read outside Get Group (a picker, the subscription list) is not about one chat.
			return operation === 'read' ? 'not found' : 'chat not found';
		case 409:
			return operation === 'leave' ? 'you are no longer in this group' : 'the request conflicts with the chat’s state';
		case 429:
			return 'too many requests (rate limit)';
		default:
			return status >= 500 ? 'Periskope had a temporary problem' : `the request was refused (HTTP ${status})`;
	}
}

function toError(operation: string, answer: HttpAnswer): ProviderError {
	const body = obj(answer.json);
	const nested = obj(body.error);
	const providerMessage =
		str(body.message) ?? str(nested.message) ?? (answer.json === undefined ? answer.text.slice(0, 200) : undefined);
	const code = str(body.code) ?? str(nested.code);
	return new ProviderError('periskope', `Periskope: ${describe(answer.status, operation)}`, {
		httpStatus: answer.status,
		code,
		traceId: header(answer, 'x-periskope-trace-id') ?? str(body.trace_id),
		providerMessage,
		body: answer.json ?? answer.text.slice(0, 500),
	});
}

function settingsBody(settings: OperationInput & { operation: 'rename' }): Record<string, unknown> {
	const body: Record<string, unknown> = {};
	if (settings.groupName) body.name = settings.groupName;
	const { description, image, messagesAdminsOnly, infoAdminsOnly, addMembersAdminsOnly } = settings.settings;
	if (description !== undefined) body.description = description;
	if (image !== undefined) body.image = image;
	if (messagesAdminsOnly !== undefined) body.messagesAdminsOnly = messagesAdminsOnly;
	if (infoAdminsOnly !== undefined) body.infoAdminsOnly = infoAdminsOnly;
	// A boolean in Periskope's API schema: true = only admins can add members.
	if (addMembersAdminsOnly !== undefined) body.memberAddMode = addMembersAdminsOnly;
	return body;
}

/**
 * Add and remove send participant lists in chunks of this size, one request per chunk, with
 * per-participant outcomes merged back in input order. Periskope documents no maximum; 50 keeps
 * one refused or timed-out request to a small share of a large list.
 */
export const PERISKOPE_CHUNK = 50;

function chunks(list: string[]): string[][] {
	const out: string[][] = [];
	for (let index = 0; index < list.length; index += PERISKOPE_CHUNK) out.push(list.slice(index, index + PERISKOPE_CHUNK));
	return out;
}

function plan(input: OperationInput): PlannedRequest[] {
	const chat = (suffix: string) => `/chats/${segment(input.operation === 'create' ? '' : input.chatId)}${suffix}`;
	switch (input.operation) {
		case 'create': {
			const options: Record<string, unknown> = { ...input.settings };
			if (input.forceAdd) options.force_add_participants = true;
			const body: Record<string, unknown> = { group_name: input.groupName, participants: input.participants };
			if (Object.keys(options).length) body.options = options;
			return [{ method: 'POST', path: '/chats/create', body }];
		}
		case 'addParticipants':
			return chunks(input.participants).map((addresses) => {
				const body: Record<string, unknown> = { participants: addresses };
				if (input.forceAdd) body.force_add_participants = true;
				return { method: 'POST', path: chat('/add'), body, addresses };
			});
		case 'removeParticipants':
			return chunks(input.participants).map((addresses) => ({
				method: 'POST',
				path: chat('/remove'),
				body: { participants: addresses },
				addresses,
			}));
		case 'rename':
			return [{ method: 'POST', path: chat('/settings'), body: settingsBody(input) }];
		case 'leave':
			return [{ method: 'POST', path: chat('/leave') }];
		case 'get':
			return [{ method: 'GET', path: chat('') }];
	}
}

/** `{"9195…@c.us": {is_success, message, code, isInviteV4Sent}}` → one outcome per address of the chunk. */
function perParticipant(
	input: OperationInput & { participants: string[] },
	answer: Answer,
): ParticipantOutcome[] {
	const adding = input.operation !== 'removeParticipants';
	const addresses = answer.request.addresses ?? input.participants;
	if (!answer.ok) {
		return addresses.map((address) => ({
			address,
			outcome: 'failed',
			message: answer.error.message,
			code: answer.error.details.code,
		}));
	}
	const body = obj(answer.response.json);
	const results = Object.keys(obj(body.participants)).length ? obj(body.participants) : body;
	return addresses.map((address): ParticipantOutcome => {
		const entry = obj(results[`${address}@c.us`] ?? results[address]);
		const message = str(entry.message) ?? '';
		const code = entry.code as string | number | undefined;
		if (!('is_success' in entry)) {
			return { address, outcome: 'failed', message: 'Periskope did not report on this participant' };
		}
		if (entry.is_success === true) {
			if (!adding) return { address, outcome: 'removed', message: message || 'removed from the group' };
			const invited = entry.isInviteV4Sent === true || /invite/i.test(message);
			return invited
				? { address, outcome: 'invited', message: message || 'invite sent' }
				: { address, outcome: 'added', message: message || 'added to the group' };
		}
		if (adding && (Number(code) === 409 || /already/i.test(message))) {
			return {
				address,
				outcome: answer.retried ? 'added' : 'already_member',
				message: answer.retried ? 'added (confirmed after a retry)' : message || 'already in the group',
			};
		}
		if (!adding && (Number(code) === 404 || /not (a )?(participant|member)/i.test(message))) {
			return {
				address,
				outcome: answer.retried ? 'removed' : 'not_member',
				message: answer.retried ? 'removed (confirmed after a retry)' : message || 'was not in the group',
			};
		}
		return { address, outcome: 'failed', message: `Periskope: ${message || 'failed'}`, code };
	});
}

function roster(chat: Record<string, unknown>): string[] | undefined {
	const list = chat.participants ?? chat.members;
	// The chat object's `members` is a map keyed by <digits>@c.us (as Get Group reads it).
	if (!Array.isArray(list)) return list !== null && typeof list === 'object' ? readGroup(chat)?.roster : undefined;
	return list
		.map((entry) => str(entry) ?? str(obj(entry).contact_id) ?? str(obj(entry).id) ?? str(obj(entry).phone) ?? '')
		.map((id) => id.replace(/@c\.us$/, ''))
		.filter(Boolean);
}

function interpret(input: OperationInput, answers: Answer[]): GroupChatResult {
	const raw = answers.map((answer) => (answer.ok ? answer.response.json : answer.error.details.body));
	const base = { provider: 'periskope' as const, operation: input.operation, raw };
	const [answer] = answers;
	switch (input.operation) {
		case 'create': {
			if (!answer.ok) throw answer.error;
			const chat = obj(obj(answer.response.json).chat ?? answer.response.json);
			const members = roster(chat);
			const invited = new Set((Array.isArray(chat.invited) ? chat.invited : []).map(String));
			return {
				...base,
				chatId: str(chat.chat_id) ?? str(chat.id) ?? null,
				status: 'done',
				name: str(chat.chat_name) ?? str(chat.name) ?? input.groupName ?? null,
				participants: input.participants.map((address): ParticipantOutcome =>
					invited.has(address) || (members && !members.includes(address))
						? { address, outcome: 'invited', message: 'invite sent (not added directly)' }
						: { address, outcome: 'added', message: 'in the new group' },
				),
				roster: members,
			};
		}
		case 'addParticipants':
		case 'removeParticipants': {
			// A refusal of the whole request (unknown chat, bad key) ends the item when every chunk got it.
			const refusal = (entry: Answer) =>
				!entry.ok && entry.error.details.httpStatus !== undefined && entry.error.details.httpStatus < 500;
			if (answers.every(refusal) && !answer.ok) throw answer.error;
			const participants = answers.flatMap((entry) => perParticipant(input, entry));
			return { ...base, chatId: input.chatId, status: statusFrom(participants, 'done'), participants };
		}
		case 'rename': {
			if (!answer.ok) throw answer.error;
			const chat = obj(obj(answer.response.json).chat ?? answer.response.json);
			return {
				...base,
				chatId: str(chat.chat_id) ?? input.chatId,
				status: 'done',
				name: str(chat.chat_name) ?? str(chat.name) ?? input.groupName ?? null,
				participants: [],
				roster: roster(chat),
			};
		}
		case 'leave':
			if (!answer.ok) throw answer.error;
			return { ...base, chatId: input.chatId, status: 'done', participants: [] };
		case 'get': {
			if (!answer.ok) throw answer.error;
			const view = readGroup(answer.response.json);
			if (!view) throw new ProviderError('periskope', 'Periskope: the answer has no chat');
			return { ...base, ...view, status: 'done', participants: [] };
		}
	}
}

// ---- Reading: the phone, the chat list and one group (pickers and Get Group) ----------------

/** `919537851844@c.us`, `+91…` or digits → the digits every Periskope address is given as. */
function address(id: string): string {
	const bare = id.replace(/@c\.us$/, '');
	try {
		return normalizeOne(bare.startsWith('+') ? bare : `+${bare}`, { phone: 'digits', emails: false, label: 'WhatsApp on Periskope' }, undefined);
	} catch {
		return bare.replace(/^\+/, '');
	}
}

/**
 * The chat object of `GET /chats/{chat_id}` (and of each entry of `GET /chats`): `members` is a
 * map keyed by `<digits>@c.us` with `contact_id`, `is_admin`, `is_super_admin`.
 */
function readGroup(json: unknown): GroupView | undefined {
	const body = obj(json);
	const chat = body.chat !== undefined ? obj(body.chat) : body;
	const id = str(chat.chat_id) ?? str(chat.id);
	if (!id) return undefined;
	const line = str(chat.org_phone) ? address(str(chat.org_phone) as string) : null;
	const entries: [string, Record<string, unknown>][] = Array.isArray(chat.members)
		? chat.members.map((entry) => [str(obj(entry).contact_id) ?? str(entry) ?? '', obj(entry)])
		: Object.entries(obj(chat.members)).map(([key, entry]) => [str(obj(entry).contact_id) ?? key, obj(entry)]);
	const members: GroupMember[] = entries
		.filter(([key]) => key !== '')
		.map(([key, entry]) => {
			const who = address(key);
			return {
				address: who,
				isYou: who === line,
				status: 'active',
				isAdmin: entry.is_admin === true || entry.is_super_admin === true,
				joinedAt: null,
			};
		});
	const roster = members.map((member) => member.address);
	const addMode = chat.member_add_mode;
	return {
		chatId: id,
		name: str(chat.chat_name) ?? null,
		roster,
		members,
		line,
		details: {
			service: 'WhatsApp',
			iconUrl: str(chat.chat_image) ?? null,
			description: str(chat.group_description) ?? null,
			memberCount: typeof chat.member_count === 'number' ? chat.member_count : roster.length,
			youAreMember: chat.is_exited !== true && (line === null || roster.includes(line)),
			createdAt: str(chat.created_at) ?? null,
			updatedAt: str(chat.updated_at) ?? null,
			settings: {
				messagesAdminsOnly: chat.messages_admins_only === true,
				infoAdminsOnly: chat.info_admins_only === true,
				addMembersAdminsOnly: addMode === true || addMode === 'admin_add',
				inviteLink: str(chat.invite_link) ?? null,
			},
		},
	};
}

function summary(json: unknown): ChatSummary | undefined {
	const chat = obj(json);
	const id = str(chat.chat_id);
	if (!id?.endsWith('@g.us') || (chat.chat_type !== undefined && chat.chat_type !== 'group')) return undefined;
	const view = readGroup(chat);
	return view && { id: view.chatId, name: view.name, members: view.roster, youAreMember: view.details.youAreMember };
}

/** `GET /phones` answers the phone of the x-phone header; lists (`/phones/all`, `{phones}`) are read too. */
function phones(json: unknown): Record<string, unknown>[] {
	if (Array.isArray(json)) return json.map(obj);
	const body = obj(json);
	if (Array.isArray(body.phones)) return body.phones.map(obj);
	return body.org_phone !== undefined ? [body] : [];
}

/** The offset a page cursor stands for: a whole number from 0, else 0. */
function offsetOf(cursor: string | undefined): number {
	const offset = Number(cursor ?? 0);
	return Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
}

const lookups: ProviderLookups = {
	senders: {
		call: () => ({ method: 'GET', path: '/phones', purpose: 'read your sender numbers' }),
		read: (json) =>
			phones(json)
				.filter((phone) => str(phone.org_phone))
				.map((phone) => ({
					address: address(str(phone.org_phone) as string),
					label: [str(phone.phone_name), str(phone.wa_state)?.toLowerCase()].filter(Boolean).join(', ') || undefined,
				})),
	},
	// GET /chats?offset=&limit=&chat_type=group (the client SDK's query); `to` < `count` means more.
	// The next offset is this one plus the chats read from this page (at most what was asked for):
	// it always moves forward. A `to` that does not move past the offset ends the list.
	chats: {
		call: (page) => ({
			method: 'GET',
			path: '/chats',
			query: { offset: offsetOf(page.cursor), limit: page.pageSize, chat_type: 'group' },
			purpose: 'read the group list',
		}),
		read: (json, page) => {
			const body = obj(json);
			const list = (Array.isArray(body.chats) ? body.chats : []).slice(0, page.pageSize);
			const offset = offsetOf(page.cursor);
			const next = offset + list.length;
			const stuck = typeof body.to === 'number' && !(body.to > offset);
			const more = typeof body.count === 'number' ? next < body.count : list.length >= page.pageSize;
			return {
				chats: list.map(summary).filter((chat): chat is ChatSummary => chat !== undefined),
				ids: list.map((entry) => str(obj(entry).chat_id) ?? '').filter(Boolean),
				next: more && !stuck && list.length > 0 && Number.isSafeInteger(next) ? String(next) : undefined,
			};
		},
		filtersByMember: false,
	},
	group: {
		call: (chatId) => ({ method: 'GET', path: `/chats/${segment(chatId)}`, purpose: 'read the group' }),
		read: readGroup,
	},
};

export const periskope: ProviderAdapter = {
	id: 'periskope',
	label: 'Periskope',
	rules: {
		addresses: { phone: 'digits', emails: false, label: 'WhatsApp on Periskope' },
		createNeedsSenderAndMessage: false,
		createNeedsName: true,
		createRecipients: { min: 1, max: 1023 },
		normalizeChatId: (chatId) => {
			if (/^\d+$/.test(chatId)) return { id: `${chatId}@g.us` };
			if (/^\d+@c\.us$/.test(chatId)) {
				return { problem: `"${chatId}" is a one-to-one chat; group chat IDs end in @g.us` };
			}
			if (!/^[\d-]+@g\.us$/.test(chatId)) {
				return { problem: `"${chatId}" is not a WhatsApp group ID (digits followed by @g.us)` };
			}
			return { id: chatId };
		},
		renameHasIcon: false,
		idempotencyKeys: false,
		readsGroups: true,
	},
	retryAfterAmbiguity: {
		create: false, // never blind-retry a create that may have reached the server
		addParticipants: true, // per-participant results make a retry safe
		removeParticipants: true,
		rename: true,
		leave: false,
		get: true, // a read changes nothing
	},
	secretFields: ['apiKey'],
	plan,
	checkSuccess: (operation, answer) => {
		const shape = needsObject(answer);
		if (shape) return shape;
		const body = obj(answer.json);
		const chat = obj(body.chat ?? body);
		if (operation === 'create' && !str(chat.chat_id) && !str(chat.id)) return 'the answer has no chat ID';
		if (operation === 'get' && !readGroup(answer.json)) return 'the answer has no chat';
		return undefined;
	},
	toError,
	// X-RateLimit-Remaining: 0 means the window is used up: everyone waits for X-RateLimit-Reset.
	paceMs: (answer, nowMs) => {
		const remaining = header(answer, 'x-ratelimit-remaining');
		const reset = Number(header(answer, 'x-ratelimit-reset'));
		if (remaining === undefined || remaining.trim() !== '0' || !Number.isFinite(reset)) return undefined;
		const wait = reset * 1000 - nowMs;
		return wait > 0 && wait <= 60_000 ? wait : undefined;
	},
	rateLimitHintsMs: (answer, nowMs) => {
		const hints: number[] = [];
		const resetText = header(answer, 'x-ratelimit-reset');
		const reset = Number(resetText);
		if (resetText !== undefined && resetText.trim() !== '' && Number.isFinite(reset)) hints.push(reset * 1000 - nowMs);
		const after = retryAfterMs(header(answer, 'retry-after'), nowMs);
		if (after !== undefined) hints.push(after);
		return hints;
	},
	interpret,
	lookups,
};

// ==== Group Chat Trigger: Periskope webhook subscriptions and events ===========================
// (section owned by the trigger; keep provider knowledge for events here)
import { segment as idSegment } from '../boundary';
import {
	boundedRaw,
	eventAddress,
	isoTime,
	rawPerEntry,
	shortKey,
	type NormalizedEvent,
	type ProviderEvents,
	type TriggerEvent,
} from '../events';
import { payloadDigest, sameSecret } from '../signing';

/** The query parameter carrying this node's per-subscription token in the delivery URL. */
export const PERISKOPE_TOKEN_PARAM = 'token';

function periskopeAddress(value: string): string {
	return eventAddress(value.replace(/@c\.us$/, ''), { phone: 'digits', emails: false, label: 'WhatsApp on Periskope' });
}

/** Normalized event → the Periskope webhook events that deliver it. */
const PERISKOPE_EVENT_TYPES: Partial<Record<TriggerEvent, string>> = {
	'participant.added': 'chat.notification.created',
	'participant.removed': 'chat.notification.created',
	'group.renamed': 'chat.notification.created',
	'group.icon_changed': 'chat.notification.created',
	'group.created': 'chat.created',
	'message.received': 'message.created',
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
};

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
			if (event === 'participant.added' || event === 'participant.removed') {
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
					participant: str(data.sender_phone) ? periskopeAddress(str(data.sender_phone) as string) : null,
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
	supported: ['participant.added', 'participant.removed', 'group.renamed', 'group.icon_changed', 'group.created', 'message.received'],
	verification:
		'Periskope does not publish how its deliveries are signed, so this node does not claim to verify a Periskope signature. A delivery is accepted only on this workflow’s unguessable webhook URL and only with the random token this node put into the subscription’s URL when it created it',
	target: (webhookUrl, token) => `${webhookUrl}?${PERISKOPE_TOKEN_PARAM}=${encodeURIComponent(token ?? '')}`,
	// Body from providers.md ({hookUrl, integrationName: event or events[]}); the answer (201)
	// is assumed to be the created rows, one per event, as the official client's types say.
	create: (target, events) => ({
		method: 'POST',
		path: '/webhooks',
		body: {
			hookUrl: target,
			integrationName: [...new Set(events.map((event) => PERISKOPE_EVENT_TYPES[event]).filter(Boolean))],
		},
		purpose: 'create the webhook subscription',
	}),
	created: (json) => {
		const rows = Array.isArray(json) ? json : Array.isArray(obj(json).data) ? (obj(json).data as unknown[]) : [json];
		return { ids: rows.map((row) => str(obj(row).id) ?? '').filter(Boolean) };
	},
	manage: 'GET /webhooks lists them (each with its hook_url) and DELETE /webhooks/{id} deletes one',
	list: () => ({ method: 'GET', path: '/webhooks', purpose: 'list the webhook subscriptions' }),
	listed: (json) => {
		const rows = Array.isArray(json) ? json : Array.isArray(obj(json).data) ? (obj(json).data as unknown[]) : undefined;
		if (!rows) return undefined;
		return rows
			.map((row) => ({ id: str(obj(row).id) ?? '', url: str(obj(row).hook_url) ?? str(obj(row).hookUrl) ?? '' }))
			.filter((row) => row.id);
	},
	remove: (id) => ({ method: 'DELETE', path: `/webhooks/${idSegment(id, 'subscriptionId')}`, purpose: 'delete the webhook subscription' }),
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
			(body.event === 'chat.created' && str(data.chat_id) ? `chat.created:${str(data.chat_id)}` : undefined) ??
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
