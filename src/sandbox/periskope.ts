/**
 * Periskope (WhatsApp) emulator: bearer + x-phone auth, X-RateLimit-* and trace headers on
 * every answer, groups keyed `<digits>@g.us`, per-participant add/remove results, invites
 * for numbers outside the phone's contacts.
 */
import type {
	EmulatorContext,
	HandlerInput,
	ProviderEmulator,
	RateLimitSpec,
	Reply,
	SandboxChat,
	SandboxMessage,
	WebhookScheme,
} from './types';
import { DEMO, PERISKOPE_LINKED_SEED, PERISKOPE_SEED, SEED_CREATED_AT } from './seed';
import {
	DIGITS,
	FixedWindowLimiter,
	bearerToken,
	deterministicHex,
	deterministicUuid,
	header,
	isHttpUrl,
	isRecord,
	iso,
	jsonReply,
	matchRoute,
	parseJsonBody,
	safeEqual,
	type Route,
} from './util';
import { subscriptionRoutes, type SubscriptionApi } from './subscriptions';

/** Limit advertised in X-RateLimit-Limit when rate limiting is off (never enforced). */
export const PERISKOPE_UNLIMITED = { limit: 1000, windowSeconds: 60 };

export const PERISKOPE_ORG_ID = deterministicUuid('periskope.org.demo');

/** WhatsApp member-add modes accepted by the settings route. */
const MEMBER_ADD_MODES = ['all_member_add', 'admin_add'];

export interface ParticipantResult {
	is_success: boolean;
	message: string;
	code: number;
	isInviteV4Sent: boolean;
}

interface PeriskopeChat {
	id: string;
	name: string;
	description: string | null;
	image: string | null;
	/**
	 * Member id → admin flags; includes the org phone while it has not exited. A member id is the
	 * phone's digits, or `<digits>@lid` for a member WhatsApp knows only by a linked id.
	 */
	members: Map<string, { isAdmin: boolean; isSuperAdmin: boolean }>;
	invited: Set<string>;
	exited: boolean;
	messagesAdminsOnly: boolean;
	infoAdminsOnly: boolean;
	memberAddMode: string;
	inviteLink: string;
	createdAt: string;
	updatedAt: string;
}

type Handler = (input: HandlerInput, params: Record<string, string>) => Reply;

/** Accepts `14155550181`, `+14155550181` or `14155550181@c.us`; returns the digits or undefined. */
export function periskopeDigits(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const digits = value
		.trim()
		.replace(/^\+/, '')
		.replace(/@c\.us$/, '');
	return DIGITS.test(digits) ? digits : undefined;
}

/** A WhatsApp linked id: `<digits>@lid` (the digits are not a phone number). */
const LINKED_ID = /^\d{1,20}@lid$/;

/**
 * A participant as Periskope's participant lists take it: a phone (`digits`, `+digits`,
 * `digits@c.us`) → its digits, or a linked id (`<digits>@lid`) → the id as given.
 */
export function periskopeMemberId(value: unknown): string | undefined {
	if (typeof value === 'string' && LINKED_ID.test(value.trim())) return value.trim();
	return periskopeDigits(value);
}

/** A member id as WhatsApp shows it (the key of `members` and of the per-participant answers). */
export function periskopeJid(memberId: string): string {
	return memberId.endsWith('@lid') ? memberId : `${memberId}@c.us`;
}

export class PeriskopeEmulator implements ProviderEmulator {
	readonly name = 'periskope' as const;
	private chats = new Map<string, PeriskopeChat>();
	private contacts = new Set<string>();
	private readonly limiter: FixedWindowLimiter;
	private readonly enforce: boolean;
	private readonly routes: Array<Route<Handler>>;

	constructor(
		private readonly ctx: EmulatorContext,
		rateLimit?: RateLimitSpec,
		/** Also seed the linked-ids demo group (DEMO.groups.periskope.linked). */
		private readonly seedLinkedIds = false,
	) {
		const spec: RateLimitSpec = rateLimit ?? PERISKOPE_UNLIMITED;
		this.enforce = rateLimit !== undefined;
		this.limiter = new FixedWindowLimiter(spec.limit, spec.windowSeconds * 1000, spec.aligned);
		this.routes = [
			{ method: 'GET', pattern: 'phones', handler: () => this.phones() },
			{ method: 'GET', pattern: 'chats', handler: (i) => this.list(i) },
			{ method: 'POST', pattern: 'chats/create', handler: (i) => this.create(i) },
			{ method: 'GET', pattern: 'chats/:id', handler: (i, p) => this.get(p.id) },
			{ method: 'POST', pattern: 'chats/:id/add', handler: (i, p) => this.add(i, p.id) },
			{ method: 'POST', pattern: 'chats/:id/remove', handler: (i, p) => this.remove(i, p.id) },
			{ method: 'POST', pattern: 'chats/:id/settings', handler: (i, p) => this.settings(i, p.id) },
			{ method: 'POST', pattern: 'chats/:id/leave', handler: (i, p) => this.leave(p.id) },
			{
				method: 'POST',
				pattern: 'chats/:id/promote',
				handler: (i, p) => this.setAdmin(i, p.id, true),
			},
			{
				method: 'POST',
				pattern: 'chats/:id/demote',
				handler: (i, p) => this.setAdmin(i, p.id, false),
			},
			{ method: 'POST', pattern: 'chats/:id/invite', handler: (i, p) => this.resetInvite(p.id) },
			{
				method: 'GET',
				pattern: 'chats/:id/messages',
				handler: (i, p) => this.chatMessages(i, p.id),
			},
			{ method: 'POST', pattern: 'message/send', handler: (i) => this.send(i) },
			{ method: 'GET', pattern: 'message/:id', handler: (i, p) => this.message(p.id) },
			...subscriptionRoutes(ctx, this.subscriptionApi()),
		];
		this.ctx.webhooks.register(PERISKOPE_WEBHOOKS);
	}

