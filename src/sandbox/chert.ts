/**
 * Chert (iMessage) emulator: HMAC v1 / bearer auth, the group-chat routes under /api/v1,
 * Chert's error envelope and codes, idempotent create, optional rate limiting.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CHERT_SEED, DEMO, SEED_CREATED_AT } from './seed';
import type {
	EmulatorContext,
	HandlerInput,
	IdempotencyCheck,
	ProviderEmulator,
	RateLimitSpec,
	Reply,
	SandboxChat,
	SandboxMessage,
	WebhookScheme,
} from './types';
import { textOfParts } from './messages';
import {
	FixedWindowLimiter,
	containsUrl,
	deterministicHex,
	header,
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
import { subscriptionRoutes, type SubscriptionApi } from './subscriptions';

/** Codes that clients may retry (providers.md). */
const RETRYABLE = new Set([1007, 3001, 3002, 3004, 4001, 4002]);

/** Signature timestamps further than this from server time are refused (2013). */
export const CHERT_MAX_SKEW_SECONDS = 300;

/** Code answered when an idempotency key is reused with a different body (docs are silent). */
export const CHERT_IDEMPOTENCY_CONFLICT = 1008;

interface ChertChat {
	id: string;
	isGroup: boolean;
	/** The tenant number that created / holds the chat. */
	self: string;
	selfIsMember: boolean;
	/** Members other than the sending line. */
	members: string[];
	displayName: string | null;
	icon: string | null;
	createdAt: string;
}

interface Tenant {
	slug: string;
	secret: string;
	senders: string[];
}

type Params = Record<string, string>;
type Handler = (input: HandlerInput, params: Params, tenant: Tenant) => Reply;

export class ChertEmulator implements ProviderEmulator {
	readonly name = 'chert' as const;
	private chats = new Map<string, ChertChat>();
	private readonly tenants: Tenant[] = [
		{ slug: DEMO.chert.tenantSlug, secret: DEMO.chert.signingSecret, senders: DEMO.chert.senders },
	];
	private readonly limiter?: FixedWindowLimiter;
	private readonly routes: Array<Route<Handler>>;

	constructor(
		private readonly ctx: EmulatorContext,
		rateLimit?: RateLimitSpec,
	) {
		if (rateLimit)
			this.limiter = new FixedWindowLimiter(
				rateLimit.limit,
				rateLimit.windowSeconds * 1000,
				rateLimit.aligned,
			);
		this.routes = [
			{
				method: 'GET',
				pattern: 'api/v1/phone-numbers',
				handler: (i, p, t) => this.phoneNumbers(t),
			},
			{ method: 'GET', pattern: 'api/v1/chats', handler: (i, p, t) => this.list(t) },
			{ method: 'POST', pattern: 'api/v1/chats', handler: (i, p, t) => this.create(i, t) },
			{ method: 'GET', pattern: 'api/v1/chats/:id', handler: (i, p) => this.get(p.id) },
			{ method: 'PUT', pattern: 'api/v1/chats/:id', handler: (i, p) => this.rename(i, p.id) },
			{
				method: 'POST',
				pattern: 'api/v1/chats/:id/participants',
				handler: (i, p) => this.add(i, p.id),
			},
			{
				method: 'DELETE',
				pattern: 'api/v1/chats/:id/participants/:address',
				handler: (i, p) => this.remove(p.id, p.address),
			},
			{ method: 'POST', pattern: 'api/v1/chats/:id/leave', handler: (i, p) => this.leave(p.id) },
			{
				method: 'POST',
				pattern: 'api/v1/chats/:id/messages',
				handler: (i, p, t) => this.send(i, p.id, t),
			},
			...subscriptionRoutes(ctx, this.subscriptionApi()),
		];
		this.ctx.webhooks.register(CHERT_WEBHOOKS);
	}

	reset(seed: boolean): void {
		this.chats.clear();
		this.limiter?.reset();
		if (!seed) return;
		for (const s of CHERT_SEED) {
			this.chats.set(s.id, {
				id: s.id,
				isGroup: s.isGroup,
				self: s.self,
				selfIsMember: true,
				members: [...s.members],
				displayName: s.name,
				icon: null,
				createdAt: SEED_CREATED_AT,
			});
		}
	}

