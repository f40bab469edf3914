/**
 * One planned operation, end to end: plan → hand each request to the transport (retries, rate
 * limits) → interpret; and the idempotency keys a retried create or send replays.
 */
import { createHash } from 'crypto';

import { capRaw } from './boundary';
import type { ProviderError } from './errors';
import type { Answer } from './http';
import type { HttpSend } from './network';
import type { CreateInput, OperationInput, SendMessageInput } from './operations';
import type { ProviderAdapter } from './providers/contract';
import { DEFAULT_RETRY, sendWithRetry } from './transport';
import type { RetryOptions, TransportHooks } from './transport';
import { orderResult } from './types';
import type { GroupChatResult } from './types';

export type PartialFailureMode = 'error' | 'output';

export interface RunOptions {
	send: HttpSend;
	retry?: Partial<RetryOptions>;
	hooks: TransportHooks;
	/** What to do when some addresses failed and others succeeded. */
	onPartialFailure?: PartialFailureMode;
	/**
	 * Scope for derived idempotency keys: workflow ID, node ID and a key of this execution
	 * that a retry of the execution keeps (see the node's execute).
	 */
	idempotencyScope?: string;
	/** Keep the provider's answers in `raw` (Options → Include Raw Answers; default true). */
	includeRaw?: boolean;
	/** The input item's index (part of a derived message key: two equal messages of two items are two messages). */
	itemIndex?: number;
}

/**
 * A key derived from what the group is (sender, recipients, message, name) and where it is
 * created (workflow, node and execution), so the transport's retries and n8n's Retry of a
 * failed execution replay the same create, while a new execution makes a new group. A user
 * who wants the same group across executions sets a key of their own.
 */
export function deriveIdempotencyKey(input: CreateInput, scope: string): string {
	const material = JSON.stringify([
		scope,
		input.provider,
		input.sender,
		[...input.participants].sort(),
		input.firstMessage,
		input.groupName ?? '',
	]);
	return `n8n-${createHash('sha256').update(material).digest('hex').slice(0, 32)}`;
}

/** A message's key: what it says, where it goes, and which item of which execution sends it. */
function messageKey(input: SendMessageInput, scope: string, itemIndex: number): string {
	const material = JSON.stringify([
		scope,
		itemIndex,
		input.provider,
		input.chatId,
		input.text,
		input.replyTo ?? '',
		input.linkPreviewUrl ?? '',
	]);
	return `n8n-${createHash('sha256').update(material).digest('hex').slice(0, 32)}`;
}

/**
 * Plan → send every planned request in order (a chat's changes stay in order, Periskope's chunks
 * too) → interpret. Never judges: a result with failures comes back with its first error.
 */
export async function runPlanned(
	adapter: ProviderAdapter,
	input: OperationInput,
	options: RunOptions,
): Promise<{ result: GroupChatResult; error?: ProviderError }> {
	if (input.operation === 'create' && adapter.rules.idempotencyKeys && !input.idempotencyKey) {
		input.idempotencyKey = deriveIdempotencyKey(input, options.idempotencyScope ?? '');
	}
	if (input.operation === 'sendMessage' && adapter.rules.idempotencyKeys && !input.idempotencyKey) {
		input.idempotencyKey = messageKey(
			input,
			options.idempotencyScope ?? '',
			options.itemIndex ?? 0,
		);
	}
	const retry = { ...DEFAULT_RETRY, ...options.retry };
	const answers: Answer[] = [];
	for (const request of adapter.plan(input)) {
		answers.push(
			await sendWithRetry(adapter, input.operation, request, options.send, retry, options.hooks),
		);
	}
	const interpreted = adapter.interpret(input, answers);
	interpreted.raw = interpreted.raw.map(capRaw);
	const firstError = answers.find((answer) => !answer.ok);
	return {
		result: orderResult(interpreted, options.includeRaw ?? true),
		error: firstError && !firstError.ok ? firstError.error : undefined,
	};
}
