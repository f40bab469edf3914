/**
 * Periskope (WhatsApp): the group operations' endpoints, bodies, per-participant results, error
 * words and retry safety. Periskope takes whole participant lists in one call (sent in chunks)
 * and answers per participant. The readers are in ./readers, the trigger's events in ./events.
 */
import { segment } from '../../boundary';
import { ProviderError } from '../../errors';
import type { Answer, HttpAnswer, ProviderRequest } from '../../http';
import { header, needsObject, retryAfterMs } from '../../http';
import { obj, str } from '../../json';
import type { OperationInput } from '../../operations';
import { statusFrom } from '../../types';
import type { GroupChatResult, ParticipantOutcome } from '../../types';
import { notPlanned } from '../contract';
import type { ProviderAdapter } from '../contract';
import { PERISKOPE_ADDRESSES, periskopeAddress } from './addresses';
import { PERISKOPE_CHUNK, PERISKOPE_LABEL, PERISKOPE_RECIPIENTS } from './constants';
import { periskopeLookups, readGroup } from './readers';

function describe(status: number, operation: string, code?: string): string {
	// A 403 is also how Periskope says your line is no longer in the group: not a credential problem.
	if (code === 'not_group_member')
		return 'your line is no longer in this group (it left or was removed)';
	switch (status) {
		case 401:
		case 403:
			return 'the API key or org phone was rejected: check the Periskope credential';
		case 404:
			// A read outside Get Group (a picker, the subscription list) is not about one chat.
			return operation === 'read' ? 'not found' : 'chat not found';
		case 409:
			return operation === 'leave'
				? 'you are no longer in this group'
				: 'the request conflicts with the chat’s state';
		case 429:
			return 'too many requests (rate limit)';
		default:
			return status >= 500
				? 'Periskope had a temporary problem'
				: `the request was refused (HTTP ${status})`;
	}
}

function toError(operation: string, answer: HttpAnswer): ProviderError {
	const body = obj(answer.json);
	const nested = obj(body.error);
	const providerMessage =
		str(body.message) ??
		str(nested.message) ??
		(answer.json === undefined ? answer.text.slice(0, 200) : undefined);
	const code = str(body.code) ?? str(nested.code);
	return new ProviderError('periskope', `Periskope: ${describe(answer.status, operation, code)}`, {
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
	const { description, image, messagesAdminsOnly, infoAdminsOnly, addMembersAdminsOnly } =
		settings.settings;
	if (description !== undefined) body.description = description;
	if (image !== undefined) body.image = image;
	if (messagesAdminsOnly !== undefined) body.messagesAdminsOnly = messagesAdminsOnly;
	if (infoAdminsOnly !== undefined) body.infoAdminsOnly = infoAdminsOnly;
	// A boolean in Periskope's API schema: true = only admins can add members.
	if (addMembersAdminsOnly !== undefined) body.memberAddMode = addMembersAdminsOnly;
	return body;
}

/** A participant list in chunks of PERISKOPE_CHUNK, one request each (outcomes merged back in input order). */
function chunks(list: string[]): string[][] {
	const out: string[][] = [];
	for (let index = 0; index < list.length; index += PERISKOPE_CHUNK)
		out.push(list.slice(index, index + PERISKOPE_CHUNK));
	return out;
}

function plan(input: OperationInput): ProviderRequest[] {
	const chat = (suffix: string) =>
		`/chats/${segment('chatId' in input ? input.chatId : '')}${suffix}`;
	switch (input.operation) {
		case 'create': {
			const options: Record<string, unknown> = { ...input.settings };
			if (input.forceAdd) options.force_add_participants = true;
			const body: Record<string, unknown> = {
				group_name: input.groupName,
				participants: input.participants,
			};
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
			return [periskopeLookups.group!.call(input.chatId)];
		case 'promoteAdmins':
		case 'demoteAdmins': {
			const action = input.operation === 'promoteAdmins' ? '/promote' : '/demote';
			return chunks(input.participants).map((addresses) => ({
				method: 'POST',
				path: chat(action),
				body: { participants: addresses },
				addresses,
			}));
		}
		case 'inviteLink':
			// Reading the current link is reading the group; a reset asks for a new one (no body).
			return input.reset
				? [{ method: 'POST', path: chat('/invite') }]
				: [periskopeLookups.group!.call(input.chatId)];
		case 'sendMessage': {
			const body: Record<string, unknown> = { chat_id: input.chatId, message: input.text };
			if (input.replyTo) body.reply_to = input.replyTo;
			if (input.hideLinkPreview) body.options = { hide_url_preview: true };
			return [{ method: 'POST', path: '/message/send', body }];
		}
		default:
			throw notPlanned('periskope', PERISKOPE_LABEL, input.operation);
	}
}

/** The per-participant operations (one answer entry per participant) and how each outcome is said. */
type ListInput = OperationInput & {
	operation: 'addParticipants' | 'removeParticipants' | 'promoteAdmins' | 'demoteAdmins';
};

const OUTCOMES: Record<
	ListInput['operation'],
	{
		done: ParticipantOutcome['outcome'];
		doneSays: string;
		already: ParticipantOutcome['outcome'];
		alreadySays: string;
		already_: (code: number, message: string) => boolean;
	}
> = {
	addParticipants: {
		done: 'added',
		doneSays: 'added to the group',
		already: 'already_member',
		alreadySays: 'already in the group',
		already_: (code, message) => code === 409 || /already/i.test(message),
	},
	removeParticipants: {
		done: 'removed',
		doneSays: 'removed from the group',
		already: 'not_member',
		alreadySays: 'was not in the group',
		already_: (code, message) => code === 404 || /not (a )?(participant|member)/i.test(message),
	},
	promoteAdmins: {
		done: 'promoted',
		doneSays: 'now an admin',
		already: 'already_admin',
		alreadySays: 'already an admin',
		already_: (code, message) => code === 409 || /already/i.test(message),
	},
	demoteAdmins: {
		done: 'demoted',
		doneSays: 'no longer an admin',
		already: 'not_admin',
		alreadySays: 'was not an admin',
		already_: (code, message) => code === 409 || /not (an? )?admin/i.test(message),
	},
};

/**
 * `{"9195…@c.us": {is_success, message, code, isInviteV4Sent}}` → one outcome per address of the
 * chunk. The answer is keyed by the id as sent (`<digits>@c.us`, or a linked `<digits>@lid`).
 */
function perParticipant(input: ListInput, answer: Answer): ParticipantOutcome[] {
	const words = OUTCOMES[input.operation];
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
			return {
				address,
				outcome: 'failed',
				message: 'Periskope did not report on this participant',
			};
		}
		if (entry.is_success === true) {
			const invited =
				input.operation === 'addParticipants' &&
				(entry.isInviteV4Sent === true || /invite/i.test(message));
			return invited
				? { address, outcome: 'invited', message: message || 'invite sent' }
				: { address, outcome: words.done, message: message || words.doneSays };
		}
		if (words.already_(Number(code), message)) {
			// After a retry, "already" confirms the first attempt.
			return answer.retried
				? { address, outcome: words.done, message: `${words.doneSays} (confirmed after a retry)` }
				: { address, outcome: words.already, message: message || words.alreadySays };
		}
		return { address, outcome: 'failed', message: `Periskope: ${message || 'failed'}`, code };
	});
}

