/**
 * One input item, end to end: validate → plan → hand each planned request to the transport →
 * interpret. The n8n node calls this once per item with a `send` bound to its gate.
 */
import { createHash } from 'crypto';

import { listSome } from './addresses';
import { capRaw } from './boundary';
import { PartialFailureError } from './errors';
import { parseOperationInput, readProvider } from './operations';
import type { CreateInput, OperationInput, RawParameters } from './operations';
import { adapterFor } from './providers';
import type { Answer } from './http';
import type { HttpSend } from './network';
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
}

/** Validates without sending: the adapter and the clean input, or an InputError. */
export function prepare(raw: RawParameters): { adapter: ProviderAdapter; input: OperationInput } {
	const adapter = adapterFor(readProvider(raw.provider));
	return { adapter, input: parseOperationInput(raw, adapter.rules) };
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

/** One validated item: plan → send (with retries) → interpret. */
export async function runPrepared(
	adapter: ProviderAdapter,
	input: OperationInput,
	options: RunOptions,
): Promise<GroupChatResult> {
	if (input.operation === 'create' && adapter.rules.idempotencyKeys && !input.idempotencyKey) {
		input.idempotencyKey = deriveIdempotencyKey(input, options.idempotencyScope ?? '');
	}
	const retry = { ...DEFAULT_RETRY, ...options.retry };
	// One request after the other: a chat's changes stay in order, Periskope's chunks too.
	const answers: Answer[] = [];
	for (const request of adapter.plan(input)) {
		answers.push(await sendWithRetry(adapter, input.operation, request, options.send, retry, options.hooks));
	}
	const interpreted = adapter.interpret(input, answers);
	interpreted.raw = interpreted.raw.map(capRaw);
	const result = orderResult(interpreted, options.includeRaw ?? true);

	if (result.status === 'failed' || result.status === 'partial') {
		const firstError = answers.find((answer) => !answer.ok);
		const error = firstError && !firstError.ok ? firstError.error : undefined;
		if (result.status === 'failed' && error) {
			error.result = result;
			throw error;
		}
		if (result.status === 'failed' || options.onPartialFailure !== 'output') {
			const failed = result.participants.filter((entry) => entry.outcome === 'failed');
			throw new PartialFailureError(
				`${adapter.label}: ${failed.length.toLocaleString('en-US')} of ${result.participants.length.toLocaleString(
					'en-US',
				)} participants failed (${listSome(failed.map((entry) => entry.address))})`,
				result,
				error,
			);
		}
	}
	return result;
}