	reset(seed: boolean): void {
		this.chats.clear();
		this.contacts.clear();
		this.limiter.reset();
		if (!seed) return;
		for (const c of DEMO.periskope.contacts) this.contacts.add(c);
		for (const s of this.seedLinkedIds
			? [...PERISKOPE_SEED, PERISKOPE_LINKED_SEED]
			: PERISKOPE_SEED) {
			const chat = this.newChat(s.id, s.name ?? '', SEED_CREATED_AT);
			for (const m of s.members)
				chat.members.set(m, { isAdmin: s.admins?.includes(m) ?? false, isSuperAdmin: false });
			this.chats.set(s.id, chat);
		}
	}

	addContact(digits: string): void {
		const normalized = periskopeDigits(digits);
		if (!normalized)
			throw new Error(`addContact: expected country code + number digits, got ${digits}`);
		this.contacts.add(normalized);
	}

	// ---- transport-level behaviour -------------------------------------------------------

	handle(input: HandlerInput): Reply {
		// Counted before auth, like an express-rate-limit middleware in front of the API.
		const hit = this.limiter.hit(input.now);
		if (this.enforce && hit.limited) {
			const retryAfter = Math.max(1, Math.ceil((hit.resetAtMs - input.now) / 1000));
			return this.withHeaders(
				this.error(429, 'rate_limited', 'Too many requests, please try again later.'),
				{
					remaining: 0,
					resetAtMs: hit.resetAtMs,
					retryAfter,
				},
			);
		}
		const reply = this.route(input);
		return this.withHeaders(reply, { remaining: hit.remaining, resetAtMs: hit.resetAtMs });
	}

	rateLimited(input: HandlerInput, retryAfterSeconds: number): Reply {
		return this.withHeaders(
			this.error(429, 'rate_limited', 'Too many requests, please try again later.'),
			{
				remaining: 0,
				resetAtMs: input.now + retryAfterSeconds * 1000,
				retryAfter: retryAfterSeconds,
			},
		);
	}

	serverError(input: HandlerInput, status: number): Reply {
		const code =
			status === 502 ? 'bad_gateway' : status === 503 ? 'service_unavailable' : 'internal_error';
		const message =
			status === 502
				? 'Bad gateway'
				: status === 503
					? 'Service unavailable, phone is reconnecting'
					: 'Internal server error';
		return this.decorate(
			this.error(status >= 500 && status <= 599 ? status : 500, code, message),
			input,
		);
	}

	/** Adds the trace and rate-limit headers to an answer that lacks them. */
	decorate(reply: Reply, input: HandlerInput): Reply {
		if (reply.headers['x-ratelimit-limit'] !== undefined) return reply;
		const peek = this.limiter.peek(input.now);
		return this.withHeaders(reply, peek);
	}

	getChat(chatId: string): SandboxChat | undefined {
		const chat = this.chats.get(chatId);
		return chat ? this.snapshot(chat) : undefined;
	}

	listChats(): SandboxChat[] {
		return [...this.chats.values()].map((c) => this.snapshot(c));
	}

	private withHeaders(
		reply: Reply,
		window: { remaining: number; resetAtMs: number; retryAfter?: number },
	): Reply {
		const headers: Record<string, string> = {
			...reply.headers,
			'x-ratelimit-limit': String(this.limiter.limit),
			'x-ratelimit-remaining': String(window.remaining),
			'x-ratelimit-reset': String(Math.ceil(window.resetAtMs / 1000)),
			'x-periskope-trace-id': deterministicUuid(
				`periskope.trace.${this.ctx.next('periskope.trace')}`,
			),
			'x-periskope-org-id': PERISKOPE_ORG_ID,
			'x-periskope-phone-id': DEMO.periskope.phoneId,
		};
		if (window.retryAfter !== undefined) headers['retry-after'] = String(window.retryAfter);
		return { ...reply, headers };
	}

	private route(input: HandlerInput): Reply {
		const route = matchRoute(this.routes, input.method, input.segments);
		if (!route) return this.error(404, 'not_found', `Cannot ${input.method} ${input.path}`);
		const token = bearerToken(input);
		if (!token || !safeEqual(token, DEMO.periskope.apiKey)) {
			return this.error(401, 'unauthorized', 'Invalid or missing API key');
		}
		const phone = header(input, 'x-phone');
		if (!phone) return this.error(401, 'unauthorized', 'Missing x-phone header');
		const phoneDigits = phone.trim().replace(/^\+/, '');
		if (phoneDigits !== DEMO.periskope.orgPhone && phone.trim() !== DEMO.periskope.phoneId) {
			return this.error(
				401,
				'unauthorized',
				`Phone ${phone} is not connected to this organisation`,
			);
		}
		return route.handler(input, route.params);
	}

