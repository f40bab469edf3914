import { NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IWorkflowExecutionCustomData,
} from 'n8n-workflow';

import { DEFAULT_HISTORY, MAX_HISTORY, onceKey, recordOnce } from '../../src/dedup';
import type { OnceStore } from '../../src/dedup';
import { PROVIDERS } from '../../src/types';
import type { Provider } from '../../src/types';

/**
 * The trigger's options. "History Size" is how many event ids the trigger keeps in n8n's
 * database (per trigger node) to let each event continue past the trigger once, whichever n8n
 * process received it; 0 turns that check off (then only the receiving process's memory
 * deduplicates).
 */
export const onceOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'History Size',
			name: 'historySize',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_HISTORY, numberPrecision: 0 },
			default: DEFAULT_HISTORY,
			description:
				'How many event IDs this trigger keeps in n8n’s database so that an event delivered twice (a provider retry, a copy that reached another n8n process, a redelivery after a restart) continues past the trigger only once. Keep it above the events you receive during the provider’s retry window (Linq: about 25 minutes). 0 turns this check off.',
		},
	],
};

const LOCK = { mode: 'latestIncrementalKey' as const };

/** What n8n's DeduplicationHelper throws when a row was written in another mode (validateMode). */
function isModeConflict(error: unknown): boolean {
	return error instanceof Error && /incompatible setting/i.test(error.message);
}

/**
 * n8n's deduplication store as the lock and the id list of src/dedup.ts: the workflow-scope row
 * is the lock (inserted once, 1 in "latestIncrementalKey" mode, deleted to release), the
 * node-scope row keeps this node's ids ("entries" mode, the last `historySize`).
 */
function storeOf(context: IExecuteFunctions): OnceStore {
	const helpers = context.helpers;
	return {
		async tryLock() {
			try {
				const answer = await helpers.checkProcessedAndRecord(['1'], 'workflow', LOCK);
				return answer.new.length === 1 ? 'taken' : 'held';
			} catch (error) {
				if (isModeConflict(error)) {
					return {
						conflict:
							'the workflow-wide entry of n8n’s deduplication store, which this trigger uses as its lock, holds data written by another node (a Remove Duplicates node with Scope "Workflow"?)',
					};
				}
				// Mostly the primary key: another execution inserted the lock row at the same moment.
				return isDuplicateKey(error) ? 'held' : { failed: error };
			}
		},
		async unlock() {
			await helpers.clearAllProcessedItems('workflow', LOCK);
		},
		async record(keys, historySize) {
			try {
				const answer = await helpers.checkProcessedAndRecord(keys, 'node', {
					mode: 'entries',
					maxEntries: historySize,
				});
				return { fresh: new Set(answer.new.map(String)) };
			} catch (error) {
				if (!isModeConflict(error)) throw new NodeOperationError(context.getNode(), error as Error);
				return {
					conflict:
						'this node’s entry of n8n’s deduplication store holds data written in another mode',
				};
			}
		},
	};
}

/** PostgreSQL 23505, SQLite SQLITE_CONSTRAINT, MySQL ER_DUP_ENTRY: the lock row exists already. */
function isDuplicateKey(error: unknown): boolean {
	const text =
		error instanceof Error
			? `${error.message} ${String((error as { code?: unknown }).code ?? '')}`
			: String(error);
	return /duplicate key|unique constraint|SQLITE_CONSTRAINT|ER_DUP_ENTRY|23505/i.test(text);
}

function readHistorySize(context: IExecuteFunctions): number {
	const value = context.getNodeParameter('options.historySize', 0, DEFAULT_HISTORY) as unknown;
	const size = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_HISTORY) {
		throw new NodeOperationError(
			context.getNode(),
			`History Size must be a whole number from 0 to ${MAX_HISTORY}; got ${JSON.stringify(value)?.slice(0, 100)}`,
		);
	}
	return size;
}

function readProviderParameter(context: IExecuteFunctions): Provider {
	const value = context.getNodeParameter('provider', 0, 'linq');
	return PROVIDERS.includes(value as Provider) ? (value as Provider) : 'linq';
}

/**
 * Runs inside the execution the delivery started (on a queue-mode worker, or in a regular-mode
 * main), with the trigger's items as input: records each item's event in n8n's database under
 * the lock and lets only items whose event was not recorded before go on. A copy that another
 * process (or this one before a restart) already let through ends here with no items, so the
 * workflow's next nodes run once per event. Test runs from the editor ("manual") go through
 * unrecorded, so listening for a test event never hides a production delivery.
 */
export async function executeOnce(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0 || this.getMode() === 'manual') return [items];
	const historySize = readHistorySize(this);
	if (historySize === 0) return [items];
	const provider = readProviderParameter(this);
	const keys = items.map((item) => onceKey(provider, item.json.eventId));
	const recordable = keys.filter((key): key is string => key !== undefined);
	if (recordable.length === 0) return [items];

	let result;
	try {
		result = await recordOnce(storeOf(this), recordable, historySize, {
			now: () => Date.now(),
			sleep: async (ms) => await sleep(ms),
			random: () => Math.random(),
			warn: (message) => this.logger.warn(`Group Chat Trigger (${provider}): ${message}`),
		});
	} catch (error) {
		throw new NodeOperationError(
			this.getNode(),
			`Could not record this event in n8n’s database: ${(error as Error).message}`,
		);
	}
	if ('conflict' in result) {
		throw new NodeOperationError(
			this.getNode(),
			`Could not check whether this event already ran: ${result.conflict}`,
			{
				description:
					'Give Remove Duplicates nodes in this workflow the Scope "Node" (their default), or set this trigger’s History Size to 0.',
			},
		);
	}
	if ('timeout' in result) {
		const cause =
			result.lastError instanceof Error ? result.lastError.message.slice(0, 300) : undefined;
		throw new NodeOperationError(
			this.getNode(),
			`Could not check whether this event already ran: ${result.timeout}`,
			{
				description: cause ? `Last database error: ${cause}` : undefined,
			},
		);
	}
	const fresh = result.fresh;

	const kept: INodeExecutionData[] = [];
	items.forEach((item, index) => {
		const key = keys[index];
		if (key === undefined || fresh.has(key)) kept.push({ ...item, pairedItem: { item: index } });
	});
	const customData = customDataOf(this);
	try {
		customData?.set('groupChatEvent', recordable[0].slice(0, 255));
		customData?.set(
			'groupChatOnce',
			kept.length === items.length ? 'first' : kept.length === 0 ? 'duplicate' : 'partly duplicate',
		);
	} catch {
		// custom data is a convenience for the Executions list; never a reason to fail
	}
	return [kept];
}

/**
 * The execution's custom data: `this.customData` (n8n 2.x), else `$execution.customData` (n8n 1.x
 * offers it to expressions only); undefined when neither is there.
 */
function customDataOf(context: IExecuteFunctions): IWorkflowExecutionCustomData | undefined {
	try {
		if (context.customData) return context.customData;
	} catch {
		// 2.x throws when the execution has no run data
	}
	try {
		const execution = context.getWorkflowDataProxy(0).$execution as
			| { customData?: IWorkflowExecutionCustomData }
			| undefined;
		return execution?.customData;
	} catch {
		return undefined;
	}
}
