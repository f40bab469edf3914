/**
 * Chert (iMessage): the group operations' endpoints and bodies, the 2–31 recipient rule, error
 * codes in the user's words, and which retries are safe. Signing lives in the credential
 * (src/signing.ts); the readers in ./readers, the trigger's events in ./events.
 */
import { segment } from '../../boundary';
import { ProviderError } from '../../errors';
import type { Answer, HttpAnswer, ProviderRequest } from '../../http';
import { header, needsObject, retryAfterMs } from '../../http';
import { obj, str } from '../../json';
import type { OperationInput } from '../../operations';
import { chertSignature } from '../../signing';
import { statusFrom } from '../../types';
import type { GroupChatResult, ParticipantOutcome } from '../../types';
import { notPlanned } from '../contract';
import type { ProviderAdapter } from '../contract';
import { CHERT_ADDRESSES } from './addresses';
import { CHERT_LABEL, CHERT_RECIPIENTS } from './constants';
import { chertLookups } from './readers';

const URL_IN_TEXT = /\bhttps?:\/\/|\bwww\.\S+\.\S+/i;

/** Chert 1006 means different things in different states: the provider's message decides. */
function describe1006(operation: string, providerMessage: string): string {
	if (operation === 'create') return 'a group can have at most 31 recipients';
	if (/no longer|left it|not a member/i.test(providerMessage)) {
		return operation === 'leave'
			? 'your line is no longer in this group (it already left)'
			: 'your line is no longer in this group (it left), so the group cannot be changed from it';
	}
	if (/sending line|cannot be removed|leave endpoint/i.test(providerMessage)) {
		return 'your own line cannot be removed as a participant; use Leave Group';
	}
	if (/direct message|\bDM\b/i.test(providerMessage))
		return 'this chat is a direct message, not a group';
	return operation === 'leave'
		? 'you are no longer in this group'
		: 'this chat is not a group you can change (a direct message, or a group your line left)';
}

function describeCode(
	code: number | undefined,
	operation: string,
	providerMessage = '',
): string | undefined {
	switch (code) {
		case 1001:
			return operation === 'removeParticipants'
				? 'that person is not in the group'
				: 'a required field is missing';
		case 1002:
			return operation === 'leave'
				? 'you can only leave a group that has at least 4 members (3 must remain)'
				: 'the group would drop below 3 members';
		case 1003:
			return 'a phone number is not valid';
		case 1004:
			return 'the request was not valid JSON';
		case 1005:
			return 'the first message contains a link; a new group must start with plain text';
		case 1006:
			return describe1006(operation, providerMessage);
		case 1007:
			return 'too many requests (rate limit)';
		case 2002:
			return 'chat not found';
		case 2004:
			return 'the signature was rejected: check the Signing Secret and Tenant Slug in the credential';
		case 2006:
			return 'the sender number is not assigned to this Chert tenant';
		case 2012:
			return 'no authentication was sent: check the credential';
		case 2013:
			return "the request time is more than 5 minutes off Chert's clock: check this server's clock";
		case 3001:
		case 3002:
		case 3004:
			return 'Chert had a temporary problem';
		case 4001:
			return 'Apple rejected the change (delivery failed)';
		case 4099:
			return operation === 'create'
				? 'the first message must be text only (no media or rich links)'
				: 'the group has no chat key or pinned line yet';
		default:
			return undefined;
	}
}

function toError(operation: string, answer: HttpAnswer, request: ProviderRequest): ProviderError {
	const body = obj(answer.json);
	const error = obj(body.error);
	const code = typeof error.code === 'number' ? error.code : Number(error.code) || undefined;
	const words =
		describeCode(code, operation, str(error.message) ?? '') ??
		(answer.status === 404 ? 'chat not found' : `the request failed (HTTP ${answer.status})`);
	const who = request.address ? ` (${request.address})` : '';
	return new ProviderError('chert', `Chert: ${words}${who}`, {
		httpStatus: answer.status,
		code,
		traceId: str(body.trace_id) ?? header(answer, 'x-trace-id'),
		providerMessage:
			str(error.message) ?? (answer.json === undefined ? answer.text.slice(0, 200) : undefined),
		retryable: typeof error.retryable === 'boolean' ? error.retryable : undefined,
		body: answer.json ?? answer.text.slice(0, 500),
	});
}