	// ---- routes --------------------------------------------------------------------------

	private phones(): Reply {
		return jsonReply(200, { phones: [this.phoneObject()], count: 1 });
	}

	private list(input: HandlerInput): Reply {
		const offset = Math.max(0, Number(input.query.get('offset') ?? 0) || 0);
		const tooMany = this.limitOver(input);
		if (tooMany) return tooMany;
		const limit = Math.min(2000, Math.max(1, Number(input.query.get('limit') ?? 1000) || 1000));
		const type = input.query.get('chat_type');
		const all = type !== null && type !== 'group' ? [] : [...this.chats.values()];
		const page = all.slice(offset, offset + limit);
		return jsonReply(200, {
			chats: page.map((c) => this.view(c)),
			count: all.length,
			from: offset,
			to: offset + page.length,
		});
	}

	private get(id: string): Reply {
		const chat = this.chats.get(id);
		if (!chat) return this.notFound(id);
		return jsonReply(200, this.view(chat));
	}

	private create(input: HandlerInput): Reply {
		const body = this.body(input);
		if ('reply' in body) return body.reply;
		const { value } = body;
		if (typeof value.group_name !== 'string' || value.group_name.trim() === '') {
			return this.error(400, 'invalid_request', 'group_name is required');
		}
		const list = this.participantList(value.participants, true);
		if ('reply' in list) return list.reply;
		const options = isRecord(value.options) ? value.options : {};
		if (options.image !== undefined && options.image !== null && !isHttpUrl(options.image)) {
			return this.error(400, 'invalid_request', 'options.image must be a public URL');
		}
		const n = this.ctx.next('periskope.chat');
		const now = iso(this.ctx.now());
		const chat = this.newChat(
			`1203634155550${String(10000 + n)}@g.us`,
			value.group_name.trim(),
			now,
		);
		if (typeof options.description === 'string') chat.description = options.description;
		if (typeof options.image === 'string') chat.image = options.image;
		if (options.messagesAdminsOnly === true) chat.messagesAdminsOnly = true;
		if (options.infoAdminsOnly === true) chat.infoAdminsOnly = true;
		if (options.addMembersAdminsOnly === true) chat.memberAddMode = 'admin_add';
		const force = options.force_add_participants === true;
		for (const digits of list.participants) {
			if (digits === DEMO.periskope.orgPhone) continue;
			if (force || this.contacts.has(digits))
				chat.members.set(digits, { isAdmin: false, isSuperAdmin: false });
			else chat.invited.add(digits);
		}
		this.chats.set(chat.id, chat);
		this.emit('chat.created', this.view(chat));
		return jsonReply(200, this.view(chat));
	}

	private add(input: HandlerInput, id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const body = this.body(input);
		if ('reply' in body) return body.reply;
		const list = this.participantList(body.value.participants);
		if ('reply' in list) return list.reply;
		const { chat } = found;
		const force = body.value.force_add_participants === true;
		const fail = this.failSet(input);
		const results: Record<string, ParticipantResult> = {};
		for (const digits of list.participants) {
			const key = periskopeJid(digits);
			if (fail.has(digits)) results[key] = result(false, 'Failed to add participant', 500);
			else if (digits.endsWith('@lid'))
				// Sandbox assumption (the docs say participants are phone numbers): a linked id has no
				// number to add or invite, so it is refused for that participant only.
				results[key] = result(
					false,
					'A linked id (@lid) cannot be added; add the member by phone number',
					400,
				);
			else if (chat.members.has(digits))
				results[key] = result(false, 'Participant is already a participant of the group', 409);
			else if (force || this.contacts.has(digits)) {
				chat.members.set(digits, { isAdmin: false, isSuperAdmin: false });
				chat.invited.delete(digits);
				results[key] = result(true, 'Participant added to group', 200);
				this.notify(chat, 'add', [digits]);
			} else {
				chat.invited.add(digits);
				results[key] = result(true, 'Invite sent to participant', 200, true);
			}
		}
		chat.updatedAt = iso(this.ctx.now());
		return jsonReply(200, results);
	}

	private remove(input: HandlerInput, id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const body = this.body(input);
		if ('reply' in body) return body.reply;
		const list = this.participantList(body.value.participants);
		if ('reply' in list) return list.reply;
		const { chat } = found;
		const fail = this.failSet(input);
		const results: Record<string, ParticipantResult> = {};
		for (const digits of list.participants) {
			const key = periskopeJid(digits);
			if (fail.has(digits)) results[key] = result(false, 'Failed to remove participant', 500);
			else if (digits === DEMO.periskope.orgPhone) {
				results[key] = result(
					false,
					'Cannot remove the connected phone; use the leave endpoint',
					400,
				);
			} else if (!chat.members.has(digits))
				results[key] = result(false, 'Participant is not a participant of the group', 404);
			else {
				chat.members.delete(digits);
				results[key] = result(true, 'Participant removed from group', 200);
				this.notify(chat, 'remove', [digits]);
			}
		}
		chat.updatedAt = iso(this.ctx.now());
		return jsonReply(200, results);
	}

