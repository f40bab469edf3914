/**
 * One input item, end to end: validate, then run it — planned requests (./plan), a listing
 * (./listing) or a sync (./sync) — and judge the result. The n8n node calls this once per item
 * with a `send` bound to its gate.
 */
import { listSome } from './addresses';
import { InputError, PartialFailureError } from './errors';
import type { ProviderError } from './errors';
import { listGroups } from './listing';
import { parseOperationInput, readOperation, readProvider } from './operations';
import type { OperationInput, RawParameters } from './operations';
import { runPlanned } from './plan';
import type { RunOptions } from './plan';
import { adapterFor } from './providers';
import type { ProviderAdapter } from './providers/contract';
import { syncMembers } from './sync';
import { OPERATION_LABELS } from './types';
import type { GroupChatResult } from './types';

export type { PartialFailureMode, RunOptions } from './plan';
export { deriveIdempotencyKey } from './plan';

/**
 * Validates without sending: the adapter and the clean input, or an InputError (an operation the
 * provider cannot do says why, in the provider's words).
 */
export function prepare(raw: RawParameters): { adapter: ProviderAdapter; input: OperationInput } {
	const adapter = adapterFor(readProvider(raw.provider));
	const operation = readOperation(raw.operation);
	if (!adapter.operations.includes(operation)) {
		const why = adapter.unavailable[operation] ?? `${adapter.label}'s API has no way to do it`;
		throw new InputError(
			`${OPERATION_LABELS[operation]} is not available on ${adapter.label}: ${why}`,
			'operation',
			raw.operation,
		);
	}
	return { adapter, input: parseOperationInput(raw, adapter.rules) };
}

/**
 * One validated item. Most operations are planned requests (plan → send with retries →
 * interpret); List Groups pages through the provider's list (one result per group), Sync Members
 * reads the group and applies the difference with Add and Remove.
 */
export async function runPrepared(
	adapter: ProviderAdapter,
	input: OperationInput,
	options: RunOptions,
): Promise<GroupChatResult | GroupChatResult[]> {
	switch (input.operation) {
		case 'listGroups':
			return await listGroups(adapter, input, options);
		case 'syncMembers':
			return judged(adapter, await syncMembers(adapter, input, options), options);
		default:
			return judged(adapter, await runPlanned(adapter, input, options), options);
	}
}

/**
 * A result with failures ends the item: failed throws the first error; partial throws a
 * PartialFailureError listing every address, unless On Partial Failure says to output it.
 */
function judged(
	adapter: ProviderAdapter,
	run: { result: GroupChatResult; error?: ProviderError },
	options: RunOptions,
): GroupChatResult {
	const { result, error } = run;
	if (result.status !== 'failed' && result.status !== 'partial') return result;
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
	return result;
}
