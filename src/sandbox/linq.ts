/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tool, not shipped in dist */
/**
 * Linq Partner API v3 emulator: bearer auth, chats with per-handle services, and group changes
 * that are validated at request time, answered "accepted", and applied asynchronously.
 */
import { DEMO, LINQ_SEED, SEED_CREATED_AT } from './seed';
import type { EmulatorContext, HandlerInput, ProviderEmulator, Reply, SandboxChat } from './types';
import {
	E164,
	bearerToken,
	canonicalJson,
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
	safeEqual,
	type Route,
} from './util';

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
	private idempotency = new Map<string, { hash: string; reply: Reply }>();
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
		];
	}

	reset(seed: boolean): void {
		this.cancelPending();
		this.chats.clear();
		this.idempotency.clear();
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

		const key =
			typeof message.idempotency_key === 'string' && message.idempotency_key !== ''
				? message.idempotency_key
				: undefined;
		const hash = canonicalJson(body);
		if (key !== undefined) {
			const previous = this.idempotency.get(key);
			if (previous) {
				if (previous.hash === hash) return previous.reply;
				return this.error(
					409,
					LINQ_CODES.idempotencyConflict,
					'idempotency_key was already used with a different request body',
				);
			}
		}

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
		if (key !== undefined) this.idempotency.set(key, { hash, reply });
		return reply;
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
		this.enqueue(() => {
			const now = iso(this.ctx.now());
			const existing = chat.handles.find((h) => h.handle === handle);
			if (existing) {
				if (existing.status === 'active') return;
				existing.status = 'active';
				existing.joinedAt = now;
				existing.leftAt = null;
			} else {
				chat.handles.push(
					this.newHandle(
						`${chat.id}.${this.ctx.next('linq.handle')}.add`,
						handle,
						chat.service,
						now,
						false,
					),
				);
			}
			chat.updatedAt = now;
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
		this.enqueue(() => {
			const target = this.active(chat).find((h) => h.handle === handle);
			// Re-checked at apply time: a concurrent change may have made the removal invalid.
			if (!target || this.active(chat).length - 1 < 3) return;
			const now = iso(this.ctx.now());
			target.status = 'removed';
			target.leftAt = now;
			chat.updatedAt = now;
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
		this.enqueue(() => {
			if (name !== undefined) chat.displayName = name;
			if (icon !== undefined) chat.icon = icon;
			chat.updatedAt = iso(this.ctx.now());
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
		});
		return this.accepted('Leave group chat queued');
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
