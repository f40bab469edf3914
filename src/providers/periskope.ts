/**
 * Periskope (WhatsApp) — endpoints, bodies, per-participant results, error words and retry
 * safety. Periskope takes whole participant lists in one call and answers per participant.
 */
import { ProviderError } from '../errors';
import type { OperationInput } from '../operations';
import type { GroupChatResult, ParticipantOutcome } from '../types';
import type { Answer, HttpAnswer, PlannedRequest, ProviderAdapter } from './adapter';
import { header, obj, segment, statusFrom, str } from './adapter';

export const PERISKOPE_BASE_URL = 'https://api.periskope.app/v1';

function describe(status: number, operation: OperationInput['operation']): string {
	switch (status) {
		case 401:
		case 403:
			return 'the API key or org phone was rejected: check the Periskope credential';
		case 404:
			return 'chat not found';
		case 409:
			return operation === 'leave' ? 'you are no longer in this group' : 'the request conflicts with the chat’s state';
		case 429:
			return 'too many requests (rate limit)';
		default:
			return status >= 500 ? 'Periskope had a temporary problem' : `the request was refused (HTTP ${status})`;
	}
}

function toError(input: OperationInput, answer: HttpAnswer): ProviderError {
	const body = obj(answer.json);
	const nested = obj(body.error);
	const providerMessage =
		str(body.message) ?? str(nested.message) ?? (answer.json === undefined ? answer.text.slice(0, 200) : undefined);
	const code = str(body.code) ?? str(nested.code);
	return new ProviderError('periskope', `Periskope: ${describe(answer.status, input.operation)}`, {
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
	if (addMembersAdminsOnly !== undefined) {
		body.memberAddMode = addMembersAdminsOnly ? 'admin_add' : 'all_member_add';
	}
	return body;
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
		case 'addParticipants': {
			const body: Record<string, unknown> = { participants: input.participants };
			if (input.forceAdd) body.force_add_participants = true;
			return [{ method: 'POST', path: chat('/add'), body }];
		}
		case 'removeParticipants':
			return [{ method: 'POST', path: chat('/remove'), body: { participants: input.participants } }];
		case 'rename':
			return [{ method: 'POST', path: chat('/settings'), body: settingsBody(input) }];
		case 'leave':
			return [{ method: 'POST', path: chat('/leave') }];
	}
}

/** `{"9195…@c.us": {is_success, message, code, isInviteV4Sent}}` → one outcome per address. */
function perParticipant(
	input: OperationInput & { participants: string[] },
	answer: Answer,
): ParticipantOutcome[] {
	const adding = input.operation !== 'removeParticipants';
	if (!answer.ok) {
		return input.participants.map((address) => ({
			address,
			outcome: 'failed',
			message: answer.error.message,
			code: answer.error.details.code,
		}));
	}
	const body = obj(answer.response.json);
	const results = Object.keys(obj(body.participants)).length ? obj(body.participants) : body;
	return input.participants.map((address): ParticipantOutcome => {
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
	if (!Array.isArray(list)) return undefined;
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
			if (!answer.ok && answer.error.details.httpStatus !== undefined && answer.error.details.httpStatus < 500) {
				throw answer.error;
			}
			const participants = perParticipant(input, answer);
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
	}
}

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
	},
	retryAfterAmbiguity: {
		create: false, // never blind-retry a create that may have reached the server
		addParticipants: true, // per-participant results make a retry safe
		removeParticipants: true,
		rename: true,
		leave: false,
	},
	plan,
	toError,
	rateLimitWaitMs: (answer, nowMs) => {
		const reset = Number(header(answer, 'x-ratelimit-reset'));
		if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - nowMs);
		const after = Number(header(answer, 'retry-after'));
		return Number.isFinite(after) ? after * 1000 : undefined;
	},
	interpret,
};
