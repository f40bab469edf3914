/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tool, not shipped in dist */
/**
 * Linq Partner API v3 emulator: bearer auth, chats with per-handle services, and group changes
 * that are validated at request time, answered "accepted", and applied asynchronously.
 */
import { createHmac } from 'node:crypto';
import { DEMO, LINQ_SEED, SEED_CREATED_AT } from './seed';
import type {
	EmulatorContext,
	HandlerInput,
	IdempotencyCheck,
	ProviderEmulator,
	Reply,
	SandboxChat,
	SandboxMessage,
	WebhookScheme,
} from './types';
import { textOfParts } from './messages';
import {
	E164,
	bearerToken,
	containsUrl,
	deterministicUuid,
	isE164,
	isE164OrEmail,
	isHttpsUrl,
	isRecord,
	iso,
	jsonReply,
	matchRoute,
	parseJsonBody,
	deterministicHex,
	isHttpUrl,
	safeEqual,
	type Route,
} from './util';
import { subscriptionRoutes, type SubscriptionApi } from './subscriptions';

export type LinqService = 'iMessage' | 'RCS' | 'SMS';

/** Error codes (documented ones: 1002, 2001, 2004, 3006; the rest are the sandbox's choice). */
export const LINQ_CODES = {
	missingField: 1001,
	invalidPhone: 1002,
	invalidJson: 1004,
	linkInFirstMessage: 1005,
	notAGroup: 1006,
	rateLimited: 1007,
	crossService: 1008,
	belowThree: 1009,
	leaveNotAllowed: 1010,
	notAParticipant: 1011,
	alreadyParticipant: 1012,
	idempotencyConflict: 1013,
	subscriptionExists: 1014,
	notFound: 2001,
	senderNotOwned: 2003,
	unauthorized: 2004,
	leftChat: 2009,
	badGateway: 3004,
	unavailable: 3002,
	internal: 3006,
} as const;

/**
 * Which services a handle supports. Sandbox rule: numbers ending in 9999 are SMS-only,
 * numbers ending in 8888 are RCS-only (RCS + SMS); every other number and every email
 * supports iMessage (and RCS/SMS).
 */
export function linqCapabilities(handle: string): LinqService[] {
	if (/9999$/.test(handle)) return ['SMS'];
	if (/8888$/.test(handle)) return ['RCS', 'SMS'];
	if (handle.includes('@')) return ['iMessage'];
	return ['iMessage', 'RCS', 'SMS'];
}

/** A chat's service: SMS when any member is SMS-only, else RCS when any is RCS-only, else iMessage. */
export function linqChatService(handles: string[]): LinqService {
	const caps = handles.map(linqCapabilities);
	if (caps.some((c) => !c.includes('RCS') && !c.includes('iMessage'))) return 'SMS';
	if (caps.some((c) => !c.includes('iMessage'))) return 'RCS';
	return 'iMessage';
}

interface LinqHandle {
	id: string;
	handle: string;
	service: LinqService;
	joinedAt: string;
	isMe: boolean;
	status: 'active' | 'left' | 'removed';
	leftAt: string | null;
}

interface LinqChat {
	id: string;
	self: string;
	isGroup: boolean;
	service: LinqService;
	handles: LinqHandle[];
	displayName: string | null;
	icon: string | null;
	createdAt: string;
	updatedAt: string;
	/** Set when a leave was accepted: later group calls answer 409. */
	leaveAccepted: boolean;
}

type Handler = (input: HandlerInput, params: Record<string, string>) => Reply;

export class LinqEmulator implements ProviderEmulator {
	readonly name = 'linq' as const;
	private chats = new Map<string, LinqChat>();
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private waiters: Array<() => void> = [];
	private readonly routes: Array<Route<Handler>>;

	constructor(
		private readonly ctx: EmulatorContext,
		private readonly applyDelayMs: number,
	) {
		this.routes = [
			{ method: 'GET', pattern: 'v3/phone_numbers', handler: () => this.phoneNumbers() },
			{ method: 'GET', pattern: 'v3/chats', handler: (i) => this.list(i) },
			{ method: 'POST', pattern: 'v3/chats', handler: (i) => this.create(i) },
			{ method: 'GET', pattern: 'v3/chats/:id', handler: (i, p) => this.get(p.id) },
			{ method: 'PUT', pattern: 'v3/chats/:id', handler: (i, p) => this.rename(i, p.id) },
			{
				method: 'POST',
				pattern: 'v3/chats/:id/participants',
				handler: (i, p) => this.add(i, p.id),
			},
			{
				method: 'DELETE',
				pattern: 'v3/chats/:id/participants',
				handler: (i, p) => this.remove(i, p.id),
			},
			{ method: 'POST', pattern: 'v3/chats/:id/leave', handler: (i, p) => this.leave(p.id) },
			{ method: 'POST', pattern: 'v3/chats/:id/messages', handler: (i, p) => this.send(i, p.id) },
			...subscriptionRoutes(ctx, this.subscriptionApi()),
		];
		this.ctx.webhooks.register(LINQ_WEBHOOKS);
	}