	private settings(input: HandlerInput, id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const body = this.body(input);
		if ('reply' in body) return body.reply;
		const v = body.value;
		const known = [
			'name',
			'description',
			'image',
			'messagesAdminsOnly',
			'infoAdminsOnly',
			'memberAddMode',
		];
		if (!known.some((k) => v[k] !== undefined)) {
			return this.error(400, 'invalid_request', `Provide at least one of ${known.join(', ')}`);
		}
		if (v.name !== undefined && (typeof v.name !== 'string' || v.name.trim() === '')) {
			return this.error(400, 'invalid_request', 'name must be a non-empty string');
		}
		if (
			v.description !== undefined &&
			v.description !== null &&
			typeof v.description !== 'string'
		) {
			return this.error(400, 'invalid_request', 'description must be a string');
		}
		if (v.image !== undefined && v.image !== null && !isHttpUrl(v.image)) {
			return this.error(400, 'invalid_request', 'image must be a public URL');
		}
		for (const flag of ['messagesAdminsOnly', 'infoAdminsOnly']) {
			if (v[flag] !== undefined && typeof v[flag] !== 'boolean') {
				return this.error(400, 'invalid_request', `${flag} must be a boolean`);
			}
		}
		// A boolean in Periskope's API schema (the SDK's types): true = only admins can add members.
		if (v.memberAddMode !== undefined && typeof v.memberAddMode !== 'boolean') {
			return this.error(400, 'invalid_request', 'memberAddMode must be a boolean');
		}
		const { chat } = found;
		if (typeof v.name === 'string' && v.name.trim() !== chat.name) {
			chat.name = v.name.trim();
			this.notify(chat, 'subject', [], chat.name);
		}
		if (v.description !== undefined) chat.description = (v.description as string | null) ?? null;
		if (v.image !== undefined && ((v.image as string | null) ?? null) !== chat.image) {
			chat.image = (v.image as string | null) ?? null;
			this.notify(chat, 'picture', []);
		}
		if (typeof v.messagesAdminsOnly === 'boolean') chat.messagesAdminsOnly = v.messagesAdminsOnly;
		if (typeof v.infoAdminsOnly === 'boolean') chat.infoAdminsOnly = v.infoAdminsOnly;
		if (typeof v.memberAddMode === 'boolean')
			chat.memberAddMode = MEMBER_ADD_MODES[v.memberAddMode ? 1 : 0];
		chat.updatedAt = iso(this.ctx.now());
		return jsonReply(200, this.view(chat));
	}

	private leave(id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const { chat } = found;
		chat.members.delete(DEMO.periskope.orgPhone);
		chat.exited = true;
		this.notify(chat, 'leave', [DEMO.periskope.orgPhone]);
		chat.updatedAt = iso(this.ctx.now());
		return jsonReply(200, { success: true, message: 'Left the group', chat_id: chat.id });
	}

