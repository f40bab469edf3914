/**
 * Item scheduling, free of n8n: items of different chats run side by side, one chat's items in
 * input order, starts spread out rather than sent in volleys, a stop that behaves as if items ran
 * one by one; and one rate budget per credential shared by every request in flight.
 */

import type { OperationInput } from './operations';

/**
 * The lane an item runs in: everything that touches one chat runs in input order; items of
 * different chats (and every create) may run side by side.
 */
export function laneOf(input: OperationInput, itemIndex: number): string {
	return 'chatId' in input ? `${input.provider}:chat:${input.chatId}` : `item:${itemIndex}`;
}

/**
 * One rate budget per credential, shared by all requests in flight: a 429 (or a provider
 * saying its window is used up) pauses every request of that credential, not just the one
 * that got it. Concurrency never changes what is retried: that stays the retry-safety table.
 *
 * It also keeps the credential's rate-limit clock: since when it has been rate limited without
 * any of its requests getting through (an answer other than 429). That, not the number of 429s
 * one request met, is what the ceiling (RetryOptions.maxRateLimitWaitMs) bounds, so a bulk run
 * that keeps making progress under a rate limit is never cut short, and a rate limit that never
 * lifts ends after the ceiling.
 */
export class RateBudget {
	private pausedUntil = 0;
	private limitedSince: number | undefined;
	/** The provider's last wait hint in ms (undefined when it gave none that could be read). */
	lastHintMs: number | undefined;

	constructor(private readonly now: () => number = Date.now) {}

	/** How long a request must still wait before it may be sent. */
	waitMs(): number {
		return Math.max(0, this.pausedUntil - this.now());
	}

	/** Nobody sends for the next `ms` (the longest pause asked for wins). */
	pause(ms: number): void {
		if (Number.isFinite(ms) && ms > 0)
			this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
	}

	/** A 429: starts the rate-limit clock unless it runs already. */
	limited(hintMs: number | undefined): void {
		this.limitedSince ??= this.now();
		this.lastHintMs = hintMs;
	}

	/** An answer other than a 429: the credential is getting through; the clock stops. */
	through(): void {
		this.limitedSince = undefined;
	}

	/** How long the credential has been rate limited with nothing getting through (0: it is not). */
	limitedForMs(): number {
		return this.limitedSince === undefined ? 0 : Math.max(0, this.now() - this.limitedSince);
	}

	/** What is left of `ceilingMs` (Infinity while the credential is not rate limited). */
	leftOfMs(ceilingMs: number): number {
		return this.limitedSince === undefined ? Infinity : ceilingMs - this.limitedForMs();
	}
}

export type LaneResult<T> = { ok: true; value: T } | { ok: false; error: unknown } | undefined;

/** How a LaneScheduler paces its starts (see LaneScheduler). */
export interface LanePacing {
	/** Resolves after `ms` (n8n's `sleep`): at least one turn of the event loop, even for 0. */
	pause: (ms: number) => Promise<void>;
	/** Milliseconds, for job durations (default `performance.now`). */
	now?: () => number;
}

/** Starts are spaced by this share of the fastest recent job's duration, divided by the concurrency. */
const START_SPACING = 0.8;

/**
 * Runs jobs with at most `concurrency` at a time, starting them in input order; jobs with the
 * same key run one after the other in input order (everything that touches one chat), jobs
 * with different keys run side by side. With concurrency 1 that is plain input order. Jobs can
 * be added while others run (the node validates item N+1 while item N is on the wire).
 *
 * A stop behaves as if the jobs ran one by one: `stopAt()` is the index of the stopping item
 * (Infinity while there is none). Every job before it is still started and runs to its end,
 * even one still queued behind its lane or the pacing; no job at or after it starts once the
 * stop is known (their results stay undefined). Jobs after it that had already started when it
 * stopped (other chats, with concurrency above 1) cannot be called back: they run to their end.
 *
 * With `pacing`, starts are spread out instead of sent as a volley: between two starts the
 * event loop gets at least one turn, and at least 0.8 × (fastest of the recent jobs) /
 * concurrency passes — evenly spaced, the requests in flight still add up to `concurrency`.
 * Without it, answers that arrive together start their next requests together, and each new
 * request's connection waits until the whole burst is processed before its bytes go out: the
 * requests in flight move in lockstep and every round trip grows by the burst's CPU time
 * (measured: 56–65 ms round trips against a 50 ms provider, 1.25–1.3x the floor; paced,
 * 52–54 ms). Spread-out requests are also kinder to the provider.
 */