	// ---- transport-level behaviour -------------------------------------------------------

	handle(input: HandlerInput): Reply {
		const route = matchRoute(this.routes, input.method, input.segments);
		if (!route) return this.error(404, 2001, `No route for ${input.method} ${input.path}`);

		const auth = this.authenticate(input);
		if ('reply' in auth) return auth.reply;

		if (this.limiter) {
			const hit = this.limiter.hit(input.now);
			if (hit.limited) {
				return this.rateLimited(input, Math.max(1, Math.ceil((hit.resetAtMs - input.now) / 1000)));
			}
		}

		if (input.rawBody.length > 0) {
			const type = header(input, 'content-type') ?? '';
			if (!/^application\/json\b/i.test(type.trim())) {
				return this.error(
					400,
					1004,
					'content-type must be application/json on requests with a body',
				);
			}
		}
		return route.handler(input, route.params, auth.tenant);
	}

	rateLimited(_input: HandlerInput, retryAfterSeconds: number): Reply {
		return this.error(429, 1007, 'Rate limit exceeded, retry later', retryAfterSeconds);
	}

	serverError(_input: HandlerInput, status: number): Reply {
		if (status === 502) return this.error(502, 3004, 'Bad gateway: upstream iMessage relay failed');
		if (status === 503) return this.error(503, 3002, 'Service temporarily unavailable');
		return this.error(status >= 500 && status <= 599 ? status : 500, 3001, 'Internal server error');
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

	// ---- auth ----------------------------------------------------------------------------

	private authenticate(input: HandlerInput): { tenant: Tenant } | { reply: Reply } {
		const signature = header(input, 'x-chert-signature');
		const tenantSlug = header(input, 'x-chert-tenant');
		const authorization = header(input, 'authorization');

		if (signature !== undefined) {
			// Signature mode is checked first; a bad signature is refused even with a valid bearer.
			if (!tenantSlug)
				return {
					reply: this.error(401, 2012, 'x-chert-tenant is required with x-chert-signature'),
				};
			const tenant = this.tenants.find((t) => t.slug === tenantSlug);
			if (!tenant) return { reply: this.error(401, 2004, 'Unknown tenant') };
			const match = /^v1,(\d{1,12}),([0-9a-f]{64})$/.exec(signature.trim());
			if (!match)
				return {
					reply: this.error(
						401,
						2004,
						'Malformed x-chert-signature (expected v1,<unix_seconds>,<hex>)',
					),
				};
			const ts = match[1];
			const expected = createHmac('sha256', tenant.secret)
				.update(Buffer.concat([Buffer.from(`${ts}.`, 'utf8'), input.rawBody]))
				.digest();
			const given = Buffer.from(match[2], 'hex');
			if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
				return { reply: this.error(401, 2004, 'Invalid signature') };
			}
			if (Math.abs(Math.floor(input.now / 1000) - Number(ts)) > CHERT_MAX_SKEW_SECONDS) {
				return {
					reply: this.error(
						401,
						2013,
						`Signature timestamp is more than ${CHERT_MAX_SKEW_SECONDS}s from server time (clock skew)`,
					),
				};
			}
			return { tenant };
		}

		if (authorization !== undefined) {
			const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
			if (!match) return { reply: this.error(401, 2004, 'Malformed Authorization header') };
			const candidates = tenantSlug
				? this.tenants.filter((t) => t.slug === tenantSlug)
				: this.tenants;
			if (candidates.length === 0) return { reply: this.error(401, 2004, 'Unknown tenant') };
			const tenant = candidates.find((t) => safeEqual(t.secret, match[1]));
			if (!tenant) return { reply: this.error(401, 2004, 'Invalid bearer token') };
			return { tenant };
		}

		return {
			reply: this.error(
				401,
				2012,
				'Missing authentication: send x-chert-tenant + x-chert-signature, or Authorization: Bearer',
			),
		};
	}

