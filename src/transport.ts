/**
 * Sends planned requests: serializes each body once, applies the provider's retry-safety
 * rules (design.md), waits out rate limits and backs off with jitter. The actual HTTP call
 * is a function the caller supplies (in n8n: httpRequestWithAuthentication), so n8n's
 * proxy/TLS settings and the credential's signing apply to the exact bytes sent.
 */
import { sleep } from 'n8n-workflow';

import { MAX_ANSWER_BYTES, redirectTarget } from './boundary';
import { ProviderError } from './errors';
import { header, obj } from './providers/adapter';
import type { Answer, HttpAnswer, PlannedRequest, ProviderAdapter } from './providers/adapter';
import type { OperationInput } from './operations';

export interface HttpRequest {
	method: string;
	path: string;
	/** The serialized JSON body: these exact bytes are signed and sent. */
	body?: string;
	headers: Record<string, string>;
	timeoutMs: number;
}

export interface HttpResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	/** The body text, already cut to the size cap and redacted by the gate. */
	body: string;
	/** The answer was larger than the size cap; `body` holds only its beginning. */
	oversize?: boolean;
	/** The URL the request went to (to resolve a relative Location in messages). */
	url?: string;
}

export type FailureKind = 'refused' | 'reset' | 'timeout' | 'other';

/** A request that got no HTTP answer. `refused` means it surely never reached the server. */
export class NetworkError extends Error {
	constructor(
		readonly kind: FailureKind,
		message: string,
	) {
		super(message);
		this.name = 'NetworkError';
	}
}

export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

export interface RetryOptions {
	/** Attempts per request, the first included. */
	maxAttempts: number;
	/** First backoff delay; doubles each attempt, with jitter. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** Per-request timeout. */
	timeoutMs: number;
	/**
	 * The ceiling on rate-limit waits: how long a credential may wait on rate limits without
	 * any of its requests getting through before the waiting requests give up (and the longest
	 * single wait a provider may ask for).
	 */
	maxRateLimitWaitMs: number;
	/** Where the user sets that ceiling, for the message (the node: "Options → Max Rate Limit Wait"). */
	maxRateLimitWaitSetting?: string;
}

export const DEFAULT_RETRY: RetryOptions = {
	maxAttempts: 4,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
	timeoutMs: 30_000,
	maxRateLimitWaitMs: 300_000,
};