export class LaneScheduler<T> {
	private readonly results: Array<LaneResult<T>> = [];
	private readonly jobs: Array<() => Promise<T>> = [];
	private readonly lanes = new Map<string, { queue: number[]; busy: boolean }>();
	/** Lanes that may start their next job, ordered by that job's input index (a binary min-heap). */
	private readonly ready: Array<{ queue: number[]; busy: boolean }> = [];
	private running = 0;
	private closed = false;
	private settle: () => void = () => {};
	private readonly finished = new Promise<void>((resolve) => (this.settle = resolve));
	readonly concurrency: number;
	/** A start happened and the pause after it has not ended yet. */
	private spacing = false;
	/** Durations of the most recent jobs (2 × concurrency of them), in ms. */
	private readonly recent: number[] = [];

	constructor(
		concurrency: number,
		private readonly stopAt: () => number = () => Infinity,
		private readonly pacing?: LanePacing,
	) {
		this.concurrency = Math.max(1, Math.floor(concurrency) || 1);
	}

	/** Jobs that could start now if a slot were free (one per chat). */
	get waiting(): number {
		return this.ready.length;
	}

	add(index: number, key: string, run: () => Promise<T>): void {
		this.jobs[index] = run;
		this.results[index] = undefined;
		const lane = this.lanes.get(key) ?? { queue: [], busy: false };
		this.lanes.set(key, lane);
		lane.queue.push(index);
		if (!lane.busy && lane.queue.length === 1) this.push(lane);
		this.next();
	}

	/** No more jobs: resolves with every result, in input order, once all have run. */
	async done(): Promise<Array<LaneResult<T>>> {
		this.closed = true;
		this.next();
		await this.finished;
		return Array.from({ length: this.jobs.length }, (_unused, index) => this.results[index]);
	}

	/** The ready job with the lowest index may start: it comes before any stop. */
	private startable(): boolean {
		return this.ready.length > 0 && this.ready[0].queue[0] < this.stopAt();
	}

	private next(): void {
		while (this.running < this.concurrency && this.startable()) {
			if (this.spacing) return; // the pause after the last start calls next() when it ends
			if (this.pacing) this.space(this.pacing);
			const lane = this.pop()!;
			const index = lane.queue.shift()!;
			lane.busy = true;
			this.running++;
			const startedAt = this.pacing ? this.clock() : 0;
			this.jobs[index]()
				.then(
					(value) => {
						this.results[index] = { ok: true, value };
					},
					(error: unknown) => {
						this.results[index] = { ok: false, error };
					},
				)
				.finally(() => {
					if (this.pacing) {
						this.recent.push(this.clock() - startedAt);
						if (this.recent.length > 2 * this.concurrency) this.recent.shift();
					}
					this.running--;
					lane.busy = false;
					if (lane.queue.length) this.push(lane);
					this.next();
				});
		}
		// Lanes with work are all ready when nothing runs, and the heap's first is their lowest.
		if (this.closed && this.running === 0 && !this.startable()) this.settle();
	}

	private clock(): number {
		return this.pacing?.now?.() ?? performance.now();
	}

	/** Holds the next start until the event loop had a turn and the spacing has passed. */
	private space(pacing: LanePacing): void {
		this.spacing = true;
		const gap =
			this.recent.length >= this.concurrency
				? (START_SPACING * Math.min(...this.recent)) / this.concurrency
				: 0;
		void pacing.pause(gap).then(
			() => {
				this.spacing = false;
				this.next();
			},
			() => {
				this.spacing = false;
				this.next();
			},
		);
	}

	private push(lane: { queue: number[]; busy: boolean }): void {
		const heap = this.ready;
		heap.push(lane);
		for (let at = heap.length - 1; at > 0; ) {
			const parent = (at - 1) >> 1;
			if (heap[parent].queue[0] <= heap[at].queue[0]) break;
			[heap[parent], heap[at]] = [heap[at], heap[parent]];
			at = parent;
		}
	}

	private pop(): { queue: number[]; busy: boolean } | undefined {
		const heap = this.ready;
		const top = heap[0];
		const last = heap.pop();
		if (heap.length && last) {
			heap[0] = last;
			for (let at = 0; ; ) {
				const left = 2 * at + 1;
				const right = left + 1;
				let least = at;
				if (left < heap.length && heap[left].queue[0] < heap[least].queue[0]) least = left;
				if (right < heap.length && heap[right].queue[0] < heap[least].queue[0]) least = right;
				if (least === at) break;
				[heap[least], heap[at]] = [heap[at], heap[least]];
				at = least;
			}
		}
		return top;
	}
}

/** All jobs known up front: runs them through a LaneScheduler and returns results in input order. */
export async function runInLanes<T>(
	jobs: Array<{ key: string; run: () => Promise<T> }>,
	concurrency: number,
	stopAt: () => number = () => Infinity,
	pacing?: LanePacing,
): Promise<Array<LaneResult<T>>> {
	const scheduler = new LaneScheduler<T>(concurrency, stopAt, pacing);
	jobs.forEach((job, index) => scheduler.add(index, job.key, job.run));
	return await scheduler.done();
}