	reset(seed: boolean): void {
		this.cancelPending();
		this.refusals = 0;
		this.chats.clear();
		if (!seed) return;
		for (const s of LINQ_SEED) {
			const service = linqChatService(s.members);
			const handles = [s.self, ...s.members].map((h, index) =>
				this.newHandle(`${s.id}.${index}`, h, service, SEED_CREATED_AT, h === s.self),
			);
			this.chats.set(s.id, {
				id: s.id,
				self: s.self,
				isGroup: s.isGroup,
				service,
				handles,
				displayName: s.name,
				icon: null,
				createdAt: SEED_CREATED_AT,
				updatedAt: SEED_CREATED_AT,
				leaveAccepted: false,
			});
		}
	}

	// ---- async apply queue ---------------------------------------------------------------

	/** Resolves once every queued change has been applied (immediately when none is queued). */
	settle(): Promise<void> {
		if (this.timers.size === 0) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	/** Drops queued changes without applying them (reset / stop) and releases settle() waiters. */
	cancelPending(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.flushWaiters();
	}

	private flushWaiters(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const resolve of waiters) resolve();
	}

	private enqueue(apply: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			apply();
			if (this.timers.size === 0) this.flushWaiters();
		}, this.applyDelayMs);
		this.timers.add(timer);
	}

	// ---- transport-level behaviour -------------------------------------------------------

	handle(input: HandlerInput): Reply {
		const route = matchRoute(this.routes, input.method, input.segments);
		if (!route) return this.error(404, LINQ_CODES.notFound, 'Resource not found');
		const token = bearerToken(input);
		if (!token || !safeEqual(token, DEMO.linq.token)) {
			return this.error(
				401,
				LINQ_CODES.unauthorized,
				'Unauthorized - missing or invalid authentication token',
			);
		}
		return route.handler(input, route.params);
	}

	rateLimited(_input: HandlerInput, retryAfterSeconds: number): Reply {
		return this.error(429, LINQ_CODES.rateLimited, 'Too many requests', {
			'retry-after': String(retryAfterSeconds),
		});
	}

	serverError(_input: HandlerInput, status: number): Reply {
		if (status === 502) return this.error(502, LINQ_CODES.badGateway, 'Bad gateway');
		if (status === 503) return this.error(503, LINQ_CODES.unavailable, 'Service unavailable');
		return this.error(
			status >= 500 && status <= 599 ? status : 500,
			LINQ_CODES.internal,
			'Internal server error',
		);
	}

	decorate(reply: Reply): Reply {
		return reply;
	}

	getChat(chatId: string): SandboxChat | undefined {
		const chat = this.chats.get(chatId);
		return chat ? this.snapshot(chat) : undefined;
	}

	listChats(): SandboxChat[] {
		return [...this.chats.values()].map((c) => this.snapshot(c));
	}

	// ---- routes --------------------------------------------------------------------------

	private phoneNumbers(): Reply {
		return jsonReply(200, {
			phone_numbers: DEMO.linq.senders.map((n) => ({
				id: deterministicUuid(`linq.phone.${n}`),
				phone_number: n,
				health_status: this.health(),
			})),
		});
	}

	private list(input: HandlerInput): Reply {
		const from = input.query.get('from');
		const to = input.query.get('to');
		if (from !== null && !E164.test(from)) {
			return this.error(400, LINQ_CODES.invalidPhone, 'Phone number must be in E.164 format');
		}
		if (from !== null && !DEMO.linq.senders.includes(from)) {
			return this.error(
				403,
				LINQ_CODES.senderNotOwned,
				`Phone number ${from} is not assigned to this partner`,
			);
		}
		let chats = [...this.chats.values()];
		if (from !== null) chats = chats.filter((c) => c.self === from);
		if (to !== null)
			chats = chats.filter((c) => c.handles.some((h) => h.handle === to && h.status === 'active'));
		const limit = Math.min(100, Math.max(1, Number(input.query.get('limit') ?? 20) || 20));
		const cursor = Math.max(0, Number(input.query.get('cursor') ?? 0) || 0);
		const page = chats.slice(cursor, cursor + limit);
		const next = cursor + limit < chats.length ? String(cursor + limit) : null;
		return jsonReply(200, { chats: page.map((c) => this.view(c)), next_cursor: next });
	}

	private get(id: string): Reply {
		const chat = this.chats.get(id);
		if (!chat) return this.error(404, LINQ_CODES.notFound, 'Resource not found');
		return jsonReply(200, this.view(chat));
	}

	private create(input: HandlerInput): Reply {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return this.error(400, LINQ_CODES.invalidJson, 'Request body must be a JSON object');
		const body = parsed.value;
		const message = isRecord(body.message) ? body.message : undefined;
		if (body.from === undefined || body.from === null || body.from === '')
			return this.missing('from');
		if (!isE164(body.from))
			return this.error(400, LINQ_CODES.invalidPhone, 'Phone number must be in E.164 format');
		if (!DEMO.linq.senders.includes(body.from)) {
			return this.error(
				403,
				LINQ_CODES.senderNotOwned,
				`Phone number ${body.from} is not assigned to this partner`,
			);
		}
		if (!Array.isArray(body.to) || body.to.length === 0) return this.missing('to');
		for (const to of body.to) {
			if (!isE164OrEmail(to))
				return this.error(400, LINQ_CODES.invalidPhone, 'Phone number must be in E.164 format');
		}
		if (!message || !Array.isArray(message.parts) || message.parts.length === 0)
			return this.missing('message.parts');
		for (const part of message.parts) {
			if (!isRecord(part) || typeof part.type !== 'string')
				return this.error(400, LINQ_CODES.missingField, 'Each message part needs a type');
			if (part.type === 'link') return this.firstMessageLink();
			if (part.type === 'text') {
				if (typeof part.value !== 'string' || part.value === '')
					return this.missing('message.parts[].value');
				if (containsUrl(part.value)) return this.firstMessageLink();
			} else if (part.type !== 'media') {
				return this.error(
					400,
					LINQ_CODES.missingField,
					`Unsupported message part type: ${part.type}`,
				);
			}
		}
		const from = body.from;
		const recipients = [
			...new Set((body.to as string[]).map((h) => (h.includes('@') ? h.toLowerCase() : h))),
		].filter((h) => h !== from);
		if (recipients.length === 0) return this.missing('to');

		const idem = this.idempotencyCheck(message, body);
		if (idem?.kind === 'replay') return idem.reply;
		if (idem?.kind === 'conflict') return this.idempotencyConflict();

		const n = this.ctx.next('linq.chat');
		const id = deterministicUuid(`linq.chat.${n}`);
		const now = iso(this.ctx.now());
		const service = linqChatService(recipients);
		const chat: LinqChat = {
			id,
			self: from,
			isGroup: recipients.length >= 2,
			service,
			handles: [from, ...recipients].map((h, index) =>
				this.newHandle(`${id}.${index}`, h, service, now, h === from),
			),
			displayName: null,
			icon: null,
			createdAt: now,
			updatedAt: now,
			leaveAccepted: false,
		};
		this.chats.set(id, chat);
		const reply = jsonReply(200, {
			chat: {
				...this.view(chat),
				message: {
					id: deterministicUuid(`linq.message.${n}`),
					chat_id: id,
					parts: message.parts,
					is_from_me: true,
					delivery_status: 'pending',
					service,
					created_at: now,
				},
			},
		});
		if (idem?.kind === 'new') idem.remember(reply);
		this.emit('chat.created', chat, this.view(chat));
		return reply;
	}

	/** A message's idempotency key (if any) checked against the kernel's store. */
	private idempotencyCheck(
		message: Record<string, unknown>,
		request: unknown,
	): IdempotencyCheck | undefined {
		const key = message.idempotency_key;
		if (typeof key !== 'string' || key === '') return undefined;
		return this.ctx.idempotency.check('linq', key, request);
	}

	private idempotencyConflict(): Reply {
		return this.error(
			409,
			LINQ_CODES.idempotencyConflict,
			'idempotency_key was already used with a different request body',
		);
	}

	/** Checks shared by add/remove/rename/leave. */
	private groupOrError(id: string): { chat: LinqChat } | { reply: Reply } {
		const chat = this.chats.get(id);
		if (!chat) return { reply: this.error(404, LINQ_CODES.notFound, 'Resource not found') };
		if (chat.leaveAccepted) {
			return {
				reply: this.error(
					409,
					LINQ_CODES.leftChat,
					'You have left this chat; it can no longer be changed from this number',
				),
			};
		}
		if (!chat.isGroup || this.active(chat).length < 3) {
			return {
				reply: this.error(
					400,
					LINQ_CODES.notAGroup,
					'This operation is only supported for group chats (3+ participants)',
				),
			};
		}
		return { chat };
	}

	private handleFromBody(input: HandlerInput): { handle: string } | { reply: Reply } {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return {
				reply: this.error(400, LINQ_CODES.invalidJson, 'Request body must be a JSON object'),
			};
		const handle = parsed.value.handle;
		if (handle === undefined || handle === null || handle === '')
			return { reply: this.missing('handle') };
		if (!isE164OrEmail(handle))
			return {
				reply: this.error(400, LINQ_CODES.invalidPhone, 'Phone number must be in E.164 format'),
			};
		return { handle: handle.includes('@') ? handle.toLowerCase() : handle };
	}

	private add(input: HandlerInput, id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const parsed = this.handleFromBody(input);
		if ('reply' in parsed) return parsed.reply;
		const { chat } = found;
		const { handle } = parsed;
		if (this.active(chat).some((h) => h.handle === handle)) {
			return this.error(
				409,
				LINQ_CODES.alreadyParticipant,
				`${handle} is already an active participant`,
			);
		}
		if (!linqCapabilities(handle).includes(chat.service)) {
			return this.error(
				400,
				LINQ_CODES.crossService,
				`${handle} does not support ${chat.service}; cross-service additions are not allowed. Create a new chat instead`,
			);
		}
		const refuse = this.takeRefusal();
		this.enqueue(() => {
			// Linq publishes no failure event for participant changes: a refused one just never happens.
			if (refuse) return;
			const now = iso(this.ctx.now());
			let added = chat.handles.find((h) => h.handle === handle);
			if (added) {
				if (added.status === 'active') return;
				added.status = 'active';
				added.joinedAt = now;
				added.leftAt = null;
			} else {
				added = this.newHandle(
					`${chat.id}.${this.ctx.next('linq.handle')}.add`,
					handle,
					chat.service,
					now,
					false,
				);
				chat.handles.push(added);
			}
			chat.updatedAt = now;
			this.emit('participant.added', chat, {
				handle,
				chat_id: chat.id,
				participant: this.handleView(added),
				added_at: now,
			});
		});
		return this.accepted('Participant addition queued');
	}

	private remove(input: HandlerInput, id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const parsed = this.handleFromBody(input);
		if ('reply' in parsed) return parsed.reply;
		const { chat } = found;
		const { handle } = parsed;
		if (handle === chat.self) {
			return this.error(
				400,
				LINQ_CODES.notAParticipant,
				'Your own number cannot be removed; use POST /v3/chats/{chatId}/leave',
			);
		}
		if (!this.active(chat).some((h) => h.handle === handle)) {
			return this.error(
				400,
				LINQ_CODES.notAParticipant,
				`${handle} is not an active participant of this chat`,
			);
		}
		if (this.active(chat).length - 1 < 3) {
			return this.error(
				400,
				LINQ_CODES.belowThree,
				'A group chat must keep at least 3 participants after removal',
			);
		}
		const refuse = this.takeRefusal();
		this.enqueue(() => {
			const target = this.active(chat).find((h) => h.handle === handle);
			// Re-checked at apply time: a concurrent change may have made the removal invalid.
			if (refuse || !target || this.active(chat).length - 1 < 3) return;
			const now = iso(this.ctx.now());
			target.status = 'removed';
			target.leftAt = now;
			chat.updatedAt = now;
			this.emit('participant.removed', chat, {
				handle,
				chat_id: chat.id,
				participant: this.handleView(target),
				removed_at: now,
			});
		});
		return this.accepted('Participant removal queued');
	}

	private rename(input: HandlerInput, id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return this.error(400, LINQ_CODES.invalidJson, 'Request body must be a JSON object');
		const body = parsed.value;
		const hasName = body.display_name !== undefined;
		const hasIcon = body.group_chat_icon !== undefined;
		if (!hasName && !hasIcon) return this.missing('display_name or group_chat_icon');
		if (hasName && (typeof body.display_name !== 'string' || body.display_name.trim() === '')) {
			return this.error(400, LINQ_CODES.missingField, 'display_name must be a non-empty string');
		}
		if (hasIcon && body.group_chat_icon !== null && !isHttpsUrl(body.group_chat_icon)) {
			return this.error(400, LINQ_CODES.missingField, 'group_chat_icon must be an https URL');
		}
		const { chat } = found;
		const name = hasName ? (body.display_name as string).trim() : undefined;
		const icon = hasIcon ? ((body.group_chat_icon as string | null) ?? null) : undefined;
		const refuse = this.takeRefusal();
		this.enqueue(() => {
			const now = iso(this.ctx.now());
			const me = chat.handles.find((h) => h.isMe);
			if (refuse) {
				// The queued change is refused by the network: the documented *_update_failed events.
				if (name !== undefined) {
					this.emit('chat.group_name_update_failed', chat, {
						chat_id: chat.id,
						error_code: 4001,
						failed_at: now,
					});
				}
				if (icon !== undefined) {
					this.emit('chat.group_icon_update_failed', chat, {
						chat_id: chat.id,
						error_code: 4001,
						failed_at: now,
					});
				}
				return;
			}
			const oldName = chat.displayName;
			const oldIcon = chat.icon;
			if (name !== undefined) chat.displayName = name;
			if (icon !== undefined) chat.icon = icon;
			chat.updatedAt = now;
			const changedBy = me ? this.handleView(me) : null;
			if (name !== undefined) {
				this.emit('chat.group_name_updated', chat, {
					chat_id: chat.id,
					updated_at: now,
					changed_by_handle: changedBy,
					new_value: name,
					old_value: oldName,
				});
			}
			if (icon !== undefined) {
				this.emit('chat.group_icon_updated', chat, {
					chat_id: chat.id,
					updated_at: now,
					changed_by_handle: changedBy,
					new_value: icon,
					old_value: oldIcon,
				});
			}
		});
		return jsonReply(200, { chat_id: chat.id, status: 'accepted' });
	}

	private leave(id: string): Reply {
		const chat = this.chats.get(id);
		if (chat && chat.leaveAccepted) {
			return this.error(409, LINQ_CODES.leftChat, 'You have already left this chat');
		}
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		if (found.chat.service !== 'iMessage') {
			return this.error(
				400,
				LINQ_CODES.leaveNotAllowed,
				'Leaving is only supported for iMessage group chats',
			);
		}
		if (this.active(found.chat).length < 4) {
			return this.error(
				400,
				LINQ_CODES.leaveNotAllowed,
				'Leaving requires at least 4 active participants',
			);
		}
		const target = found.chat;
		target.leaveAccepted = true;
		this.enqueue(() => {
			const me = target.handles.find((h) => h.isMe);
			if (!me || me.status !== 'active') return;
			const now = iso(this.ctx.now());
			me.status = 'left';
			me.leftAt = now;
			target.updatedAt = now;
			// Leaving fires participant.removed for the line itself (is_me).
			this.emit('participant.removed', target, {
				handle: me.handle,
				chat_id: target.id,
				participant: this.handleView(me),
				removed_at: now,
			});
		});
		return this.accepted('Leave group chat queued');
	}

	/**
	 * Send a message to an existing chat: `{message: MessageContent}` (the SDK's
	 * MessageSendParams: parts, effect?, idempotency_key?, preferred_service?, reply_to?) →
	 * `{chat_id, message: SentMessage}`. The SDK's rules: 1–100 parts; a `link` (or
	 * `imessage_app`) part must be the only part; no two text parts in a row; a media part has
	 * exactly one of an https `url` or an `attachment_id`. The first-message link rule of create
	 * does not apply. After a leave every interaction endpoint answers 409 (the SDK's leaveChat).
	 * Fires `message.sent` (the SDK's 2026-02-03 message event, direction "outbound").
	 */
	private send(input: HandlerInput, id: string): Reply {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return this.error(400, LINQ_CODES.invalidJson, 'Request body must be a JSON object');
		const body = parsed.value;
		const chat = this.chats.get(id);
		if (!chat) return this.error(404, LINQ_CODES.notFound, 'Resource not found');
		if (chat.leaveAccepted) {
			return this.error(
				409,
				LINQ_CODES.leftChat,
				'You have left this chat; messages can no longer be sent to it from this number',
			);
		}
		if (!isRecord(body.message)) return this.missing('message');
		const message = body.message;
		const problem = linqContentProblem(message);
		if (problem) return this.error(400, LINQ_CODES.missingField, problem);
		const replyTo = isRecord(message.reply_to) ? message.reply_to : undefined;
		if (replyTo && !this.ctx.messages.find('linq', chat.id, String(replyTo.message_id))) {
			return this.error(
				404,
				LINQ_CODES.notFound,
				`Message ${String(replyTo.message_id)} to reply to was not found in this chat`,
			);
		}
		const idem = this.idempotencyCheck(message, { chat_id: id, body });
		if (idem?.kind === 'replay') return idem.reply;
		if (idem?.kind === 'conflict') return this.idempotencyConflict();

		const n = this.ctx.next('linq.sent');
		const now = iso(this.ctx.now());
		const options: Record<string, unknown> = {};
		for (const field of ['effect', 'preferred_service', 'idempotency_key'] as const) {
			if (message[field] !== undefined) options[field] = message[field];
		}
		const logged = this.ctx.messages.add({
			provider: 'linq',
			chatId: chat.id,
			id: deterministicUuid(`linq.sent.${n}`),
			direction: 'outbound',
			from: chat.self,
			text: textOfParts(message.parts as unknown[]),
			parts: message.parts as unknown[],
			replyTo: replyTo ? String(replyTo.message_id) : null,
			options: { ...options, ...(replyTo ? { reply_to: replyTo } : {}) },
			createdAt: now,
		});
		const me = chat.handles.find((h) => h.isMe);
		const reply = jsonReply(200, {
			chat_id: chat.id,
			message: {
				id: logged.id,
				created_at: now,
				delivery_status: 'queued',
				is_read: false,
				parts: (message.parts as Array<Record<string, unknown>>).map((part, index) =>
					this.partView(part, `${logged.id}.${index}`),
				),
				sent_at: null,
				delivered_at: null,
				effect: message.effect ?? null,
				from_handle: me ? this.handleView(me) : null,
				preferred_service: message.preferred_service ?? null,
				reply_to: replyTo ?? null,
				service: chat.service,
			},
		});
		if (idem?.kind === 'new') idem.remember(reply);
		this.emitSent(chat, logged);
		return reply;
	}

	/** A sent part as the SDK's *PartResponse types show it (`reactions: null`; media described). */
	private partView(part: Record<string, unknown>, seed: string): Record<string, unknown> {
		if (part.type === 'media') {
			const url =
				typeof part.url === 'string'
					? part.url
					: `https://cdn.linqapp.com/sandbox/${String(part.attachment_id)}`;
			return {
				type: 'media',
				id:
					typeof part.attachment_id === 'string'
						? part.attachment_id
						: deterministicUuid(`linq.attachment.${seed}`),
				filename: url.split('/').pop() || 'attachment',
				mime_type: 'application/octet-stream',
				size_bytes: 0,
				url,
				reactions: null,
			};
		}
		return { ...part, reactions: null };
	}

	/** `message.sent` for a message your line sent (never `message.received`: that is for inbound ones). */
	private emitSent(chat: LinqChat, message: SandboxMessage): void {
		const me = chat.handles.find((h) => h.isMe);
		const options = message.options ?? {};
		this.emit('message.sent', chat, {
			chat: { id: chat.id, is_group: chat.isGroup, owner_handle: me ? this.handleView(me) : null },
			id: message.id,
			direction: 'outbound',
			sender_handle: me ? this.handleView(me) : null,
			parts: (message.parts ?? [])
				.filter(isRecord)
				.map((part, index) => this.partView(part, `${message.id}.${index}`)),
			service: chat.service,
			sent_at: message.createdAt,
			delivered_at: null,
			read_at: null,
			effect: options.effect ?? null,
			idempotency_key: options.idempotency_key ?? null,
			preferred_service: options.preferred_service ?? null,
			reply_to: options.reply_to ?? null,
		});
	}

	// ---- webhooks ------------------------------------------------------------------------

	private refusals = 0;

	/** The next `count` queued changes are accepted, then refused when applied. */
	refuseQueued(count: number): void {
		this.refusals += Math.max(0, count);
	}

	private takeRefusal(): boolean {
		if (this.refusals <= 0) return false;
		this.refusals -= 1;
		return true;
	}

	private emit(eventType: string, chat: LinqChat, data: Record<string, unknown>): void {
		const eventId = deterministicUuid(`linq.event.${this.ctx.next('linq.event')}`);
		this.ctx.webhooks.emit('linq', eventType, eventId, data, chat.self);
	}

	/** An inbound message in a group (sandbox endpoint): `message.received`, 2026-02-03 shape. */
	receiveMessage(
		chatId: string,
		from: string,
		text: string,
	): { eventId: string; deliveredTo: number } {
		const chat = this.chats.get(chatId);
		if (!chat) throw new Error(`Linq: no chat ${chatId}`);
		const sender = chat.handles.find((h) => h.handle === from && h.status === 'active');
		if (!sender) throw new Error(`Linq: ${from} is not an active member of ${chatId}`);
		const me = chat.handles.find((h) => h.isMe);
		const n = this.ctx.next('linq.event');
		const eventId = deterministicUuid(`linq.event.${n}`);
		const now = iso(this.ctx.now());
		const inboundId = deterministicUuid(`linq.inbound.${n}`);
		this.ctx.messages.add({
			provider: 'linq',
			chatId: chat.id,
			id: inboundId,
			direction: 'inbound',
			from,
			text,
			parts: [{ type: 'text', value: text }],
			replyTo: null,
			options: null,
			createdAt: now,
		});
		const deliveredTo = this.ctx.webhooks.emit(
			'linq',
			'message.received',
			eventId,
			{
				chat: {
					id: chat.id,
					is_group: chat.isGroup,
					owner_handle: me ? this.handleView(me) : null,
				},
				id: inboundId,
				direction: 'inbound',
				sender_handle: this.handleView(sender),
				parts: [{ type: 'text', value: text }],
				service: chat.service,
				sent_at: now,
				delivered_at: null,
				read_at: null,
			},
			chat.self,
		);
		return { eventId, deliveredTo };
	}

	/** The webhook-subscription endpoints: create takes `{target_url, subscribed_events[], phone_numbers?[]}` exactly (the SDK's create params). */
	private subscriptionApi(): SubscriptionApi {
		return {
			provider: 'linq',
			path: 'v3/webhook-subscriptions',
			counter: 'subscription',
			fields: ['target_url', 'subscribed_events', 'phone_numbers'],
			notAnObject: () =>
				this.error(400, LINQ_CODES.invalidJson, 'Request body must be a JSON object'),
			badRequest: (message) => this.error(400, LINQ_CODES.missingField, message),
			parse: (body, existing) => {
				if (!isHttpUrl(body.target_url))
					return {
						reply: this.error(400, LINQ_CODES.missingField, 'target_url must be an http(s) URL'),
					};
				const events = body.subscribed_events;
				if (
					!Array.isArray(events) ||
					events.length === 0 ||
					!events.every((e) => LINQ_EVENT_TYPES.includes(String(e)))
				) {
					return {
						reply: this.error(
							400,
							LINQ_CODES.missingField,
							'subscribed_events must be a non-empty list of event types',
						),
					};
				}
				const phones = body.phone_numbers === undefined ? [] : body.phone_numbers;
				if (!Array.isArray(phones) || !phones.every((p) => isE164(p))) {
					return {
						reply: this.error(400, LINQ_CODES.invalidPhone, 'Phone number must be in E.164 format'),
					};
				}
				const foreign = (phones as string[]).find((p) => !DEMO.linq.senders.includes(p));
				if (foreign)
					return {
						reply: this.error(
							403,
							LINQ_CODES.senderNotOwned,
							`Phone number ${foreign} is not assigned to this partner`,
						),
					};
				if (existing.some((sub) => sub.url === body.target_url)) {
					return {
						reply: this.error(
							409,
							LINQ_CODES.subscriptionExists,
							'A webhook subscription for this target_url already exists',
						),
					};
				}
				return {
					drafts: [
						{
							url: body.target_url,
							events: [...new Set(events.map(String))],
							phoneNumbers: phones as string[],
						},
					],
				};
			},
			secret: (n) =>
				`whsec_${Buffer.from(deterministicHex(`linq.whsec.${n}`, 64), 'hex').toString('base64')}`,
			view: (sub, created) => ({
				id: sub.id,
				created_at: sub.createdAt,
				updated_at: sub.updatedAt,
				is_active: true,
				subscribed_events: sub.events,
				target_url: sub.url,
				phone_numbers: sub.phoneNumbers.length ? sub.phoneNumbers : null,
				...(created ? { signing_secret: sub.secret } : {}),
			}),
			listed: (views) => jsonReply(200, { subscriptions: views }),
			found: (view) => jsonReply(200, view),
			created: ([view]) => jsonReply(200, view),
			deleted: () => ({ status: 204, headers: {}, body: '' }),
			notFound: () => this.error(404, LINQ_CODES.notFound, 'Resource not found'),
		};
	}

	private handleView(h: LinqHandle): Record<string, unknown> {
		return {
			id: h.id,
			handle: h.handle,
			service: h.service,
			joined_at: h.joinedAt,
			is_me: h.isMe,
			status: h.status,
			left_at: h.leftAt,
		};
	}

	// ---- helpers -------------------------------------------------------------------------

	private active(chat: LinqChat): LinqHandle[] {
		return chat.handles.filter((h) => h.status === 'active');
	}

	private newHandle(
		seed: string,
		handle: string,
		service: LinqService,
		joinedAt: string,
		isMe: boolean,
	): LinqHandle {
		return {
			id: deterministicUuid(`linq.handle.${seed}`),
			handle,
			service,
			joinedAt,
			isMe,
			status: 'active',
			leftAt: null,
		};
	}

	private health(): Record<string, unknown> {
		return {
			status: 'HEALTHY',
			doc_url: 'https://docs.linqapp.com/guides/chats/chat-health#healthy',
			updated_at: SEED_CREATED_AT,
		};
	}

	private view(chat: LinqChat): Record<string, unknown> {
		const others = chat.handles
			.filter((h) => !h.isMe && h.status === 'active')
			.map((h) => h.handle);
		return {
			id: chat.id,
			created_at: chat.createdAt,
			updated_at: chat.updatedAt,
			display_name: chat.displayName ?? others.join(', '),
			handles: chat.handles.map((h) => ({
				id: h.id,
				handle: h.handle,
				service: h.service,
				joined_at: h.joinedAt,
				is_me: h.isMe,
				status: h.status,
				left_at: h.leftAt,
			})),
			is_archived: false,
			is_group: chat.isGroup,
			// The SDK's Chat: "URL of the group chat icon. Only set for group chats that have an icon".
			group_chat_icon: chat.icon,
			service: chat.service,
			health_status: this.health(),
		};
	}

	private snapshot(chat: LinqChat): SandboxChat {
		const me = chat.handles.find((h) => h.isMe);
		return {
			provider: 'linq',
			id: chat.id,
			name: chat.displayName,
			participants: this.active(chat).map((h) => h.handle),
			self: chat.self,
			selfIsMember: me?.status === 'active',
			iconUrl: chat.icon,
		};
	}

	private accepted(message: string): Reply {
		return jsonReply(200, { message, status: 'accepted', trace_id: this.traceId() });
	}

	private missing(field: string): Reply {
		return this.error(400, LINQ_CODES.missingField, `Missing required field: ${field}`);
	}

	private firstMessageLink(): Reply {
		return this.error(
			400,
			LINQ_CODES.linkInFirstMessage,
			'The first message of a new chat cannot contain a link',
		);
	}

	private traceId(): string {
		return deterministicUuid(`linq.trace.${this.ctx.next('linq.trace')}`);
	}

	private error(
		status: number,
		code: number,
		message: string,
		headers: Record<string, string> = {},
	): Reply {
		return jsonReply(
			status,
			{ success: false, error: { status, code, message }, trace_id: this.traceId() },
			headers,
		);
	}
}