	/**
	 * `POST /chats/{chat_id}/promote|demote` `{participants}` → one entry per participant, keyed
	 * by the id as given (`<digits>@c.us` or `<digits>@lid`), like add/remove (the SDK's
	 * ChatOperationReturn). Only current members; promoting an admin or demoting a non-admin is
	 * refused for that participant (409, like add's "already a participant"). The docs and SDK
	 * say nothing about the connected phone: the sandbox refuses to demote it (400), so a line
	 * cannot lose its own admin rights by mistake (a sandbox assumption). Each change is reported
	 * as `chat.notification.created` with type `promote` / `demote` (WhatsappGroupActionEnum).
	 */
	private setAdmin(input: HandlerInput, id: string, promote: boolean): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const body = this.body(input);
		if ('reply' in body) return body.reply;
		const list = this.participantList(body.value.participants);
		if ('reply' in list) return list.reply;
		const { chat } = found;
		const fail = this.failSet(input);
		const verb = promote ? 'promote' : 'demote';
		const results: Record<string, ParticipantResult> = {};
		for (const member of list.participants) {
			const key = periskopeJid(member);
			const flags = chat.members.get(member);
			if (fail.has(member)) results[key] = result(false, `Failed to ${verb} participant`, 500);
			else if (!flags)
				results[key] = result(false, 'Participant is not a participant of the group', 404);
			else if (!promote && member === DEMO.periskope.orgPhone)
				results[key] = result(false, 'Cannot demote the connected phone', 400);
			else if (promote && flags.isAdmin)
				results[key] = result(false, 'Participant is already an admin of the group', 409);
			else if (!promote && !flags.isAdmin)
				results[key] = result(false, 'Participant is not an admin of the group', 409);
			else {
				flags.isAdmin = promote;
				if (!promote) flags.isSuperAdmin = false;
				results[key] = result(
					true,
					promote ? 'Participant promoted to admin' : 'Participant demoted to member',
					200,
				);
				this.notify(chat, verb, [member]);
			}
		}
		chat.updatedAt = iso(this.ctx.now());
		return jsonReply(200, results);
	}

	/**
	 * `POST /chats/{chat_id}/invite` (no body) → `{invite_link}`: a new link each time; the chat
	 * keeps only the current one (`invite_link` on the chat object), so the old one stops working.
	 * Notified as `chat.notification.created` type `revoke_invite`: a sandbox choice — neither the
	 * SDK nor @periskope/types (WhatsappGroupActionEnum) names a type for a link reset.
	 */
	private resetInvite(id: string): Reply {
		const found = this.groupOrError(id);
		if ('reply' in found) return found.reply;
		const { chat } = found;
		chat.inviteLink = inviteLink(`${chat.id}.${this.ctx.next('periskope.invite')}`);
		chat.updatedAt = iso(this.ctx.now());
		this.notify(chat, 'revoke_invite', [], chat.inviteLink);
		return jsonReply(200, { invite_link: chat.inviteLink });
	}

	/**
	 * `POST /message/send` `{chat_id, message?, media?, reply_to?, poll?, options?: {hide_url_preview?}}`
	 * → `{queue_id, queue_position, unique_id}` (the docs' answer; the SDK's MessageSendType has
	 * queue_id and queue_position). Sends go through Periskope's queue: the answer carries the
	 * queue id, not the message id (the message object maps it as `sent_message_id`). The sandbox
	 * sends at once (queue_position 0), logs the message in the chat and fires `message.created`
	 * with `from_me: true`. The sandbox emulates groups only: chat_id must be a known `@g.us` group
	 * the phone is still in. `reply_to` must name a message of that chat. Unknown fields are refused.
	 */
	private send(input: HandlerInput): Reply {
		const body = this.body(input);
		if ('reply' in body) return body.reply;
		const v = body.value;
		const unknown = Object.keys(v).find(
			(k) => !['chat_id', 'message', 'media', 'reply_to', 'poll', 'options'].includes(k),
		);
		if (unknown !== undefined)
			return this.error(400, 'invalid_request', `Unknown field: ${unknown}`);
		if (typeof v.chat_id !== 'string' || v.chat_id.trim() === '')
			return this.error(400, 'invalid_request', 'chat_id is required');
		if (!v.chat_id.endsWith('@g.us')) {
			return this.error(
				400,
				'invalid_request',
				'The sandbox emulates group chats only: chat_id must end with @g.us',
			);
		}
		const found = this.groupOrError(v.chat_id);
		if ('reply' in found) return found.reply;
		const { chat } = found;
		if (v.message !== undefined && v.message !== null && typeof v.message !== 'string') {
			return this.error(400, 'invalid_request', 'message must be a string');
		}
		const text = typeof v.message === 'string' && v.message.trim() !== '' ? v.message : null;
		const media = v.media;
		if (media !== undefined) {
			const problem = mediaProblem(media);
			if (problem) return this.error(400, 'invalid_request', problem);
		}
		if (v.poll !== undefined && !isRecord(v.poll))
			return this.error(400, 'invalid_request', 'poll must be an object');
		if (text === null && media === undefined && v.poll === undefined) {
			return this.error(
				400,
				'invalid_request',
				'Provide a non-empty message, a media object or a poll',
			);
		}
		if (v.options !== undefined) {
			const options = v.options;
			if (!isRecord(options))
				return this.error(400, 'invalid_request', 'options must be an object');
			const other = Object.keys(options).find((k) => k !== 'hide_url_preview');
			if (other !== undefined)
				return this.error(400, 'invalid_request', `Unknown option: ${other}`);
			if (options.hide_url_preview !== undefined && typeof options.hide_url_preview !== 'boolean') {
				return this.error(400, 'invalid_request', 'options.hide_url_preview must be a boolean');
			}
		}
		if (v.reply_to !== undefined) {
			if (typeof v.reply_to !== 'string' || v.reply_to === '')
				return this.error(400, 'invalid_request', 'reply_to must be a message_id');
			if (!this.ctx.messages.find('periskope', chat.id, v.reply_to)) {
				return this.error(
					404,
					'message_not_found',
					`Message ${v.reply_to} not found in chat ${chat.id}`,
				);
			}
		}
		const n = this.ctx.next('periskope.sent');
		const unique = `3EB0${deterministicHex(`periskope.sent.${n}`, 18).toUpperCase()}`;
		const org = `${DEMO.periskope.orgPhone}@c.us`;
		const logged = this.ctx.messages.add({
			provider: 'periskope',
			chatId: chat.id,
			id: `true_${chat.id}_${unique}_${org}`,
			queueId: deterministicUuid(`periskope.queue.${n}`),
			direction: 'outbound',
			from: DEMO.periskope.orgPhone,
			text,
			parts: null,
			replyTo: typeof v.reply_to === 'string' ? v.reply_to : null,
			options: {
				...(isRecord(v.options) ? { options: v.options } : {}),
				...(isRecord(media) ? { media } : {}),
				...(isRecord(v.poll) ? { poll: v.poll } : {}),
			},
			createdAt: iso(this.ctx.now()),
		});
		chat.updatedAt = logged.createdAt;
		this.emit('message.created', this.messageView(logged));
		return jsonReply(200, { queue_id: logged.queueId, queue_position: 0, unique_id: unique });
	}

	/** `GET /message/{message_id}`: a message by its message_id or its queue_id. */
	private message(id: string): Reply {
		const found = this.ctx.messages.findAnywhere('periskope', id);
		if (!found) return this.error(404, 'message_not_found', `Message ${id} not found`);
		return jsonReply(200, this.messageView(found));
	}

	/** `GET /chats/{chat_id}/messages?offset=&limit=` → `{messages, count, from, to}`, newest first. */
	private chatMessages(input: HandlerInput, id: string): Reply {
		const chat = this.chats.get(id);
		if (!chat) return this.notFound(id);
		const tooMany = this.limitOver(input);
		if (tooMany) return tooMany;
		const offset = Math.max(0, Number(input.query.get('offset') ?? 0) || 0);
		const limit = Math.min(2000, Math.max(1, Number(input.query.get('limit') ?? 1000) || 1000));
		const all = this.ctx.messages.list('periskope', chat.id).reverse();
		const page = all.slice(offset, offset + limit);
		return jsonReply(200, {
			messages: page.map((m) => this.messageView(m)),
			count: all.length,
			from: offset,
			to: offset + page.length,
		});
	}

	/** The SDK's 422 for a limit above 2000 (listAllChats: "Limit should be less than 2000"). */
	private limitOver(input: HandlerInput): Reply | undefined {
		const raw = input.query.get('limit');
		if (raw === null || !(Number(raw) > 2000)) return undefined;
		return jsonReply(422, {
			code: 'VALIDATION_ERROR',
			fields: { limit: { message: 'Limit should be less than 2000', value: raw } },
			message: 'Limit should be less than 2000',
			name: 'Validation Error',
			status: 422,
		});
	}

	/** A message as Periskope's message object shows it (fields of MessageType in @periskope/types). */
	private messageView(m: SandboxMessage): Record<string, unknown> {
		const media = isRecord(m.options?.media) ? m.options.media : null;
		const fromMe = m.direction === 'outbound';
		const jid = periskopeJid(periskopeMemberId(m.from) ?? m.from);
		return {
			message_id: m.id,
			org_id: PERISKOPE_ORG_ID,
			org_phone: `${DEMO.periskope.orgPhone}@c.us`,
			chat_id: m.chatId,
			message_type: media ? String(media.type) : m.options?.poll ? 'poll_creation' : 'chat',
			body: m.text,
			from_me: fromMe,
			author: jid,
			sender_phone: jid,
			timestamp: m.createdAt,
			unique_id: m.id.split('_')[2] ?? null,
			ack: '1',
			has_media: media !== null,
			media: media
				? { path: media.url ?? null, mimetype: media.mimetype, filename: media.filename }
				: null,
			has_quoted_msg: m.replyTo !== null,
			quoted_message_id: m.replyTo,
			sent_message_id: m.queueId ?? null,
			is_deleted: false,
		};
	}

	// ---- webhooks ------------------------------------------------------------------------

	private emit(event: string, data: Record<string, unknown>): number {
		return this.ctx.webhooks.emit(
			'periskope',
			event,
			deterministicUuid(`periskope.event.${this.ctx.next('periskope.event')}`),
			data,
		);
	}

	/** A group change as WhatsApp reports it: `chat.notification.created` with a `type`. */
	private notify(
		chat: PeriskopeChat,
		type: string,
		recipients: string[],
		body: string | null = null,
	): void {
		const unique = deterministicHex(
			`periskope.notification.${this.ctx.next('periskope.notification')}`,
			32,
		);
		const org = `${DEMO.periskope.orgPhone}@c.us`;
		const first = recipients[0] ? periskopeJid(recipients[0]) : org;
		const serialized = `true_${chat.id}_${unique}_${first}_${type}`;
		this.emit('chat.notification.created', {
			org_id: PERISKOPE_ORG_ID,
			notification_id: serialized,
			chat_id: chat.id,
			author: org,
			body,
			id: { id: unique, fromMe: true, remote: chat.id, serialized },
			recipientids: recipients.map(periskopeJid),
			type,
			timestamp: iso(this.ctx.now()),
			org_phone: org,
			unique_id: unique,
			metadata: null,
		});
	}

	/** An inbound WhatsApp message in a group (sandbox endpoint): `message.created`. */
	receiveMessage(
		chatId: string,
		from: string,
		text: string,
	): { eventId: string; deliveredTo: number } {
		const chat = this.chats.get(chatId);
		const digits = periskopeMemberId(from);
		if (!chat) throw new Error(`Periskope: no chat ${chatId}`);
		if (!digits || !chat.members.has(digits))
			throw new Error(`Periskope: ${from} is not a member of ${chatId}`);
		const unique = deterministicHex(`periskope.message.${this.ctx.next('periskope.message')}`, 32);
		const messageId = `false_${chat.id}_${unique}_${periskopeJid(digits)}`;
		const timestamp = iso(this.ctx.now());
		this.ctx.messages.add({
			provider: 'periskope',
			chatId: chat.id,
			id: messageId,
			direction: 'inbound',
			from: digits,
			text,
			parts: null,
			replyTo: null,
			options: null,
			createdAt: timestamp,
		});
		const deliveredTo = this.emit('message.created', {
			message_id: messageId,
			org_id: PERISKOPE_ORG_ID,
			ack: '1',
			body: text,
			from_me: false,
			message_type: 'chat',
			chat_id: chat.id,
			timestamp,
			org_phone: `${DEMO.periskope.orgPhone}@c.us`,
			sender_phone: periskopeJid(digits),
			unique_id: unique,
		});
		return { eventId: messageId, deliveredTo };
	}

	/**
	 * The webhook endpoints: create takes `{hookUrl, integrationName: event | event[]}` exactly
	 * (providers.md) and answers 201 with one row per event, as the official client's types describe.
	 */
	private subscriptionApi(): SubscriptionApi {
		const badRequest = (message: string) => this.error(400, 'invalid_request', message);
		return {
			provider: 'periskope',
			path: 'webhooks',
			counter: 'webhook',
			fields: ['hookUrl', 'integrationName'],
			notAnObject: () => this.error(400, 'invalid_json', 'Request body must be a JSON object'),
			badRequest,
			parse: (body) => {
				if (!isHttpUrl(body.hookUrl)) return { reply: badRequest('hookUrl must be a URL') };
				const names = Array.isArray(body.integrationName)
					? body.integrationName
					: [body.integrationName];
				if (names.length === 0 || !names.every((n) => PERISKOPE_EVENT_TYPES.includes(String(n)))) {
					return {
						reply: badRequest(
							`integrationName must be one or more of ${PERISKOPE_EVENT_TYPES.join(', ')}`,
						),
					};
				}
				const url = body.hookUrl;
				return {
					drafts: [...new Set(names.map(String))].map((name) => ({
						url,
						events: [name],
						phoneNumbers: [],
					})),
				};
			},
			view: (sub) => ({
				id: sub.id,
				hook_url: sub.url,
				integration_id: null,
				integration_metadata: null,
				integration_name: sub.events[0],
				integration_type: 'webhook',
				is_subscribed: true,
				org_id: PERISKOPE_ORG_ID,
				subscribed_at: sub.createdAt,
				type: 'webhook',
			}),
			listed: (views) => jsonReply(200, views),
			found: (view) => jsonReply(200, view),
			created: (views) => jsonReply(201, views),
			deleted: (id) => jsonReply(200, { id, deleted: true }),
			notFound: (id) => this.error(404, 'webhook_not_found', `Webhook ${id} not found`),
		};
	}

	// ---- helpers -------------------------------------------------------------------------

	private newChat(id: string, name: string, createdAt: string): PeriskopeChat {
		return {
			id,
			name,
			description: null,
			image: null,
			members: new Map([[DEMO.periskope.orgPhone, { isAdmin: true, isSuperAdmin: true }]]),
			invited: new Set(),
			exited: false,
			messagesAdminsOnly: false,
			infoAdminsOnly: false,
			memberAddMode: 'all_member_add',
			inviteLink: inviteLink(id),
			createdAt,
			updatedAt: createdAt,
		};
	}

	private groupOrError(id: string): { chat: PeriskopeChat } | { reply: Reply } {
		const chat = this.chats.get(id);
		if (!chat) return { reply: this.notFound(id) };
		if (chat.exited) {
			return {
				reply: this.error(
					403,
					'not_group_member',
					'The phone is no longer a participant of this group',
				),
			};
		}
		return { chat };
	}

	private body(input: HandlerInput): { value: Record<string, unknown> } | { reply: Reply } {
		const parsed = parseJsonBody(input.rawBody);
		if (!parsed.ok || !isRecord(parsed.value))
			return { reply: this.error(400, 'invalid_json', 'Request body must be a JSON object') };
		return { value: parsed.value };
	}

	/** A participants list: phones as digits; linked ids (`<digits>@lid`) too unless `phonesOnly`. */
	private participantList(
		value: unknown,
		phonesOnly = false,
	): { participants: string[] } | { reply: Reply } {
		if (!Array.isArray(value) || value.length === 0) {
			return {
				reply: this.error(
					400,
					'invalid_request',
					'participants must be a non-empty array of phone numbers',
				),
			};
		}
		const out: string[] = [];
		for (const entry of value) {
			const digits = phonesOnly ? periskopeDigits(entry) : periskopeMemberId(entry);
			if (!digits) {
				return {
					reply: this.error(
						400,
						'invalid_request',
						`Invalid participant ${JSON.stringify(entry)}: use country code + number, digits only`,
					),
				};
			}
			if (!out.includes(digits)) out.push(digits);
		}
		return { participants: out };
	}

	private failSet(input: HandlerInput): Set<string> {
		return new Set((input.failAddresses ?? []).map((a) => periskopeMemberId(a) ?? a));
	}

	private phoneObject(): Record<string, unknown> {
		return {
			org_id: PERISKOPE_ORG_ID,
			org_phone: `${DEMO.periskope.orgPhone}@c.us`,
			phone_id: DEMO.periskope.phoneId,
			phone_name: 'Sandbox demo line',
			phone_image: null,
			wa_state: 'CONNECTED',
			is_ready: true,
			qr_code: null,
			created_at: SEED_CREATED_AT,
			updated_at: SEED_CREATED_AT,
			first_connected_at: SEED_CREATED_AT,
			label_ids: {},
			labels: [],
		};
	}

	private view(chat: PeriskopeChat): Record<string, unknown> {
		const members: Record<string, unknown> = {};
		for (const [digits, flags] of chat.members) {
			const linked = digits.endsWith('@lid');
			members[periskopeJid(digits)] = {
				chat_id: chat.id,
				contact_id: periskopeJid(digits),
				// The contact row's linked id and number (tbl_contacts in @periskope/types): a member
				// known only by a linked id has no number.
				contact_lid: linked ? digits : null,
				number: linked ? null : digits,
				contact_name: null,
				contact_color: null,
				contact_image: null,
				is_admin: flags.isAdmin,
				is_super_admin: flags.isSuperAdmin,
				is_internal: digits === DEMO.periskope.orgPhone,
				org_id: PERISKOPE_ORG_ID,
				org_phone: `${DEMO.periskope.orgPhone}@c.us`,
			};
		}
		return {
			org_id: PERISKOPE_ORG_ID,
			org_phone: `${DEMO.periskope.orgPhone}@c.us`,
			chat_id: chat.id,
			chat_name: chat.name,
			chat_type: 'group',
			chat_image: chat.image,
			group_description: chat.description,
			chat_org_phones: chat.exited ? [] : [`${DEMO.periskope.orgPhone}@c.us`],
			members,
			participants: [...chat.members.keys()],
			member_count: chat.members.size,
			is_exited: chat.exited,
			is_muted: false,
			is_archived: false,
			messages_admins_only: chat.messagesAdminsOnly,
			info_admins_only: chat.infoAdminsOnly,
			member_add_mode: chat.memberAddMode,
			// The chat object's name for the same flag in @periskope/types (view_chats).
			add_members_admins_only: chat.memberAddMode === MEMBER_ADD_MODES[1],
			invite_link: chat.inviteLink,
			label_ids: {},
			custom_properties: {},
			created_at: chat.createdAt,
			updated_at: chat.updatedAt,
		};
	}

	private snapshot(chat: PeriskopeChat): SandboxChat {
		return {
			provider: 'periskope',
			id: chat.id,
			name: chat.name,
			participants: [...chat.members.keys()],
			self: DEMO.periskope.orgPhone,
			selfIsMember: chat.members.has(DEMO.periskope.orgPhone),
			iconUrl: chat.image,
			description: chat.description,
			invited: [...chat.invited],
		};
	}

	private notFound(id: string): Reply {
		return this.error(404, 'chat_not_found', `Chat ${id} not found`);
	}

	private error(status: number, code: string, message: string): Reply {
		return jsonReply(status, { message, code, status });
	}
}