function roster(chat: Record<string, unknown>): string[] | undefined {
	const list = chat.participants ?? chat.members;
	// The chat object's `members` is a map keyed by <digits>@c.us (as Get Group reads it).
	if (!Array.isArray(list))
		return list !== null && typeof list === 'object' ? readGroup(chat)?.roster : undefined;
	return list
		.map(
			(entry) =>
				str(entry) ??
				str(obj(entry).contact_id) ??
				str(obj(entry).id) ??
				str(obj(entry).phone) ??
				'',
		)
		.filter(Boolean)
		.map(periskopeAddress);
}

function interpret(input: OperationInput, answers: Answer[]): GroupChatResult {
	const raw = answers.map((answer) =>
		answer.ok ? answer.response.json : answer.error.details.body,
	);
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
				participants: input.participants.map(
					(address): ParticipantOutcome =>
						invited.has(address) || (members && !members.includes(address))
							? { address, outcome: 'invited', message: 'invite sent (not added directly)' }
							: { address, outcome: 'added', message: 'in the new group' },
				),
				roster: members,
			};
		}
		case 'addParticipants':
		case 'removeParticipants':
		case 'promoteAdmins':
		case 'demoteAdmins': {
			// A refusal of the whole request (unknown chat, bad key) ends the item when every chunk got it.
			const refusal = (entry: Answer) =>
				!entry.ok &&
				entry.error.details.httpStatus !== undefined &&
				entry.error.details.httpStatus < 500;
			if (answers.every(refusal) && !answer.ok) throw answer.error;
			const participants = answers.flatMap((entry) => perParticipant(input, entry));
			return {
				...base,
				chatId: input.chatId,
				status: statusFrom(participants, 'done'),
				participants,
			};
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
		case 'inviteLink': {
			if (!answer.ok) throw answer.error;
			const link = input.reset
				? str(obj(answer.response.json).invite_link)
				: str(readGroup(answer.response.json)?.details.settings?.inviteLink);
			return {
				...base,
				chatId: input.chatId,
				status: 'done',
				inviteLink: link ?? null,
				participants: [],
			};
		}
		case 'sendMessage': {
			if (!answer.ok) throw answer.error;
			// Periskope queues every send: its answer is a queue id until the message is sent.
			return {
				...base,
				chatId: input.chatId,
				status: 'accepted',
				messageId: queuedId(answer.response.json, input.chatId) ?? null,
				participants: [],
			};
		}
		default:
			throw notPlanned('periskope', PERISKOPE_LABEL, input.operation);
	}
}