/** iMessage effects the SDK lists for MessageContent.effect. */
const LINQ_EFFECTS: Record<'screen' | 'bubble', string[]> = {
	screen: [
		'confetti',
		'fireworks',
		'lasers',
		'sparkles',
		'celebration',
		'hearts',
		'love',
		'balloons',
		'happy_birthday',
		'echo',
		'spotlight',
	],
	bubble: ['slam', 'loud', 'gentle', 'invisible'],
};

/** Why a MessageContent of a send is refused (undefined: fine), after the SDK's validation rules. */
function linqContentProblem(message: Record<string, unknown>): string | undefined {
	const parts = message.parts;
	if (!Array.isArray(parts) || parts.length === 0) return 'Missing required field: message.parts';
	if (parts.length > 100) return 'A message has at most 100 parts';
	let previous: unknown;
	for (const part of parts) {
		if (!isRecord(part) || typeof part.type !== 'string') return 'Each message part needs a type';
		if (part.type === 'text') {
			if (typeof part.value !== 'string' || part.value.trim() === '')
				return 'Missing required field: message.parts[].value';
			if (previous === 'text')
				return 'Consecutive text parts are not allowed; separate them with a media part';
		} else if (part.type === 'link' || part.type === 'imessage_app') {
			if (parts.length > 1) return `A ${part.type} part must be the only part in the message`;
			if (part.type === 'link' && (!isHttpUrl(part.value) || String(part.value).length > 2048)) {
				return 'A link part needs a URL of at most 2,048 characters in value';
			}
		} else if (part.type === 'media') {
			const hasUrl = part.url !== undefined;
			const hasId = part.attachment_id !== undefined;
			if (hasUrl === hasId) return 'A media part needs either url or attachment_id, not both';
			if (hasUrl && !isHttpsUrl(part.url)) return 'A media url must be an https URL';
			if (hasId && (typeof part.attachment_id !== 'string' || part.attachment_id === ''))
				return 'attachment_id must be a non-empty string';
		} else {
			return `Unsupported message part type: ${part.type}`;
		}
		previous = part.type;
	}
	if (message.effect !== undefined) {
		const effect = message.effect;
		if (!isRecord(effect)) return 'effect must be an object {type, name}';
		const type = effect.type;
		if (type !== 'screen' && type !== 'bubble') return 'effect.type must be "screen" or "bubble"';
		if (!LINQ_EFFECTS[type].includes(String(effect.name))) {
			return `effect.name must be one of ${LINQ_EFFECTS[type].join(', ')} for a ${type} effect`;
		}
	}
	if (
		message.preferred_service !== undefined &&
		!['iMessage', 'SMS', 'RCS'].includes(String(message.preferred_service))
	) {
		return 'preferred_service must be iMessage, SMS or RCS';
	}
	if (
		message.idempotency_key !== undefined &&
		(typeof message.idempotency_key !== 'string' || message.idempotency_key === '')
	) {
		return 'idempotency_key must be a non-empty string';
	}
	if (message.reply_to !== undefined) {
		const replyTo = message.reply_to;
		if (!isRecord(replyTo) || typeof replyTo.message_id !== 'string' || replyTo.message_id === '') {
			return 'reply_to needs a message_id';
		}
		if (
			replyTo.part_index !== undefined &&
			!(Number.isInteger(replyTo.part_index) && (replyTo.part_index as number) >= 0)
		) {
			return 'reply_to.part_index must be a whole number, 0 or more';
		}
	}
	return undefined;
}