/** A WhatsApp group invite link (the SDK's example: https://chat.whatsapp.com/invite/<code>). */
function inviteLink(seed: string): string {
	return `https://chat.whatsapp.com/invite/${deterministicHex(`periskope.invite.${seed}`, 22)}`;
}

/** Why a send's `media` is refused (undefined: fine): the SDK's shape, url or filedata. */
function mediaProblem(media: unknown): string | undefined {
	if (!isRecord(media)) return 'media must be an object';
	if (!['document', 'image', 'video', 'audio'].includes(String(media.type))) {
		return 'media.type must be document, image, video or audio';
	}
	const hasUrl = media.url !== undefined;
	const hasData = media.filedata !== undefined;
	if (hasUrl === hasData) return 'media needs either url or filedata';
	if (hasUrl && !isHttpUrl(media.url)) return 'media.url must be a public URL';
	if (hasData && (typeof media.filedata !== 'string' || media.filedata === ''))
		return 'media.filedata must be base64 text';
	if (typeof media.filename !== 'string' || media.filename === '')
		return 'media.filename is required';
	if (typeof media.mimetype !== 'string' || media.mimetype === '')
		return 'media.mimetype is required';
	return undefined;
}

function result(
	isSuccess: boolean,
	message: string,
	code: number,
	isInviteV4Sent = false,
): ParticipantResult {
	return { is_success: isSuccess, message, code, isInviteV4Sent };
}

const PERISKOPE_EVENT_TYPES = [
	'chat.created',
	'chat.notification.created',
	'message.created',
	'message.updated',
	'message.deleted',
	'message.ack.updated',
	'reaction.created',
	'ticket.created',
];

/**
 * Periskope's deliveries: the envelope `{event, data, org_id, previous_attributes, timestamp}`.
 * Periskope signs deliveries with a console key whose scheme is not published, so the sandbox
 * sends no signature header rather than invent one; retries are not documented: none.
 */
export const PERISKOPE_WEBHOOKS: WebhookScheme = {
	provider: 'periskope',
	envelope: (eventType, eventId, data, nowMs) => ({
		event: eventType,
		data,
		org_id: PERISKOPE_ORG_ID,
		previous_attributes: null,
		timestamp: iso(nowMs),
	}),
	headers: () => ({}),
	maxRetries: 0,
	retryOn: () => false,
};