function plan(input: OperationInput): ProviderRequest[] {
	switch (input.operation) {
		case 'create': {
			const message: Record<string, unknown> = {
				parts: [{ type: 'text', value: input.firstMessage }],
			};
			if (input.groupName) message.subject = input.groupName;
			if (input.idempotencyKey) message.idempotency_key = input.idempotencyKey;
			return [
				{
					method: 'POST',
					path: '/api/v1/chats',
					body: { from: input.sender, to: input.participants, message },
				},
			];
		}
		case 'addParticipants':
			return input.participants.map((address) => ({
				method: 'POST',
				path: `/api/v1/chats/${segment(input.chatId)}/participants`,
				body: { address },
				address,
			}));
		case 'removeParticipants':
			return input.participants.map((address) => ({
				method: 'DELETE',
				path: `/api/v1/chats/${segment(input.chatId)}/participants/${segment(address)}`,
				address,
			}));
		case 'rename': {
			const body: Record<string, string> = {};
			if (input.groupName) body.display_name = input.groupName;
			if (input.iconUrl) body.group_chat_icon = input.iconUrl;
			return [{ method: 'PUT', path: `/api/v1/chats/${segment(input.chatId)}`, body }];
		}
		case 'leave':
			return [{ method: 'POST', path: `/api/v1/chats/${segment(input.chatId)}/leave` }];
		case 'sendMessage': {
			// Text first; a link preview is Chert's rich link part after it.
			const parts: Record<string, unknown>[] = [{ type: 'text', value: input.text }];
			if (input.linkPreviewUrl) parts.push({ type: 'rich_link', url: input.linkPreviewUrl });
			const message: Record<string, unknown> = { parts };
			if (input.idempotencyKey) message.idempotency_key = input.idempotencyKey;
			return [
				{
					method: 'POST',
					path: `/api/v1/chats/${segment(input.chatId)}/messages`,
					body: { message },
				},
			];
		}
		default:
			throw notPlanned('chert', CHERT_LABEL, input.operation);
	}
}

function handles(chat: Record<string, unknown>): string[] | undefined {
	if (!Array.isArray(chat.handles)) return undefined;
	return chat.handles.map((entry) => str(obj(entry).address) ?? str(entry) ?? '').filter(Boolean);
}

function interpret(input: OperationInput, answers: Answer[]): GroupChatResult {
	const raw = answers.map((answer) =>
		answer.ok ? answer.response.json : answer.error.details.body,
	);
	const base = { provider: 'chert' as const, operation: input.operation, raw };
	switch (input.operation) {
		case 'create': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			const chat = obj(obj(answer.response.json).chat);
			return {
				...base,
				chatId: str(chat.id) ?? null,
				status: 'done',
				name: str(chat.display_name) ?? input.groupName ?? null,
				participants: input.participants.map((address) => ({
					address,
					outcome: 'added',
					message: 'in the new group',
				})),
				roster: handles(chat),
			};
		}
		case 'addParticipants':
		case 'removeParticipants': {
			const adding = input.operation === 'addParticipants';
			let roster: string[] | undefined;
			const participants = answers.map((answer): ParticipantOutcome => {
				const address = answer.request.address ?? '';
				if (answer.ok) {
					const body = obj(answer.response.json);
					if (Array.isArray(body.participants)) roster = body.participants.map(String);
					if (answer.response.status >= 400) {
						return { address, outcome: 'removed', message: 'removed (confirmed after a retry)' };
					}
					return adding
						? { address, outcome: 'added', message: 'added to the group' }
						: { address, outcome: 'removed', message: 'removed from the group' };
				}
				if (!adding && answer.error.details.code === 1001) {
					return { address, outcome: 'not_member', message: 'was not in the group', code: 1001 };
				}
				return {
					address,
					outcome: 'failed',
					message: answer.error.message,
					code: answer.error.details.code,
				};
			});
			return {
				...base,
				chatId: input.chatId,
				status: statusFrom(participants, 'done'),
				participants,
				roster,
			};
		}
		case 'rename': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			const chat = obj(obj(answer.response.json).chat);
			return {
				...base,
				chatId: str(chat.id) ?? input.chatId,
				status: 'done',
				name: str(chat.display_name) ?? input.groupName ?? null,
				participants: [],
			};
		}
		case 'leave': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			return { ...base, chatId: input.chatId, status: 'done', participants: [] };
		}
		case 'sendMessage': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			const message = obj(obj(answer.response.json).message);
			return {
				...base,
				chatId: str(message.chat_id) ?? input.chatId,
				status: 'done',
				messageId: str(message.id) ?? null,
				participants: [],
			};
		}
		default:
			throw notPlanned('chert', CHERT_LABEL, input.operation);
	}
}