	// ---- routes --------------------------------------------------------------------------

	private phoneNumbers(tenant: Tenant): Reply {
		return jsonReply(200, {
			phone_numbers: tenant.senders.map((n) => ({
				phone_number: n,
				service: 'imessage',
				status: 'active',
			})),
		});
	}

	private list(tenant: Tenant): Reply {
		const chats = [...this.chats.values()].filter((c) => tenant.senders.includes(c.self));
		return jsonReply(200, { chats: chats.map((c) => this.view(c)), next_cursor: null });
	}

	private get(id: string): Reply {
		const chat = this.chats.get(id);
		if (!chat) return this.error(404, 2002, 'Chat not found');
		return jsonReply(200, { chat: this.view(chat) });
	}

	private create(input: HandlerInput, tenant: Tenant): Reply {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return this.error(400, 1004, 'Request body must be a JSON object');
		const body = parsed.value;
		const message = isRecord(body.message) ? body.message : undefined;

		if (body.from === undefined || body.from === null || body.from === '')
			return this.error(400, 1001, 'Missing required field: from');
		if (body.to === undefined || body.to === null)
			return this.error(400, 1001, 'Missing required field: to');
		if (!message || message.parts === undefined)
			return this.error(400, 1001, 'Missing required field: message.parts');
		if (!Array.isArray(body.to))
			return this.error(400, 1001, 'to must be an array of E.164 phone numbers');
		if (!isE164(body.from))
			return this.error(400, 1003, `Invalid phone number in from: ${String(body.from)}`);
		for (const to of body.to) {
			if (!isE164(to)) return this.error(400, 1003, `Invalid phone number in to: ${String(to)}`);
		}
		if (!tenant.senders.includes(body.from)) {
			return this.error(403, 2006, `from ${body.from} is not assigned to this tenant`);
		}
		const from = body.from;
		const recipients = [...new Set(body.to as string[])].filter((n) => n !== from);
		if (recipients.length > 31)
			return this.error(422, 1006, `A group takes at most 31 recipients; got ${recipients.length}`);
		if (recipients.length < 2) {
			return this.error(400, 1001, `A group needs 2-31 recipients in to; got ${recipients.length}`);
		}

		if (!Array.isArray(message.parts) || message.parts.length === 0) {
			return this.error(400, 1001, 'message.parts must be a non-empty array');
		}
		for (const part of message.parts) {
			if (!isRecord(part)) return this.error(400, 1001, 'Each message part must be an object');
			if (part.type !== 'text') {
				return this.error(
					501,
					4099,
					'Group creation supports a text-only first message; send media or links afterwards',
				);
			}
			if (typeof part.value !== 'string' || part.value.trim() === '') {
				return this.error(400, 1001, 'Missing required field: message.parts[].value');
			}
			if (containsUrl(part.value)) {
				return this.error(400, 1005, 'The first message of a group cannot contain a URL');
			}
		}
		if (
			message.subject !== undefined &&
			message.subject !== null &&
			typeof message.subject !== 'string'
		) {
			return this.error(400, 1001, 'message.subject must be a string');
		}

		const idem = this.idempotencyCheck(tenant, message, body);
		if (idem?.kind === 'replay') return replayed(idem.reply);
		if (idem?.kind === 'conflict') return this.idempotencyConflict();

		const n = this.ctx.next('chert.chat');
		const now = iso(this.ctx.now());
		const subject =
			typeof message.subject === 'string' && message.subject.trim() !== ''
				? message.subject.trim()
				: null;
		const chat: ChertChat = {
			id: `ch_sbx${String(n).padStart(6, '0')}`,
			isGroup: true,
			self: from,
			selfIsMember: true,
			members: recipients,
			displayName: subject,
			icon: null,
			createdAt: now,
		};
		this.chats.set(chat.id, chat);
		const reply = jsonReply(200, {
			chat: {
				id: chat.id,
				display_name: chat.displayName,
				handles: chat.members.map((address) => ({ service: 'imessage', address })),
				is_group: true,
				service: 'imessage',
				health_score: 100,
				created_at: now,
			},
			message: {
				id: deterministicHex(`chert.message.${n}`, 32),
				chat_id: chat.id,
				parts: message.parts,
				status: 'sent',
				direction: 'outbound',
				created_at: now,
				delivered_at: null,
				read_at: null,
				service: 'imessage',
			},
		});
		if (idem?.kind === 'new') idem.remember(reply);
		return reply;
	}