/** A send's id: `queue_id` (current answers), or the message id an older answer keyed by the chat. */
function queuedId(json: unknown, chatId: string): string | undefined {
	const body = obj(json);
	return str(body.queue_id) ?? str(body[chatId]) ?? str(body.message_id);
}

export const periskope: ProviderAdapter = {
	id: 'periskope',
	label: PERISKOPE_LABEL,
	operations: [
		'addParticipants',
		'create',
		'demoteAdmins',
		'get',
		'inviteLink',
		'leave',
		'listGroups',
		'promoteAdmins',
		'removeParticipants',
		'rename',
		'sendMessage',
		'syncMembers',
	],
	unavailable: {},
	rules: {
		addresses: PERISKOPE_ADDRESSES,
		createNeedsSenderAndMessage: false,
		createName: 'required',
		createRecipients: PERISKOPE_RECIPIENTS,
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
		groupSettings: true,
		forceAdd: true,
		renameHasIcon: false,
		idempotencyKeys: false,
		messageOptions: ['replyTo', 'hideLinkPreview'],
		readsGroups: true,
	},
	retryAfterAmbiguity: {
		create: false, // never blind-retry a create that may have reached the server
		addParticipants: true, // per-participant results make a retry safe
		removeParticipants: true,
		rename: true,
		leave: false,
		get: true, // a read changes nothing
		promoteAdmins: true, // per-participant results, as add
		demoteAdmins: true,
		// A reset that may have arrived is not sent again: a late first reset would make the link the
		// retry returned a dead one (reading the current link is a read, always safe).
		inviteLink: false,
		sendMessage: false, // no idempotency key: never resent once it may have arrived, as create
	},
	secretFields: ['apiKey'],
	// Demoting your own line takes away your admin rights in the group: never by mistake.
	checkInput: (input, credentials) => {
		if (input.operation !== 'demoteAdmins') return undefined;
		const phone = String(credentials.orgPhone ?? '');
		const own = /^[+\d\s().-]+$/.test(phone) ? phone.replace(/\D/g, '') : '';
		if (!own || !input.participants.includes(own)) return undefined;
		return {
			field: 'participants',
			problem: `Participants: "+${own}" is your own line (the credential's Org Phone); demoting it would take away your admin rights in this group, so nothing was sent. Take it out of the list to demote the others`,
		};
	},
	plan,
	checkSuccess: (operation, answer) => {
		const shape = needsObject(answer);
		if (shape) return shape;
		const body = obj(answer.json);
		const chat = obj(body.chat ?? body);
		if (operation === 'create' && !str(chat.chat_id) && !str(chat.id))
			return 'the answer has no chat ID';
		if (
			(operation === 'get' || operation === 'inviteLink') &&
			!readGroup(answer.json) &&
			!str(body.invite_link)
		) {
			return operation === 'get' ? 'the answer has no chat' : 'the answer has no invite link';
		}
		// A queue id (current answers), a message id, or the older answer keyed by a chat id.
		const sent =
			str(body.queue_id) ??
			str(body.message_id) ??
			Object.entries(body).find(
				([key, value]) => /@(g|c)\.us$/.test(key) && typeof value === 'string' && value !== '',
			)?.[1];
		if (operation === 'sendMessage' && !sent) return 'the answer has no queue or message ID';
		return undefined;
	},
	toError,
	// X-RateLimit-Remaining: 0 means the window is used up: everyone waits for X-RateLimit-Reset.
	paceMs: (answer, nowMs) => {
		const remaining = header(answer, 'x-ratelimit-remaining');
		const reset = Number(header(answer, 'x-ratelimit-reset'));
		if (remaining === undefined || remaining.trim() !== '0' || !Number.isFinite(reset))
			return undefined;
		const wait = reset * 1000 - nowMs;
		return wait > 0 && wait <= 60_000 ? wait : undefined;
	},
	rateLimitHintsMs: (answer, nowMs) => {
		const hints: number[] = [];
		const resetText = header(answer, 'x-ratelimit-reset');
		const reset = Number(resetText);
		if (resetText !== undefined && resetText.trim() !== '' && Number.isFinite(reset))
			hints.push(reset * 1000 - nowMs);
		const after = retryAfterMs(header(answer, 'retry-after'), nowMs);
		if (after !== undefined) hints.push(after);
		return hints;
	},
	interpret,
	lookups: periskopeLookups,
};
