/**
 * Sends planned requests: serializes each body once, applies the provider's retry-safety
 * rules (design.md), waits out rate limits and backs off with jitter. The actual HTTP call
 * is a function the caller supplies (in n8n: httpRequestWithAuthentication), so n8n's
 * proxy/TLS settings and the credential's signing apply to the exact bytes sent.
 */
import { sleep } from 'n8n-workflow';

import { ProviderError } from './errors';
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
	body: string;
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
	/** The longest a rate-limit wait may be before giving up. */
	maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
	maxAttempts: 4,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
	timeoutMs: 30_000,
	maxRateLimitWaitMs: 120_000,
};

export interface TransportHooks {
	sleep?: (ms: number) => Promise<void>;
	random?: () => number;
	now?: () => number;
}

function parseJson(text: string): unknown {
	if (!text) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function looksLikeJson(answer: HttpAnswer): boolean {
	return answer.text.length === 0 || answer.json !== undefined;
}

/** Full-jitter exponential backoff between half and all of the doubled delay. */
function backoff(attempt: number, options: RetryOptions, random: () => number): number {
	const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
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
	const wait = hooks.sleep ?? sleep;
	const random = hooks.random ?? Math.random;
	const now = hooks.now ?? Date.now;
	const body = request.body === undefined ? undefined : JSON.stringify(request.body);
	const headers: Record<string, string> = { accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';
	const safeAfterAmbiguity = adapter.retryAfterAmbiguity[input.operation];

	let maybeApplied = false;
	let lastError: ProviderError | undefined;
	for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
		const last = attempt === options.maxAttempts;
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
			lastError = new ProviderError(adapter.id, networkMessage(adapter.label, failure), {
				retryable: surelyNotSent || safeAfterAmbiguity,
			});
			if (!surelyNotSent) maybeApplied = true;
			if (last || (!surelyNotSent && !safeAfterAmbiguity)) {
				return failed(request, lastError, attempt, maybeApplied, safeAfterAmbiguity);
			}
			await wait(backoff(attempt, options, random));
			continue;
		}

		const answer: HttpAnswer = {
			status: response.statusCode,
			headers: lowerCaseKeys(response.headers),
			text: typeof response.body === 'string' ? response.body : JSON.stringify(response.body),
			json: undefined,
		};
		answer.json = parseJson(answer.text);

		if (answer.status === 429) {
			lastError = adapter.toError(input, answer, request);
			const asked = adapter.rateLimitWaitMs(answer, now());
			const delay = asked ?? backoff(attempt, options, random);
			if (last || delay > options.maxRateLimitWaitMs) {
				return failed(request, lastError, attempt, maybeApplied, true);
			}
			await wait(Math.max(delay, 1));
			continue;
		}

		if (answer.status >= 200 && answer.status < 300) {
			if (looksLikeJson(answer)) {
				return { request, ok: true, response: answer, attempts: attempt, retried: maybeApplied };
			}
			// A 2xx whose body is unreadable: the change was probably applied.
			maybeApplied = true;
			lastError = new ProviderError(
				adapter.id,
				`${adapter.label}: the answer could not be read (not valid JSON); the change may have been applied`,
				{ httpStatus: answer.status, providerMessage: answer.text.slice(0, 200) },
			);
			if (last || !safeAfterAmbiguity) {
				return failed(request, lastError, attempt, maybeApplied, safeAfterAmbiguity);
			}
			await wait(backoff(attempt, options, random));
			continue;
		}

		const error = adapter.toError(input, answer, request);
		if (maybeApplied && adapter.confirmsEarlierAttempt?.(input, error)) {
			return { request, ok: true, response: answer, attempts: attempt, retried: true };
		}
		if (answer.status >= 500) {
			maybeApplied = true;
			lastError = error;
			const providerSaysRetry = error.details.retryable !== false;
			if (!last && safeAfterAmbiguity && providerSaysRetry) {
				await wait(backoff(attempt, options, random));
				continue;
			}
			return failed(request, error, attempt, maybeApplied, safeAfterAmbiguity);
		}
		return { request, ok: false, error, attempts: attempt, retried: maybeApplied };
	}
	/* istanbul ignore next: the loop always returns */
	return failed(request, lastError!, options.maxAttempts, maybeApplied, safeAfterAmbiguity);
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

function networkMessage(label: string, failure: NetworkError): string {
	switch (failure.kind) {
		case 'refused':
			return `${label}: could not connect to the server`;
		case 'timeout':
			return `${label}: no answer before the timeout; the change may or may not have been applied`;
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