	/** A message's idempotency key (if any) checked against the kernel's store, per tenant. */
	private idempotencyCheck(
		tenant: Tenant,
		message: Record<string, unknown>,
		request: unknown,
	): IdempotencyCheck | undefined {
		const key = message.idempotency_key;
		if (typeof key !== 'string' || key === '') return undefined;
		return this.ctx.idempotency.check('chert', `${tenant.slug}:${key}`, request);
	}

	private idempotencyConflict(): Reply {
		return this.error(
			409,
			CHERT_IDEMPOTENCY_CONFLICT,
			'idempotency_key was already used with a different request body',
		);
	}

	/** Shared checks of the group routes: chat exists, is a group, the line is still in it. */
	private groupOrError(id: string): { chat: ChertChat } | { reply: Reply } {
		const chat = this.chats.get(id);
		if (!chat) return { reply: this.error(404, 2002, 'Chat not found') };
		if (!chat.isGroup)
			return {
				reply: this.error(
					400,
					1006,
					'Chat is a direct message; this endpoint only applies to groups',
				),
			};
		if (!chat.selfIsMember)
			return {
				reply: this.error(
					400,
					1006,
					'Chat is no longer a group for this line: the line left it (not a member)',
				),
			};
		return { chat };
	}

	private add(input: HandlerInput, id: string): Reply {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return this.error(400, 1004, 'Request body must be a JSON object');
		const address = parsed.value.address ?? parsed.value.handle;
		if (address === undefined || address === null || address === '')
			return this.error(400, 1001, 'Missing required field: address');
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		if (!isE164OrEmail(address))
			return this.error(400, 1003, `Invalid address: ${String(address)}`);
		const chat = found.chat;
		const normalized = address.includes('@') ? address.toLowerCase() : address;
		if (normalized !== chat.self && !chat.members.includes(normalized))
			chat.members.push(normalized);
		return jsonReply(200, { chat_id: chat.id, added: normalized, participants: this.roster(chat) });
	}

	private remove(id: string, rawAddress: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const chat = found.chat;
		const address = rawAddress.includes('@') ? rawAddress.toLowerCase() : rawAddress;
		if (!isE164OrEmail(address)) return this.error(400, 1003, `Invalid address: ${rawAddress}`);
		if (address === chat.self) {
			return this.error(
				400,
				1006,
				'The sending line cannot be removed; use POST /api/v1/chats/{id}/leave',
			);
		}
		if (!chat.members.includes(address)) return this.error(400, 1001, `${address} is not in group`);
		if (this.roster(chat).length - 1 < 3) {
			return this.error(400, 1002, 'A group cannot shrink below 3 members');
		}
		chat.members = chat.members.filter((m) => m !== address);
		return jsonReply(200, { chat_id: chat.id, removed: address, participants: this.roster(chat) });
	}

