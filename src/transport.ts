/**
 * Sends one request to a provider with retries: serializes the body once (those exact bytes are
 * signed and sent), applies the provider's retry-safety rules (docs/architecture.md), waits out rate limits
 * on the credential's shared budget and backs off with jitter. The HTTP call itself is the
 * gate the caller supplies (in n8n: httpRequestWithAuthentication), so n8n's proxy and TLS
 * settings and the credential's signing apply to the exact bytes sent. Reads and writes speak
 * differently when they fail: a read never says a change may have been applied.
 */
import { MAX_ANSWER_BYTES, redirectTarget } from './boundary';
import { ProviderError } from './errors';
import { header, isRead, pathWithQuery, saysFailure } from './http';
import type { Answer, HttpAnswer, ProviderRequest } from './http';
import { RateBudget } from './lanes';
import { NetworkError } from './network';
import type { HttpResponse, HttpSend } from './network';
import type { ProviderAdapter } from './providers/contract';
import type { Operation } from './types';

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
	/** Waits `ms` (in n8n: n8n-workflow's `sleep`; tests pass a clock of their own). */
	sleep: (ms: number) => Promise<void>;
	random?: () => number;
	now?: () => number;
	/** The rate budget shared by every request of this credential (see RateBudget). */
	budget?: RateBudget;
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
	read: boolean;
	/** What the call does in the user's words; for a read it starts with "read" ("read the group list"). */
	purpose?: string;
	/** May the request be sent again after it may have reached the provider? */
	retrySafe: boolean;
	/** What a 2xx answer lacks for this operation, or undefined when it is a success. */
	check?: (answer: HttpAnswer) => string | undefined;
	/** A refusal that confirms an earlier attempt that may have been applied. */
	confirms?: (error: ProviderError) => boolean;
}

/**
 * One request of an operation, with retries; never throws, returns the final Answer. A read
 * (Get Group) is always safe to repeat; a write follows the provider's retry-safety table.
 */
export async function sendWithRetry(
	adapter: ProviderAdapter,
	operation: Operation,
	request: ProviderRequest,
	send: HttpSend,
	options: RetryOptions,
	hooks: TransportHooks,
): Promise<Answer> {
	const read = isRead(request);
	const spec: CallSpec = {
		operation,
		read,
		purpose: request.purpose,
		retrySafe: read || adapter.retryAfterAmbiguity[operation] === true,
		check: (answer) => adapter.checkSuccess(operation, answer),
		confirms: (error) => adapter.confirmsEarlierAttempt?.(operation, error) ?? false,
	};
	return spoken(adapter, spec, await attempts(adapter, spec, request, send, options, hooks));
}

/**
 * A read that failed says so in one sentence: "Periskope: could not read the group: no complete
 * answer within the 30 s timeout". (Writes keep the words attempts() gave them.)
 */
function spoken(adapter: ProviderAdapter, spec: CallSpec, answer: Answer): Answer {
	if (answer.ok || !spec.read) return answer;
	const prefix = `${adapter.label}: `;
	const { message } = answer.error;
	const what = message.startsWith(prefix) ? message.slice(prefix.length) : message;
	answer.error.message = `${prefix}could not ${spec.purpose ?? 'read the answer'}: ${what}`;
	return answer;
}

/** A read's 2xx must hold something (JSON is checked before this): an empty answer says nothing. */
function needsAnswer(answer: HttpAnswer): string | undefined {
	return answer.text.trim().length === 0 ? 'the answer was empty' : undefined;
}

/**
 * One provider call outside the operations (the pickers' reads, the trigger's subscriptions),
 * with the same gate, rate-limit waits and retry rules. A read is safe to repeat and must answer
 * with something (an empty 2xx is a failure); its failures say what could not be read. A write
 * is sent again only when it surely did not arrive, and its failures end with "(while trying
 * to …)".
 */
export async function sendCall(
	adapter: ProviderAdapter,
	request: ProviderRequest,
	send: HttpSend,
	limits: { timeoutMs?: number; maxAttempts?: number },
	hooks: TransportHooks,
): Promise<Answer> {
	const options: RetryOptions = {
		...DEFAULT_RETRY,
		maxAttempts: limits.maxAttempts ?? 3,
		timeoutMs: limits.timeoutMs ?? DEFAULT_RETRY.timeoutMs,
		maxRateLimitWaitMs: 30_000,
	};
	const read = isRead(request);
	const purpose = request.purpose ?? (read ? 'read the answer' : 'send the request');
	const spec: CallSpec = read
		? { operation: 'read', read, purpose, retrySafe: true, check: needsAnswer }
		: { operation: 'call', read, purpose, retrySafe: false, check: () => undefined };
	const answer = spoken(
		adapter,
		spec,
		await attempts(adapter, spec, request, send, options, hooks),
	);
	if (!answer.ok && !read)
		answer.error.message = `${answer.error.message} (while trying to ${purpose})`;
	return answer;
}

async function attempts(
	adapter: ProviderAdapter,
	spec: CallSpec,
	request: ProviderRequest,
	send: HttpSend,
	options: RetryOptions,
	hooks: TransportHooks,
): Promise<Answer> {
	const wait = hooks.sleep;
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
			return rateLimitCeiling(
				adapter,
				request,
				lastError,
				limits,
				options,
				attempt - 1,
				maybeApplied,
			);
		}
		let response: HttpResponse;
		try {
			response = await send({
				method: request.method,
				path: pathWithQuery(request),
				body,
				headers: { ...headers },
				timeoutMs: options.timeoutMs,
			});
		} catch (error) {
			const failure =
				error instanceof NetworkError ? error : new NetworkError('other', 'the request failed');
			const surelyNotSent = failure.kind === 'refused';
			lastError = new ProviderError(
				adapter.id,
				networkMessage(label, failure, options.timeoutMs, spec.read),
				{
					retryable: surelyNotSent || spec.retrySafe,
				},
			);
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

		if (success && saysFailure(answer)) {
			// A 2xx envelope that says failure is a refusal, whatever its status line says.
			const error = adapter.toError(spec.operation, answer, request);
			return { request, ok: false, error, attempts: attempt, retried: maybeApplied };
		}

		if (success) {
			const problem = response.oversize
				? `the answer was larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was not read`
				: answer.text.trim().length > 0 && answer.json === undefined
					? spec.read
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
				spec.read
					? `${label}: ${problem}`
					: `${label}: ${problem}; the change may have been applied`,
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
	request: ProviderRequest,
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
	request: ProviderRequest,
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

function networkMessage(
	label: string,
	failure: NetworkError,
	timeoutMs: number,
	read: boolean,
): string {
	if (read) {
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