export interface TransportHooks {
	sleep?: (ms: number) => Promise<void>;
	random?: () => number;
	now?: () => number;
	/** The rate budget shared by every request of this credential (see RateBudget). */
	budget?: RateBudget;
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
		if (Number.isFinite(ms) && ms > 0) this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
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
			this.recent.length >= this.concurrency ? (START_SPACING * Math.min(...this.recent)) / this.concurrency : 0;
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

function parseJson(text: string): unknown {
	if (!text) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Full-jitter exponential backoff between half and all of the doubled delay. */
function backoff(attempt: number, options: RetryOptions, random: () => number): number {
	const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const secondsText = (ms: number) => `${Math.ceil(ms / 1000).toLocaleString('en-US')} s`;

/**
 * A read changes nothing at the provider (Get Group, the pickers, the trigger's subscription
 * list); a write may change something (the five operations, creating or deleting a subscription).
 */
export type CallKind = 'read' | 'write';

/**
 * Operations that only read, with what they read in the user's words. Everything else the node
 * sends is a write and keeps the retry-safety table's words ("the change may have been applied").
 */
export const READ_OPERATIONS: Partial<Record<OperationInput['operation'], string>> = { get: 'read the group' };

/** "0.2 s", "2.5 s", "45 s", "5 min", "5 min 12 s". */
function durationText(ms: number): string {
	if (ms < 9_950) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	const rest = seconds % 60;
	return `${Math.floor(seconds / 60).toLocaleString('en-US')} min${rest ? ` ${rest} s` : ''}`;
}

/** How one request is judged: what it is for and whether it may be sent again. */
export interface CallSpec {
	/** The operation (or "call"), for the provider's words in errors. */
	operation: string;
	/**
	 * A read's failures speak of reading ("Linq: could not read the group: …"), never of a
	 * change that may have been applied; a read is always safe to send again.
	 */
	kind: CallKind;
	/** What the call does in the user's words; for a read it starts with "read" ("read the group list"). */
	purpose?: string;
	/** May the request be sent again after it may have reached the provider? */
	retrySafe: boolean;
	/** What a 2xx answer lacks for this operation, or undefined when it is a success. */
	check?: (answer: HttpAnswer) => string | undefined;
	/** A refusal that confirms an earlier attempt that may have been applied. */
	confirms?: (error: ProviderError) => boolean;
}

/** Sends one planned request with retries; never throws, returns the final Answer. */
export async function sendWithRetry(
	adapter: ProviderAdapter,
	input: OperationInput,
	request: PlannedRequest,
	send: HttpSend,
	options: RetryOptions = DEFAULT_RETRY,
	hooks: TransportHooks = {},
): Promise<Answer> {
	const reads = READ_OPERATIONS[input.operation];
	const spec: CallSpec = {
		operation: input.operation,
		kind: reads ? 'read' : 'write',
		purpose: reads,
		retrySafe: reads !== undefined || adapter.retryAfterAmbiguity[input.operation],
		check: (answer) => adapter.checkSuccess(input.operation, answer),
		confirms: (error) => adapter.confirmsEarlierAttempt?.(input.operation, error) ?? false,
	};
	return spoken(adapter, spec, await attempts(adapter, spec, request, send, options, hooks));
}

/** A read's purpose always starts with "read": "list the webhook subscriptions" → "read the webhook subscriptions". */
export function readingPurpose(purpose: string): string {
	const text = purpose.trim();
	return /^read\b/i.test(text) ? text : text.replace(/^\S+/, 'read');
}

/**
 * A read that failed says so in one sentence: "Periskope: could not read the group: no complete
 * answer within the 30 s timeout". (Writes keep the words attempts() gave them.)
 */
function spoken(adapter: ProviderAdapter, spec: CallSpec, answer: Answer): Answer {
	if (answer.ok || spec.kind !== 'read') return answer;
	const prefix = `${adapter.label}: `;
	const { message } = answer.error;
	const what = message.startsWith(prefix) ? message.slice(prefix.length) : message;
	answer.error.message = `${prefix}could not ${readingPurpose(spec.purpose ?? 'read the answer')}: ${what}`;
	return answer;
}

/** A read's 2xx must hold something (JSON is checked before this): an empty answer says nothing. */
function needsAnswer(answer: HttpAnswer): string | undefined {
	return answer.text.trim().length === 0 ? 'the answer was empty' : undefined;
}

/**
 * One provider call outside the five operations (lists, reads, webhook subscriptions), with
 * the same gate, rate-limit waits and retry rules. A read is safe to repeat and must answer
 * with something (an empty 2xx is a failure); its failures say what could not be read. A
 * write's failures keep the retry-safety words and end with "(while trying to …)".
 */
export async function sendOne(
	adapter: ProviderAdapter,
	request: PlannedRequest,
	send: HttpSend,
	spec: { purpose: string; kind?: CallKind; retrySafe: boolean; timeoutMs?: number; maxAttempts?: number },
	hooks: TransportHooks = {},
): Promise<Answer> {
	const options: RetryOptions = {
		...DEFAULT_RETRY,
		maxAttempts: spec.maxAttempts ?? 3,
		timeoutMs: spec.timeoutMs ?? DEFAULT_RETRY.timeoutMs,
		maxRateLimitWaitMs: 30_000,
	};
	const reading = spec.kind === 'read';
	const call: CallSpec = reading
		? { operation: 'read', kind: 'read', purpose: readingPurpose(spec.purpose), retrySafe: true, check: needsAnswer }
		: { operation: 'call', kind: 'write', purpose: spec.purpose, retrySafe: spec.retrySafe, check: () => undefined };
	const answer = spoken(adapter, call, await attempts(adapter, call, request, send, options, hooks));
	if (!answer.ok && !reading) answer.error.message = `${answer.error.message} (while trying to ${spec.purpose})`;
	return answer;
}

async function attempts(
	adapter: ProviderAdapter,
	spec: CallSpec,
	request: PlannedRequest,
	send: HttpSend,
	options: RetryOptions,
	hooks: TransportHooks,
): Promise<Answer> {
	const wait = hooks.sleep ?? sleep;
	const random = hooks.random ?? Math.random;
	const now = hooks.now ?? Date.now;
	const body = request.body === undefined ? undefined : JSON.stringify(request.body);
	const headers: Record<string, string> = { accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';
	const { label } = adapter;

	let maybeApplied = false;
	let lastError: ProviderError | undefined;
	let rateLimited = 0;
	// The rate-limit clock: the credential's (shared) or, without a shared budget, this request's.
	const { budget } = hooks;
	const limits = budget ?? new RateBudget(now);
	const ceiling = options.maxRateLimitWaitMs;
	for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
		const last = attempt === options.maxAttempts;
		// Wait while the credential is paused, but never past the rate-limit ceiling.
		for (let waitMs = budget?.waitMs() ?? 0; waitMs > 0; waitMs = budget?.waitMs() ?? 0) {
			const left = limits.leftOfMs(ceiling);
			if (left <= 0) break;
			await wait(Math.min(waitMs, left));
		}
		if (limits.leftOfMs(ceiling) <= 0) {
			return rateLimitCeiling(adapter, request, lastError, limits, options, attempt - 1, maybeApplied);
		}
		let response: HttpResponse;
		try {
			response = await send({
				method: request.method,
				path: request.path,
				body,
				headers: { ...headers },
				timeoutMs: options.timeoutMs,
			});
		} catch (error) {
			const failure =
				error instanceof NetworkError ? error : new NetworkError('other', 'the request failed');
			const surelyNotSent = failure.kind === 'refused';
			lastError = new ProviderError(adapter.id, networkMessage(label, failure, options.timeoutMs, spec.kind), {
				retryable: surelyNotSent || spec.retrySafe,
			});
			if (!surelyNotSent) maybeApplied = true;
			if (last || (!surelyNotSent && !spec.retrySafe)) {
				return failed(request, lastError, attempt, maybeApplied, spec.retrySafe);
			}
			await wait(backoff(attempt, options, random));
			continue;
		}

		const answer: HttpAnswer = {
			status: response.statusCode,
			headers: lowerCaseKeys(response.headers),
			text: typeof response.body === 'string' ? response.body : String(response.body ?? ''),
			json: undefined,
		};
		if (!response.oversize) answer.json = parseJson(answer.text);
		const success = answer.status >= 200 && answer.status < 300;
		const pace = adapter.paceMs?.(answer, now());
		if (pace !== undefined) budget?.pause(pace);
		if (answer.status !== 429) limits.through();

		if (answer.status >= 300 && answer.status < 400) {
			const target = redirectTarget(header(answer, 'location'), response.url ?? '');
			const error = new ProviderError(
				adapter.id,
				`${label}: the server answered with a redirect (HTTP ${answer.status}) to ${target}; redirects are not followed, so nothing was sent there. Check the Base URL in the ${label} credential.`,
				{ httpStatus: answer.status, retryable: false },
			);
			return { request, ok: false, error, attempts: attempt, retried: maybeApplied };
		}

		if (answer.status === 429) {
			lastError = adapter.toError(spec.operation, answer, request);
			const hints = adapter
				.rateLimitHintsMs(answer, now())
				.filter((hint) => Number.isFinite(hint) && hint > 0);
			const asked = hints.length ? Math.max(...hints) : undefined;
			limits.limited(asked);
			if (asked !== undefined && asked > ceiling) {
				lastError.message += `; ${label} asked to wait ${secondsText(asked)}, longer than the ${secondsText(
					ceiling,
				)}${options.maxRateLimitWaitSetting ? ` of ${options.maxRateLimitWaitSetting}` : ' this node waits'}, so it gave up at once — try again later`;
				return { request, ok: false, error: lastError, attempts: attempt, retried: maybeApplied };
			}
			// A 429 is not an attempt, and there is no count of them: the ceiling bounds the wait.
			rateLimited++;
			const delay = Math.max(asked ?? backoff(rateLimited, options, random), 1);
			// Everyone on this credential waits, not just this request.
			if (budget) budget.pause(delay);
			else await wait(Math.min(delay, Math.max(0, limits.leftOfMs(ceiling))));
			attempt--;
			continue;
		}

		if (success && obj(answer.json).success === false) {
			// A 2xx envelope that says failure is a refusal, whatever its status line says.
			const error = adapter.toError(spec.operation, answer, request);
			return { request, ok: false, error, attempts: attempt, retried: maybeApplied };
		}

		if (success) {
			const problem = response.oversize
				? `the answer was larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was not read`
				: answer.text.trim().length > 0 && answer.json === undefined
					? spec.kind === 'read'
						? 'the answer was not JSON'
						: 'the answer could not be read (not valid JSON)'
					: spec.check?.(answer);
			if (!problem) {
				return { request, ok: true, response: answer, attempts: attempt, retried: maybeApplied };
			}
			// A 2xx that does not say what happened: a change may have been applied (a read changed nothing).
			maybeApplied = true;
			lastError = new ProviderError(
				adapter.id,
				spec.kind === 'read' ? `${label}: ${problem}` : `${label}: ${problem}; the change may have been applied`,
				{
					httpStatus: answer.status,
					providerMessage: answer.json === undefined ? answer.text.slice(0, 200) : undefined,
					body: answer.json ?? answer.text.slice(0, 500),
					traceId: header(answer, 'x-trace-id') ?? header(answer, 'x-periskope-trace-id'),
				},
			);
			if (last || !spec.retrySafe) {
				return failed(request, lastError, attempt, maybeApplied, spec.retrySafe);
			}
			await wait(backoff(attempt, options, random));
			continue;
		}

		if (response.oversize) answer.text = answer.text.slice(0, 2000);
		const error = adapter.toError(spec.operation, answer, request);
		if (maybeApplied && spec.confirms?.(error)) {
			return { request, ok: true, response: answer, attempts: attempt, retried: true };
		}
		if (answer.status >= 500) {
			maybeApplied = true;
			lastError = error;
			const providerSaysRetry = error.details.retryable !== false;
			if (!last && spec.retrySafe && providerSaysRetry) {
				await wait(backoff(attempt, options, random));
				continue;
			}
			return failed(request, error, attempt, maybeApplied, spec.retrySafe);
		}
		return { request, ok: false, error, attempts: attempt, retried: maybeApplied };
	}
	/* istanbul ignore next: the loop always returns */
	return failed(request, lastError!, options.maxAttempts, maybeApplied, spec.retrySafe);
}

/**
 * The credential has waited `maxRateLimitWaitMs` on rate limits and none of its requests got
 * through: this request gives up, saying how long was waited and what the provider last asked.
 */
function rateLimitCeiling(
	adapter: ProviderAdapter,
	request: PlannedRequest,
	lastError: ProviderError | undefined,
	limits: RateBudget,
	options: RetryOptions,
	attempts: number,
	maybeApplied: boolean,
): Answer {
	const { label } = adapter;
	const asked =
		limits.lastHintMs === undefined
			? `${label} gave no wait time that could be read`
			: `${label} last asked to wait ${durationText(limits.lastHintMs)}`;
	const setting = options.maxRateLimitWaitSetting ? ` (${options.maxRateLimitWaitSetting})` : '';
	const message = `${label}: still rate limited after waiting ${durationText(
		limits.limitedForMs(),
	)}, and no request of this credential got through in that time (${asked}); the node stops waiting after ${durationText(
		options.maxRateLimitWaitMs,
	)}${setting} — try again later`;
	const error =
		lastError?.details.httpStatus === 429
			? lastError
			: new ProviderError(adapter.id, message, { httpStatus: 429, retryable: true });
	error.message = message;
	return { request, ok: false, error, attempts, retried: maybeApplied };
}

function failed(
	request: PlannedRequest,
	error: ProviderError,
	attempts: number,
	maybeApplied: boolean,
	retrySafe: boolean,
): Answer {
	if (maybeApplied && !retrySafe) {
		error.message +=
			' — not retried automatically, because repeating this operation could apply it twice; check the chat before running it again';
	} else if (attempts > 1) {
		error.message += ` (gave up after ${attempts} attempts)`;
	}
	return { request, ok: false, error, attempts, retried: maybeApplied };
}

function networkMessage(label: string, failure: NetworkError, timeoutMs: number, kind: CallKind): string {
	if (kind === 'read') {
		// spoken() adds what could not be read: "Linq: could not read the group list: …"
		switch (failure.kind) {
			case 'refused':
				return `${label}: the server could not be reached`;
			case 'timeout':
				return `${label}: no complete answer within the ${secondsText(timeoutMs)} timeout`;
			case 'reset':
				return `${label}: the connection was closed before an answer arrived`;
			default:
				return `${label}: the request failed without an answer (${failure.message})`;
		}
	}
	switch (failure.kind) {
		case 'refused':
			return `${label}: could not connect to the server`;
		case 'timeout':
			return `${label}: no complete answer within the ${secondsText(timeoutMs)} timeout; the change may or may not have been applied`;
		case 'reset':
			return `${label}: the connection was closed before an answer arrived; the change may or may not have been applied`;
		default:
			return `${label}: the request failed without an answer (${failure.message})`;
	}
}

function lowerCaseKeys(
	headers: Record<string, string | string[] | undefined> | undefined,
): Record<string, string | string[] | undefined> {
	const result: Record<string, string | string[] | undefined> = {};
	for (const [key, value] of Object.entries(headers ?? {})) result[key.toLowerCase()] = value;
	return result;
}

/** Runs every planned request of one operation in order and returns their answers. */
export async function runPlan(
	adapter: ProviderAdapter,
	input: OperationInput,
	send: HttpSend,
	options: RetryOptions = DEFAULT_RETRY,
	hooks: TransportHooks = {},
): Promise<Answer[]> {
	const answers: Answer[] = [];
	for (const request of adapter.plan(input)) {
		answers.push(await sendWithRetry(adapter, input, request, send, options, hooks));
	}
	return answers;
}

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_BAD_RESPONSE']);

/**
 * Classifies an error thrown by an HTTP client (axios inside n8n, possibly wrapped in n8n's
 * NodeApiError) by its code alone. Nothing else of the error is kept: wrapped errors carry
 * the request options, Authorization header included.
 */
export function classifyNetworkFailure(error: unknown): NetworkError {
	const codes: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const record = current as Record<string, unknown>;
		for (const key of ['code', 'errno']) {
			if (typeof record[key] === 'string') codes.push(record[key] as string);
		}
		const message = typeof record.message === 'string' ? record.message : '';
		// n8n's wrapped errors keep the message ("connect ECONNREFUSED 127.0.0.1:9") but not the code.
		codes.push(...(message.match(/\b(E[A-Z_]{3,}|UND_ERR_[A-Z_]+)\b/g) ?? []));
		if (/socket hang up/i.test(message)) codes.push('ECONNRESET');
		if (/timeout of \d+ms exceeded|timed? ?out/i.test(message)) codes.push('ECONNABORTED');
		current = record.cause;
	}
	const code = codes.find((entry) => REFUSED.has(entry) || TIMEOUT.has(entry) || RESET.has(entry));
	if (code && REFUSED.has(code)) return new NetworkError('refused', code);
	if (code && TIMEOUT.has(code)) return new NetworkError('timeout', code);
	if (code && RESET.has(code)) return new NetworkError('reset', code);
	return new NetworkError('other', codes[0] ?? 'unknown network error');
}