	private rename(input: HandlerInput, id: string): Reply {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value)) return this.error(400, 1004, 'Invalid JSON body');
		const body = parsed.value;
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const chat = found.chat;
		const hasName = body.display_name !== undefined;
		const hasIcon = body.group_chat_icon !== undefined;
		if (!hasName && !hasIcon)
			return this.error(400, 1001, 'Missing required field: display_name or group_chat_icon');
		let name: string | undefined;
		if (hasName) {
			if (typeof body.display_name !== 'string' || body.display_name.trim() === '') {
				return this.error(400, 1001, 'display_name must be a non-empty string');
			}
			name = body.display_name.trim();
		}
		if (hasIcon && body.group_chat_icon !== null && !isHttpsUrl(body.group_chat_icon)) {
			return this.error(400, 1001, 'group_chat_icon must be an https URL');
		}
		if (name !== undefined) chat.displayName = name;
		if (hasIcon) chat.icon = (body.group_chat_icon as string | null) ?? null;
		return jsonReply(200, {
			chat: {
				id: chat.id,
				display_name: chat.displayName,
				group_chat_icon: chat.icon,
				is_group: true,
			},
		});
	}

	private leave(id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const chat = found.chat;
		if (this.roster(chat).length < 4) {
			return this.error(
				400,
				1002,
				'Leaving would leave fewer than 3 members; a group needs at least 4 members to leave',
			);
		}
		chat.selfIsMember = false;
		return jsonReply(200, { chat_id: chat.id, status: 'left' });
	}

	/**
	 * Send a message into an existing chat: `{message: {parts, idempotency_key?}}` (providers.md).
	 * Parts: `text` (non-empty value), `rich_link` (https `url`, optional `title`, `summary`,
	 * `image_url`, `icon_url`) and `media` (`attachment_id` of an upload). A top-level `parts` is
	 * refused. Unlike create, links are fine here. The chat must exist and the line must still be
	 * in it; a direct message is a chat too (providers.md restricts only group routes to groups).
	 * Chert delivers `message.received` for inbound messages only: nothing is emitted here.
	 */
	private send(input: HandlerInput, id: string, tenant: Tenant): Reply {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return this.error(400, 1004, 'Request body must be a JSON object');
		const body = parsed.value;
		if (body.parts !== undefined) {
			return this.error(
				400,
				1001,
				'Top-level parts is not accepted: send {"message": {"parts": [...]}}',
			);
		}
		const message = isRecord(body.message) ? body.message : undefined;
		if (!message || message.parts === undefined)
			return this.error(400, 1001, 'Missing required field: message.parts');
		const chat = this.chats.get(id);
		if (!chat) return this.error(404, 2002, 'Chat not found');
		if (!chat.selfIsMember) {
			return this.error(
				400,
				1006,
				'Chat is no longer a group for this line: the line left it (not a member)',
			);
		}
		if (!Array.isArray(message.parts) || message.parts.length === 0) {
			return this.error(400, 1001, 'message.parts must be a non-empty array');
		}
		const problem = message.parts.map(chertPartProblem).find((p) => p !== undefined);
		if (problem) return this.error(400, 1001, problem);
		if (
			message.idempotency_key !== undefined &&
			(typeof message.idempotency_key !== 'string' || message.idempotency_key === '')
		) {
			return this.error(400, 1001, 'message.idempotency_key must be a non-empty string');
		}
		const idem = this.idempotencyCheck(tenant, message, { chat_id: id, body });
		if (idem?.kind === 'replay') return replayed(idem.reply);
		if (idem?.kind === 'conflict') return this.idempotencyConflict();

		const n = this.ctx.next('chert.sent');
		const now = iso(this.ctx.now());
		const logged = this.ctx.messages.add({
			provider: 'chert',
			chatId: chat.id,
			id: deterministicHex(`chert.sent.${n}`, 32),
			direction: 'outbound',
			from: chat.self,
			text: textOfParts(message.parts),
			parts: message.parts,
			replyTo: null,
			options: null,
			createdAt: now,
		});
		const reply = jsonReply(200, { message: this.messageView(logged) });
		if (idem?.kind === 'new') idem.remember(reply);
		return reply;
	}

	/** A message as Chert answers it (the create answer's `message`). */
	private messageView(message: SandboxMessage): Record<string, unknown> {
		return {
			id: message.id,
			chat_id: message.chatId,
			parts: message.parts,
			status: 'sent',
			direction: message.direction,
			created_at: message.createdAt,
			delivered_at: null,
			read_at: null,
			service: 'imessage',
		};
	}

	// ---- webhooks ------------------------------------------------------------------------

	/**
	 * An inbound iMessage in a group (sandbox endpoint): `message.received`. Chert sends no
	 * membership events ("silent membership changes are not visible until a message … reaches
	 * the Chert line"), so messages are the only group events this emulator delivers.
	 */
	receiveMessage(
		chatId: string,
		from: string,
		text: string,
	): { eventId: string; deliveredTo: number } {
		const chat = this.chats.get(chatId);
		if (!chat) throw new Error(`Chert: no chat ${chatId}`);
		if (!chat.members.includes(from))
			throw new Error(`Chert: ${from} is not a member of ${chatId}`);
		const n = this.ctx.next('chert.event');
		const eventId = `chert:msg:${deterministicHex(`chert.event.${n}`, 24)}`;
		const handle = (address: string, isMe: boolean) => ({
			handle: address,
			service: 'imessage',
			is_me: isMe,
		});
		const createdAt = iso(this.ctx.now());
		const messageId = deterministicHex(`chert.inbound.${n}`, 32).toUpperCase();
		const parts = [{ type: 'text', value: text }];
		this.ctx.messages.add({
			provider: 'chert',
			chatId: chat.id,
			id: messageId,
			direction: 'inbound',
			from,
			text,
			parts,
			replyTo: null,
			options: null,
			createdAt,
		});
		const deliveredTo = this.ctx.webhooks.emit('chert', 'message.received', eventId, {
			chat: {
				id: chat.id,
				is_group: chat.isGroup,
				display_name: chat.displayName,
				handles: [handle(chat.self, true), ...chat.members.map((m) => handle(m, false))],
				owner_handle: handle(chat.self, true),
			},
			message: {
				id: messageId,
				direction: 'inbound',
				sender_handle: handle(from, false),
				parts,
				created_at: createdAt,
			},
		});
		return { eventId, deliveredTo };
	}

	/**
	 * The webhook-subscription endpoints: create takes `{url, events?, version?}` (the documented
	 * fields; anything else is refused). The real API takes HTTPS URLs only; the sandbox also
	 * accepts http URLs on loopback (sandbox-only allowance, so a local n8n can receive deliveries).
	 */
	private subscriptionApi(): SubscriptionApi {
		const badRequest = (message: string) => this.error(400, 1001, message);
		return {
			provider: 'chert',
			path: 'api/v1/webhook-subscriptions',
			counter: 'subscription',
			fields: ['url', 'events', 'version'],
			notAnObject: () => this.error(400, 1004, 'Invalid JSON body'),
			badRequest,
			parse: (body) => {
				if (!isHttpsUrl(body.url) && !isLoopbackHttp(body.url))
					return { reply: badRequest('url must be an HTTPS URL') };
				const events = body.events === undefined ? [] : body.events;
				if (!Array.isArray(events) || !events.every((e) => CHERT_EVENT_TYPES.includes(String(e)))) {
					return { reply: badRequest(`events must be a list of: ${CHERT_EVENT_TYPES.join(', ')}`) };
				}
				return {
					drafts: [
						{ url: body.url as string, events: [...new Set(events.map(String))], phoneNumbers: [] },
					],
				};
			},
			secret: (n) => deterministicHex(`chert.whsec.${n}`, 64),
			view: (sub, created) => ({
				id: sub.id,
				url: sub.url,
				events: sub.events,
				version: '2026-04-01',
				is_active: true,
				created_at: sub.createdAt,
				...(created ? { secret: sub.secret } : {}),
			}),
			listed: (views) => jsonReply(200, { subscriptions: views }),
			found: (view) => jsonReply(200, { subscription: view }),
			created: ([view]) => jsonReply(200, { subscription: view }),
			deleted: (id) => jsonReply(200, { id, deleted: true }),
			notFound: () => this.error(404, 2002, 'Webhook subscription not found'),
		};
	}

	// ---- helpers -------------------------------------------------------------------------

	private roster(chat: ChertChat): string[] {
		return chat.selfIsMember ? [chat.self, ...chat.members] : [...chat.members];
	}

	private view(chat: ChertChat): Record<string, unknown> {
		return {
			id: chat.id,
			display_name: chat.displayName,
			group_chat_icon: chat.icon,
			handles: chat.members.map((address) => ({ service: 'imessage', address })),
			participants: this.roster(chat),
			is_group: chat.isGroup,
			is_member: chat.selfIsMember,
			service: 'imessage',
			health_score: 100,
			created_at: chat.createdAt,
		};
	}

	private snapshot(chat: ChertChat): SandboxChat {
		return {
			provider: 'chert',
			id: chat.id,
			name: chat.displayName,
			participants: this.roster(chat),
			self: chat.self,
			selfIsMember: chat.selfIsMember,
			iconUrl: chat.icon,
		};
	}

	private error(status: number, code: number, message: string, retryAfter?: number): Reply {
		const body: Record<string, unknown> = {
			success: false,
			error: { status, code, message, retryable: RETRYABLE.has(code) },
			trace_id: `trc_${deterministicHex(`chert.trace.${this.ctx.next('chert.trace')}`, 24)}`,
		};
		const headers: Record<string, string> = {};
		if (retryAfter !== undefined) {
			body.retry_after = retryAfter;
			headers['retry-after'] = String(retryAfter);
		}
		return jsonReply(status, body, headers);
	}
}

