/**
 * Errors raised by the adapter core. They carry only what the user typed and what the
 * provider answered; the n8n node turns them into NodeOperationError / NodeApiError.
 */
import type { GroupChatResult, Provider } from './types';

/** Parameter names as the editor labels them, for messages that tell the user where to look. */
export const FIELD_LABELS: Record<string, string> = {
	provider: 'Provider',
	operation: 'Operation',
	chatId: 'Chat',
	sender: 'Sender Name or ID',
	participants: 'Participants',
	firstMessage: 'First Message',
	groupName: 'Group Name',
	iconUrl: 'Group Icon URL',
	forceAdd: 'Force Add',
	groupSettings: 'Group Settings',
	idempotencyKey: 'Options → Idempotency Key',
	defaultCountry: 'Options → Default Country',
	maxAttempts: 'Options → Max Attempts',
	maxRateLimitWait: 'Options → Max Rate Limit Wait (Seconds)',
	timeout: 'Options → Timeout (Seconds)',
	includeRaw: 'Options → Include Raw Answers',
	concurrency: 'Options → Concurrency',
	membersToRemove: 'Members to Remove',
	message: 'Message',
	messageOptions: 'Message Options',
	returnAll: 'Return All',
	limit: 'Limit',
	groupFilters: 'Filters',
	inviteLinkAction: 'Action',
	members: 'Members',
	syncOptions: 'Sync Options',
	onPartialFailure: 'Options → On Partial Failure',
	credentials: 'Credential',
	baseUrl: 'Credential → Base URL',
};

/** Invalid input: raised before any request is sent. */
export class InputError extends Error {
	constructor(
		message: string,
		readonly field: string,
		readonly value?: unknown,
	) {
		super(message);
		this.name = 'InputError';
	}
}

/** A provider refused the request or the transport gave up. */
export class ProviderError extends Error {
	constructor(
		readonly provider: Provider,
		/** What happened, in the user's words ("Chert: the group would drop below 3 members"). */
		message: string,
		readonly details: {
			httpStatus?: number;
			code?: string | number;
			traceId?: string;
			providerMessage?: string;
			retryable?: boolean;
			/** The provider's error answer, for the error output (never request headers). */
			body?: unknown;
		} = {},
	) {
		super(message);
		this.name = 'ProviderError';
	}

	/** The normalized result of the item this error ended (per-address outcomes). */
	result?: GroupChatResult;

	/** One line for n8n's error description: code, HTTP status and trace id. */
	describe(): string {
		const { code, httpStatus, traceId, providerMessage } = this.details;
		const parts: string[] = [];
		if (code !== undefined) parts.push(`provider code ${code}`);
		if (httpStatus !== undefined) parts.push(`HTTP ${httpStatus}`);
		if (traceId) parts.push(`trace id ${traceId}`);
		const head = parts.length ? parts.join(', ') : 'no response from the provider';
		return providerMessage ? `${head}. Provider said: "${providerMessage}"` : head;
	}
}

/** Some addresses of a multi-participant operation failed; the result lists every address. */
export class PartialFailureError extends Error {
	constructor(
		message: string,
		readonly result: GroupChatResult,
		readonly firstError?: ProviderError,
	) {
		super(message);
		this.name = 'PartialFailureError';
	}
}
