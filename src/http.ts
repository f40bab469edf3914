/**
 * The one request shape every part of the package speaks — an operation's planned requests,
 * the pickers' reads, the trigger's subscription calls — and the answers that come back.
 */
import type { ProviderError } from './errors';
import { obj } from './json';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A read changes nothing at the provider; a write may change something. */
export type RequestKind = 'read' | 'write';

/** One HTTP request to a provider. The transport serializes `body` exactly once. */
export interface ProviderRequest {
	method: HttpMethod;
	/** Path below the credential's Base URL, starting with "/"; each variable part encoded with `segment()`. */
	path: string;
	/** Query parameters; undefined and empty values are left out. */
	query?: Record<string, string | number | boolean | undefined>;
	body?: unknown;
	/**
	 * A read changes nothing (the pickers, Get Group, listing subscriptions): it is always safe to
	 * send again, and its failures speak of reading. Default: GET is a read, anything else a write.
	 */
	kind?: RequestKind;
	/**
	 * What the request does, in the user's words, for messages: a read's starts with "read"
	 * ("read the group list"), a write's says the change ("create the webhook subscription").
	 */
	purpose?: string;
	/** The participant this request is for, when the provider takes one address per call. */
	address?: string;
	/** The participants this request is for, when the provider takes lists (a chunk of them). */
	addresses?: string[];
}

/** Whether a request only reads. */
export function isRead(request: ProviderRequest): boolean {
	return (request.kind ?? (request.method === 'GET' ? 'read' : 'write')) === 'read';
}

/** The request's path with its query string (empty values left out). */
export function pathWithQuery(request: Pick<ProviderRequest, 'path' | 'query'>): string {
	const query = Object.entries(request.query ?? {}).filter(
		([, value]) => value !== undefined && value !== '',
	);
	if (query.length === 0) return request.path;
	const text = new URLSearchParams(
		query.map(([key, value]): [string, string] => [key, String(value)]),
	).toString();
	return `${request.path}?${text}`;
}

/** An HTTP answer as received: status, headers (lower-case names) and the body text. */
export interface HttpAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	/** The body parsed as JSON, or undefined when it is not JSON. */
	json: unknown;
}

/** The final outcome of one request, after retries. */
export type Answer =
	| { request: ProviderRequest; ok: true; response: HttpAnswer; attempts: number; retried: boolean }
	| {
			request: ProviderRequest;
			ok: false;
			error: ProviderError;
			attempts: number;
			retried: boolean;
	  };

/** Reads a header case-insensitively as one string. */
export function header(answer: HttpAnswer, name: string): string | undefined {
	const value = answer.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** A Retry-After header value (seconds or HTTP date) in ms from now; negative when past. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
	if (!value) return undefined;
	const trimmed = value.trim();
	if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : date - nowMs;
}

/** A 2xx body that is not a JSON object (empty, a list, text) cannot say what happened. */
export function needsObject(answer: HttpAnswer): string | undefined {
	if (answer.text.trim().length === 0) return 'the answer was empty';
	if (answer.json === null || typeof answer.json !== 'object' || Array.isArray(answer.json)) {
		return 'the answer was not a JSON object';
	}
	return undefined;
}

/** An envelope that says failure in a 2xx (`{"success": false, …}`). */
export function saysFailure(answer: HttpAnswer): boolean {
	return obj(answer.json).success === false;
}