export const chert: ProviderAdapter = {
	id: 'chert',
	label: CHERT_LABEL,
	operations: ['addParticipants', 'create', 'leave', 'removeParticipants', 'rename', 'sendMessage'],
	unavailable: {
		get: 'the provider has no documented way to read a group. Add and remove answers carry the roster instead.',
		listGroups:
			'Chert has no endpoint that lists groups; keep the chat IDs that Create Group returns',
		syncMembers:
			'Chert cannot read a group’s roster, so there is nothing to compare the list with; use Add Participants and Remove Participants',
		promoteAdmins: 'iMessage groups have no admins',
		demoteAdmins: 'iMessage groups have no admins',
		inviteLink: 'iMessage groups have no invite links',
	},
	rules: {
		addresses: CHERT_ADDRESSES,
		createNeedsSenderAndMessage: true,
		createName: 'optional',
		createRecipients: CHERT_RECIPIENTS,
		checkFirstMessage: (text) =>
			URL_IN_TEXT.test(text)
				? 'First Message contains a link; Chert requires a plain-text first message (send links afterwards)'
				: undefined,
		normalizeChatId: (chatId) =>
			/[\s/?#]/.test(chatId)
				? { problem: `"${chatId}" is not a Chert chat ID (ch_… or a UUID)` }
				: { id: chatId },
		groupSettings: false,
		forceAdd: false,
		renameHasIcon: true,
		idempotencyKeys: true,
		messageOptions: ['linkPreviewUrl'],
		readsGroups: false,
	},
	retryAfterAmbiguity: {
		create: true, // the idempotency key makes a retried create safe
		addParticipants: true,
		removeParticipants: true, // a retried "not in group" counts as removed
		rename: true,
		leave: true, // a retried "no longer a group" counts as left
		sendMessage: true, // the idempotency key makes a retried send safe, as for create
	},
	secretFields: ['signingSecret'],
	// The x-chert-signature values this body had while it was in flight (one per second):
	// 64 lowercase hex characters each.
	derivedSecrets: {
		minLength: 64,
		values: (credentials, rawBody, fromMs, toMs) => {
			const secret = String(credentials.signingSecret ?? '');
			if (!secret || credentials.authMode === 'bearer') return [];
			const values: string[] = [];
			for (
				let second = Math.floor(fromMs / 1000) - 1;
				second <= Math.floor(toMs / 1000) + 1;
				second++
			) {
				values.push(chertSignature(secret, second, rawBody));
			}
			return values;
		},
	},
	checkCredentials: (credentials) =>
		credentials.authMode !== 'bearer' && String(credentials.tenantSlug ?? '').trim() === ''
			? 'Chert credential: Tenant Slug is empty. HMAC signing sends it as x-chert-tenant; enter your tenant’s slug, or switch Authentication to Bearer Token.'
			: undefined,
	plan,
	checkSuccess: (operation, answer) => {
		const shape = needsObject(answer);
		if (shape) return shape;
		const body = obj(answer.json);
		if (operation === 'create' && !str(obj(body.chat).id)) return 'the answer has no chat ID';
		if (operation === 'rename' && !str(obj(body.chat).id) && !str(body.chat_id))
			return 'the answer has no chat';
		if (operation === 'sendMessage' && !str(obj(body.message).id))
			return 'the answer has no message ID';
		return undefined;
	},
	toError,
	rateLimitHintsMs: (answer, nowMs) => {
		const hints: number[] = [];
		const fromBody = Number(obj(answer.json).retry_after);
		if (obj(answer.json).retry_after !== undefined && Number.isFinite(fromBody))
			hints.push(fromBody * 1000);
		const fromHeader = retryAfterMs(header(answer, 'retry-after'), nowMs);
		if (fromHeader !== undefined) hints.push(fromHeader);
		return hints;
	},
	confirmsEarlierAttempt: (operation, error) =>
		(operation === 'removeParticipants' && error.details.code === 1001) ||
		(operation === 'leave' && error.details.code === 1006),
	interpret,
	lookups: chertLookups,
};