/** An idempotent replay: the stored answer, byte for byte, marked `idempotent-replayed: true`. */
function replayed(reply: Reply): Reply {
	return { ...reply, headers: { ...reply.headers, 'idempotent-replayed': 'true' } };
}

/** Why a part of a sent message is refused (undefined: fine). */
function chertPartProblem(part: unknown): string | undefined {
	if (!isRecord(part)) return 'Each message part must be an object';
	switch (part.type) {
		case 'text':
			return typeof part.value === 'string' && part.value.trim() !== ''
				? undefined
				: 'Missing required field: message.parts[].value (a text part needs non-empty text)';
		case 'rich_link': {
			if (!isHttpsUrl(part.url)) return 'A rich_link part needs an https url';
			for (const field of ['title', 'summary']) {
				if (part[field] !== undefined && part[field] !== null && typeof part[field] !== 'string') {
					return `rich_link ${field} must be a string`;
				}
			}
			for (const field of ['image_url', 'icon_url']) {
				if (part[field] !== undefined && part[field] !== null && !isHttpsUrl(part[field])) {
					return `rich_link ${field} must be an https URL`;
				}
			}
			return undefined;
		}
		case 'media':
			return typeof part.attachment_id === 'string' && part.attachment_id !== ''
				? undefined
				: 'A media part needs the attachment_id of an upload';
		default:
			return `Unsupported message part type: ${String(part.type)} (text, rich_link or media)`;
	}
}