/** Event types a Linq subscription may name (the SDK's WebhookEventType, group-chat subset and messages). */
const LINQ_EVENT_TYPES = [
	'message.sent',
	'message.received',
	'message.read',
	'message.delivered',
	'message.failed',
	'reaction.added',
	'reaction.removed',
	'participant.added',
	'participant.removed',
	'chat.created',
	'chat.group_name_updated',
	'chat.group_icon_updated',
	'chat.group_name_update_failed',
	'chat.group_icon_update_failed',
];

/**
 * Linq's delivery scheme: the envelope `{api_version, webhook_version, event_id, event_type,
 * created_at, partner_id, trace_id, data}`, Standard Webhooks headers (HMAC-SHA256 keyed with the
 * base64-decoded secret over "<id>.<ts>.<body>") plus the legacy X-Webhook-* headers; 5xx, 429
 * and network errors retried up to 10 times (Linq spreads them over ~25 minutes).
 */
export const LINQ_WEBHOOKS: WebhookScheme = {
	provider: 'linq',
	envelope: (eventType, eventId, data, nowMs) => ({
		api_version: 'v3',
		webhook_version: '2026-02-03',
		event_id: eventId,
		event_type: eventType,
		created_at: iso(nowMs),
		partner_id: 'sandbox-partner',
		trace_id: deterministicHex(`linq.webhook.trace.${eventId}`, 32),
		data,
	}),
	headers: (sub, { eventType, eventId, body, nowMs }) => {
		const ts = Math.floor(nowMs / 1000);
		const secret = sub.secret ?? '';
		const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
		const standard = createHmac('sha256', key).update(`${eventId}.${ts}.${body}`).digest('base64');
		const legacy = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
		return {
			'webhook-id': eventId,
			'webhook-timestamp': String(ts),
			'webhook-signature': `v1,${standard}`,
			'x-webhook-event': eventType,
			'x-webhook-subscription-id': sub.id,
			'x-webhook-timestamp': String(ts),
			'x-webhook-signature': legacy,
		};
	},
	maxRetries: 10,
	retryOn: (status) => status === 0 || status === 429 || status >= 500,
};
