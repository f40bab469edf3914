/**
 * Linq Partner API v3 (iMessage, RCS, SMS): the group operations' endpoints, bodies, error
 * codes and retry safety. Linq queues group changes: answers say "accepted" and webhooks
 * confirm later (./events). The readers behind the pickers and Get Group are in ./readers.
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
import { LINQ_ADDRESSES } from './addresses';
import { LINQ_LABEL, LINQ_RECIPIENTS } from './constants';
import { linqLookups, readGroup } from './readers';

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
	if (status === 401 || status === 403)
		return 'the API token was rejected: check the Linq credential';
	if (status === 422 || status === 400) {
		if (operation === 'leave')
			return 'you can only leave an iMessage group with at least 4 active members';
		if (operation === 'removeParticipants') return 'the group must keep at least 3 members';
		return 'Linq refused the request';
	}
	return `the request failed (HTTP ${status})`;
}

function toError(operation: string, answer: HttpAnswer, request: ProviderRequest): ProviderError {
	const body = obj(answer.json);
	const error = obj(body.error);
	const code = typeof error.code === 'number' ? error.code : Number(error.code) || undefined;
	const providerMessage =
		str(error.message) ??
		str(body.message) ??
		(answer.json === undefined ? answer.text.slice(0, 200) : undefined);
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

function plan(input: OperationInput): ProviderRequest[] {
	switch (input.operation) {
		case 'create': {
			const message: Record<string, unknown> = {
				parts: [{ type: 'text', value: input.firstMessage }],
			};
			if (input.idempotencyKey) message.idempotency_key = input.idempotencyKey;
			return [
				{
					method: 'POST',
					path: '/v3/chats',
					body: { from: input.sender, to: input.participants, message },
				},
			];
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
			return [linqLookups.group!.call(input.chatId)];
		case 'sendMessage': {
			// The same MessageContent as create: one text part (a link part must stand alone on Linq).
			const message: Record<string, unknown> = { parts: [{ type: 'text', value: input.text }] };
			if (input.replyTo) message.reply_to = { message_id: input.replyTo };
			if (input.idempotencyKey) message.idempotency_key = input.idempotencyKey;
			return [
				{ method: 'POST', path: `/v3/chats/${segment(input.chatId)}/messages`, body: { message } },
			];
		}
		default:
			throw notPlanned('linq', LINQ_LABEL, input.operation);
	}
}

function interpret(input: OperationInput, answers: Answer[]): GroupChatResult {
	const raw = answers.map((answer) =>
		answer.ok ? answer.response.json : answer.error.details.body,
	);
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
			return {
				...base,
				chatId: input.chatId,
				status: statusFrom(participants, 'accepted'),
				participants,
			};
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
		case 'sendMessage': {
			const [answer] = answers;
			if (!answer.ok) throw answer.error;
			const body = obj(answer.response.json);
			const message = obj(body.message);
			// Linq queues a message until it is sent: pending or queued says so; failed is not a send.
			const state = str(message.delivery_status);
			if (state === 'failed') {
				throw new ProviderError(
					'linq',
					'Linq: the message was not sent (its delivery_status is failed)',
					{
						httpStatus: answer.response.status,
						traceId: str(body.trace_id) ?? header(answer.response, 'x-trace-id'),
						body: answer.response.json,
					},
				);
			}
			return {
				...base,
				chatId: str(body.chat_id) ?? input.chatId,
				status: state === 'pending' || state === 'queued' ? 'accepted' : 'done',
				messageId: str(message.id) ?? null,
				participants: [],
			};
		}
		default:
			throw notPlanned('linq', LINQ_LABEL, input.operation);
	}
}

export const linq: ProviderAdapter = {
	id: 'linq',
	label: LINQ_LABEL,
	operations: [
		'addParticipants',
		'create',
		'get',
		'leave',
		'listGroups',
		'removeParticipants',
		'rename',
		'sendMessage',
		'syncMembers',
	],
	unavailable: {
		promoteAdmins: 'iMessage, RCS and SMS groups have no admins',
		demoteAdmins: 'iMessage, RCS and SMS groups have no admins',
		inviteLink: 'iMessage, RCS and SMS groups have no invite links',
	},
	rules: {
		addresses: LINQ_ADDRESSES,
		createNeedsSenderAndMessage: true,
		createName: 'none',
		createRecipients: LINQ_RECIPIENTS,
		normalizeChatId: (chatId) =>
			UUID.test(chatId)
				? { id: chatId.toLowerCase() }
				: { problem: `"${chatId}" is not a Linq chat ID (a UUID)` },
		groupSettings: false,
		forceAdd: false,
		renameHasIcon: true,
		idempotencyKeys: true,
		messageOptions: ['replyTo'],
		readsGroups: true,
		minMembers: 3, // Linq keeps at least 3 participants in a group
	},
	retryAfterAmbiguity: {
		create: true, // same idempotency key
		addParticipants: false, // queued: retry only when the request surely did not arrive
		removeParticipants: false,
		rename: true,
		leave: false,
		get: true, // a read changes nothing
		sendMessage: true, // the idempotency key makes a retried send safe, as for create
	},
	secretFields: ['apiToken'],
	plan,
	checkSuccess: (operation, answer) => {
		const shape = needsObject(answer);
		if (shape) return shape;
		if (operation === 'create' && !str(obj(obj(answer.json).chat).id))
			return 'the answer has no chat ID';
		if (operation === 'get' && !readGroup(answer.json)) return 'the answer has no chat';
		if (operation === 'sendMessage' && !str(obj(obj(answer.json).message).id))
			return 'the answer has no message ID';
		return undefined;
	},
	toError,
	rateLimitHintsMs: (answer, nowMs) => {
		const fromHeader = retryAfterMs(header(answer, 'retry-after'), nowMs);
		return fromHeader === undefined ? [] : [fromHeader];
	},
	interpret,
	lookups: linqLookups,
};
