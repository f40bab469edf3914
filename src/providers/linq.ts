/**
 * Linq Partner API v3 (iMessage, RCS, SMS) — endpoints, bodies, error codes and retry
 * safety. Linq queues group changes: answers say "accepted" and webhooks confirm later.
 */
import { ProviderError } from '../errors';
import type { OperationInput } from '../operations';
import type { GroupChatResult, ParticipantOutcome } from '../types';
import type { Answer, HttpAnswer, PlannedRequest, ProviderAdapter } from './adapter';
import { header, obj, retryAfterMs, segment, statusFrom, str } from './adapter';

export const LINQ_BASE_URL = 'https://api.linqapp.com/api/partner';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describe(code: number | undefined, status: number, operation: OperationInput['operation']) {
	switch (code) {
		case 1002:
			return 'a phone number is not in E.164 format';
		case 2004:
			return 'the API token was rejected: check the Linq credential';
		case 2001:
			return 'chat not found';
		case 3006:
			return 'Linq had a temporary problem';
	}
	if (status === 409) return 'you have left this chat, so it can no longer be changed';
	if (status === 429) return 'too many requests (rate limit)';
	if (status === 404) return 'chat not found';
	if (status === 401 || status === 403) return 'the API token was rejected: check the Linq credential';
	if (status === 422 || status === 400) {
		if (operation === 'leave') return 'you can only leave an iMessage group with at least 4 active members';
		if (operation === 'removeParticipants') return 'the group must keep at least 3 members';
		return 'Linq refused the request';
	}
	return `the request failed (HTTP ${status})`;
}

function toError(input: OperationInput, answer: HttpAnswer, request: PlannedRequest): ProviderError {
	const body = obj(answer.json);
	const error = obj(body.error);
	const code = typeof error.code === 'number' ? error.code : Number(error.code) || undefined;
	const providerMessage =
		str(error.message) ?? str(body.message) ?? (answer.json === undefined ? answer.text.slice(0, 200) : undefined);
	let words = describe(code, answer.status, input.operation);
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
	},
	retryAfterAmbiguity: {
		create: true, // same idempotency key
		addParticipants: false, // queued: retry only when the request surely did not arrive
		removeParticipants: false,
		rename: true,
		leave: false,
	},
	plan,
	toError,
	rateLimitWaitMs: (answer, nowMs) => retryAfterMs(header(answer, 'retry-after'), nowMs),
	interpret,
};
