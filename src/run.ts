/**
 * One input item, end to end: validate → plan → send (with retries) → interpret.
 * The n8n node calls this once per item with a `send` bound to its request helper.
 */
import { createHash } from 'crypto';

import { PartialFailureError } from './errors';
import { parseOperationInput, readProvider } from './operations';
import type { CreateInput, OperationInput, RawParameters } from './operations';
import { adapterFor } from './providers';
import type { ProviderAdapter } from './providers/adapter';
import { DEFAULT_RETRY, runPlan } from './transport';
import type { HttpSend, RetryOptions, TransportHooks } from './transport';
import type { GroupChatResult } from './types';

export type PartialFailureMode = 'error' | 'output';

export interface RunOptions {
	send: HttpSend;
	retry?: Partial<RetryOptions>;
	hooks?: TransportHooks;
	/** What to do when some addresses failed and others succeeded. */
	onPartialFailure?: PartialFailureMode;
	/** Stable scope for derived idempotency keys (workflow ID + node ID). */
	idempotencyScope?: string;
}

/** Validates without sending: the adapter and the clean input, or an InputError. */
export function prepare(raw: RawParameters): { adapter: ProviderAdapter; input: OperationInput } {
	const adapter = adapterFor(readProvider(raw.provider));
	return { adapter, input: parseOperationInput(raw, adapter.rules) };
}

/**
 * A key derived from what the group is (sender, recipients, message, name) and where it is
 * created (workflow and node), so re-running the same execution replays the same create
 * instead of making a second group. A user who wants a second identical group sets a key.
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

export async function runOperation(raw: RawParameters, options: RunOptions): Promise<GroupChatResult> {
	const { adapter, input } = prepare(raw);
	if (input.operation === 'create' && adapter.rules.idempotencyKeys && !input.idempotencyKey) {
		input.idempotencyKey = deriveIdempotencyKey(input, options.idempotencyScope ?? '');
	}
	const retry = { ...DEFAULT_RETRY, ...options.retry };
	const answers = await runPlan(adapter, input, options.send, retry, options.hooks);
	const result = adapter.interpret(input, answers);

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
				`${adapter.label}: ${failed.length} of ${result.participants.length} participants failed (${failed
					.map((entry) => entry.address)
					.join(', ')})`,
				result,
				error,
			);
		}
	}
	return result;
}
