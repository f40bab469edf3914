/**
 * One verified event, one execution — across n8n processes.
 *
 * The trigger's webhook code (main, or an `n8n webhook` process) can only remember ids in its own
 * memory, so a copy of an event that reaches another process, or the same process after a
 * restart, starts a second execution. What every process shares is n8n's database, and the one
 * piece of it a community node can reach is n8n's deduplication store
 * (`this.helpers.checkProcessedAndRecord`, the store behind Remove Duplicates' "Remove Items
 * Processed in Previous Executions"), which is only offered to code that runs inside an
 * execution (`IExecuteFunctions`): on a queue-mode worker, or in a regular-mode main.
 *
 * That store is not atomic: one row per (workflow, context) that it reads, changes in memory and
 * writes back, without a transaction. Two executions recording at the same moment both read the
 * row without the id and both write it back "new" (n8n/dist/deduplication/deduplication-helper.js,
 * handleHashedItems: findOne … update). The only atomic step is the very first insert of a row,
 * which the primary key (context, workflowId) guards: of two concurrent inserts one fails.
 *
 * So this module builds a lock out of that insert, and records ids only while holding it:
 *
 *  - lock  = the workflow-scope row (context ""), written in mode "latestIncrementalKey" with the
 *    value 1. `checkProcessedAndRecord(["1"], "workflow", latestIncrementalKey)` answers "new"
 *    only when it inserted the row (1 is never higher than the stored 1), "processed" when the row
 *    existed, and throws on the primary key when another execution inserted it first. Exactly one
 *    caller gets "new" until the row is deleted again (`clearAllProcessedItems("workflow")`).
 *  - ids   = the node-scope row (context "n:<node id>", mode "entries"), read and written only by
 *    the lock's holder, so no write is lost.
 *
 * n8n itself could make this a single atomic step (an insert-if-absent per id, e.g.
 * `INSERT … ON CONFLICT DO NOTHING`); until it does, the lock is the part the node provides.
 * This file is free of n8n: the node adapts n8n's helpers to `OnceStore`.
 */
import type { Provider } from './types';

/** What one attempt to take the lock found. */
export type LockAttempt =
	/** This call created the lock row: the caller holds the lock. */
	| 'taken'
	/** The row exists (held), or another execution created it at the same moment (primary key). */
	| 'held'
	/** The lock cannot work at all (its row holds something else): retrying does not help. */
	| { conflict: string }
	/** The store failed (a database error): retried until the deadline. */
	| { failed: unknown };

/** What the node gives this module: n8n's deduplication store, three calls. */
export interface OnceStore {
	tryLock(): Promise<LockAttempt>;
	/** Deletes the lock row. */
	unlock(): Promise<void>;
	/**
	 * Records `keys`, keeping the last `historySize`; returns those that were not there before,
	 * or the conflict that stops recording (the row holds data of another mode).
	 */
	record(
		keys: string[],
		historySize: number,
	): Promise<{ fresh: Set<string> } | { conflict: string }>;
}

export type OnceResult =
	| { fresh: Set<string> }
	/** The lock or the id list holds data of another kind (see `LockAttempt`). */
	| { conflict: string }
	/** The lock could not be taken before the deadline; `lastError` is the store's last failure. */
	| { timeout: string; lastError?: unknown };

export interface OnceTiming {
	/** Give up (and fail the execution) after this long without the lock. */
	deadlineMs: number;
	/**
	 * A holder keeps the lock for a few milliseconds (two small queries). After this long without
	 * getting it, the holder is taken to be gone (a process killed while holding it) and the lock
	 * row is deleted once; this waiter then competes for it again like everyone else.
	 */
	staleAfterMs: number;
	/** First wait between attempts; doubles up to `maxBackoffMs`, with jitter. */
	backoffMs: number;
	maxBackoffMs: number;
}

export const ONCE_TIMING: OnceTiming = {
	deadlineMs: 120_000,
	staleAfterMs: 30_000,
	backoffMs: 5,
	maxBackoffMs: 100,
};

/** Events remembered per trigger node in n8n's database, by default (Remove Duplicates' default too). */
export const DEFAULT_HISTORY = 10_000;
/** The most a user may ask to remember: each record rewrites the whole list. */
export const MAX_HISTORY = 100_000;

export interface OnceEnvironment {
	now: () => number;
	sleep: (ms: number) => Promise<void>;
	random: () => number;
	/** Told when a lock is taken over as stale, and when unlocking fails (never secrets). */
	warn: (message: string) => void;
	timing?: Partial<OnceTiming>;
}

/** The key an item is recorded under: provider and event id (so one node never mixes providers). */
export function onceKey(provider: Provider | string, eventId: unknown): string | undefined {
	if (typeof eventId !== 'string' || eventId === '') return undefined;
	return `${provider}:${eventId}`;
}

/**
 * Records `keys` in the store under its lock and returns the keys that were new: those whose
 * items go on. Every key is recorded, new or not. An empty list touches nothing.
 */
export async function recordOnce(
	store: OnceStore,
	keys: string[],
	historySize: number,
	env: OnceEnvironment,
): Promise<OnceResult> {
	const unique = [...new Set(keys)];
	if (unique.length === 0) return { fresh: new Set() };
	const timing = { ...ONCE_TIMING, ...env.timing };
	const started = env.now();
	let waitingSince = started;
	let lastError: unknown;
	for (let attempt = 0; ; attempt++) {
		const outcome = await store.tryLock();
		if (outcome === 'taken') break;
		if (typeof outcome === 'object' && 'conflict' in outcome) return outcome;
		if (typeof outcome === 'object') lastError = outcome.failed;
		const now = env.now();
		if (now - started >= timing.deadlineMs) {
			return {
				timeout: `could not take the lock in n8n's deduplication store within ${Math.round(timing.deadlineMs / 1000)} s`,
				lastError,
			};
		}
		if (now - waitingSince >= timing.staleAfterMs) {
			env.warn(
				`the deduplication lock of this workflow has been held for over ${Math.round(timing.staleAfterMs / 1000)} s; taking it over (a process was probably stopped while holding it)`,
			);
			waitingSince = now;
			await unlockQuietly(store, env, timing);
			continue;
		}
		const ceiling = Math.min(timing.maxBackoffMs, timing.backoffMs * 2 ** Math.min(attempt, 10));
		await env.sleep(Math.max(1, Math.round(ceiling * (0.5 + env.random() / 2))));
	}
	try {
		return await store.record(unique, historySize);
	} finally {
		await unlockQuietly(store, env, timing);
	}
}

/** Releases the lock; a failure is told, not thrown (the next event takes a stale lock over). */
async function unlockQuietly(
	store: OnceStore,
	env: OnceEnvironment,
	timing: OnceTiming,
): Promise<void> {
	try {
		await store.unlock();
	} catch (error) {
		env.warn(
			`could not release the deduplication lock (${error instanceof Error ? error.message.slice(0, 200) : String(error)}); the next event takes it over after ${Math.round(timing.staleAfterMs / 1000)} s`,
		);
	}
}
