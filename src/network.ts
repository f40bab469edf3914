/**
 * The contract between the transport and the one gate (the node's request helper), and the
 * network-error taxonomy: a request that got no HTTP answer is refused (surely never sent),
 * reset, timed out or other, read from the HTTP client's error code alone.
 */

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

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set([
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'UND_ERR_HEADERS_TIMEOUT',
]);
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