const CHERT_EVENT_TYPES = ['message.received', 'reaction.added', 'reaction.removed', 'lead_reply'];

function isLoopbackHttp(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	try {
		const url = new URL(value);
		return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
	} catch {
		return false;
	}
}

/**
 * Chert's delivery scheme: `X-Webhook-Signature: t=<ts>,v1=<hex>` (hex HMAC-SHA256 keyed with the
 * subscription secret's characters over "<ts>.<body>"), event and subscription ids in headers;
 * 5xx answers retried up to 3 times, 4xx never.
 */
export const CHERT_WEBHOOKS: WebhookScheme = {
	provider: 'chert',
	envelope: (eventType, eventId, data, nowMs) => ({
		event: eventType,
		event_id: eventId,
		timestamp: iso(nowMs),
		api_version: 'v1',
		webhook_version: '2026-05-04',
		event_type: eventType,
		trace_id: deterministicHex(`chert.webhook.trace.${eventId}`, 24),
		partner_id: DEMO.chert.tenantSlug,
		data,
	}),
	headers: (sub, { eventType, eventId, body, nowMs }) => {
		const ts = Math.floor(nowMs / 1000);
		const hex = createHmac('sha256', sub.secret ?? '')
			.update(`${ts}.${body}`)
			.digest('hex');
		return {
			'x-webhook-signature': `t=${ts},v1=${hex}`,
			'x-webhook-event': eventType,
			'x-webhook-event-id': eventId,
			'x-webhook-subscription-id': sub.id,
		};
	},
	maxRetries: 3,
	retryOn: (status) => status === 0 || status >= 500,
};
