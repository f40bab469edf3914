/**
 * The rules of the one gate between the transport and the network, free of n8n: how much of
 * an answer is read (after decompression) and for how long, what a path segment and a Base URL
 * may be, and how much of an answer an item keeps. Redaction by value is in ./redaction.
 */
import { InputError } from './errors';

/** The most of one answer that is read, after decompression: 1 MiB. Larger answers are cut off. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The most of one answer kept in an output item's `raw` (characters of its JSON). */
export const MAX_RAW_CHARS = 16 * 1024;

/** A readable byte stream as n8n's request helper hands it over (Node's IncomingMessage). */
export interface ByteStream {
	on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
	on(event: 'end' | 'close', listener: () => void): unknown;
	on(event: 'error', listener: (error: unknown) => void): unknown;
	destroy(error?: Error): unknown;
}

export function isByteStream(value: unknown): value is ByteStream {
	return (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as ByteStream).on === 'function' &&
		typeof (value as ByteStream).destroy === 'function'
	);
}

export interface BodyRead {
	text: string;
	/** The answer was larger than the cap: `text` holds only its first bytes. */
	oversize: boolean;
	bytes: number;
}

/** Thrown when the deadline passes while an answer is still arriving. */
export class DeadlineError extends Error {
	constructor() {
		super('deadline');
		this.name = 'DeadlineError';
	}
}

/**
 * Reads a body stream under a byte cap and a hard deadline. A server that drips one byte a
 * second cannot extend the deadline; a body (or a gzip bomb) larger than the cap is cut off
 * and the connection closed.
 */
export async function readCapped(
	stream: ByteStream,
	maxBytes: number,
	deadlineAtMs: number,
	now: () => number = Date.now,
): Promise<BodyRead> {
	return await new Promise<BodyRead>((resolve, reject) => {
		const chunks: Uint8Array[] = [];
		let bytes = 0;
		let settled = false;
		// AbortSignal.timeout: a deadline timer that never keeps the process alive on its own.
		const deadline = AbortSignal.timeout(Math.max(0, deadlineAtMs - now()));
		const finish = (result: BodyRead | Error) => {
			if (settled) return;
			settled = true;
			deadline.removeEventListener('abort', expire);
			if (result instanceof Error) reject(result);
			else resolve(result);
		};
		const expire = () => {
			stream.destroy();
			finish(new DeadlineError());
		};
		deadline.addEventListener('abort', expire);
		stream.on('data', (chunk) => {
			if (settled) return;
			const data = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
			const room = maxBytes - bytes;
			if (data.length > room) {
				chunks.push(data.subarray(0, Math.max(0, room)));
				bytes += data.length;
				stream.destroy();
				finish({ text: decode(chunks), oversize: true, bytes });
				return;
			}
			chunks.push(data);
			bytes += data.length;
		});
		stream.on('end', () => finish({ text: decode(chunks), oversize: false, bytes }));
		stream.on('close', () => finish({ text: decode(chunks), oversize: false, bytes }));
		stream.on('error', (error) =>
			finish(error instanceof Error ? error : new Error(String(error))),
		);
	});
}

/**
 * Waits for `promise` until `ms` have passed: its value, its error, or `timedOut` (the promise
 * keeps running; the caller closes whatever it brings later).
 */
export async function withDeadline<T>(
	promise: Promise<T>,
	ms: number,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | { timedOut: true }> {
	const deadline = AbortSignal.timeout(Math.max(0, ms));
	let expire: () => void = () => {};
	const expired = new Promise<{ timedOut: true }>((resolve) => {
		expire = () => resolve({ timedOut: true });
		deadline.addEventListener('abort', expire);
	});
	try {
		return await Promise.race([
			promise.then(
				(value) => ({ ok: true as const, value }),
				(error: unknown) => ({ ok: false as const, error }),
			),
			expired,
		]);
	} finally {
		deadline.removeEventListener('abort', expire);
	}
}

function decode(chunks: Uint8Array[]): string {
	const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
	const all = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		all.set(chunk, offset);
		offset += chunk.length;
	}
	return new TextDecoder('utf-8').decode(all);
}

function safeDecode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

/** True for values that are, or decode (even repeatedly) to, the path segments `.` or `..`. */
export function isDotSegment(value: string): boolean {
	let current = value;
	for (let depth = 0; depth < 4; depth++) {
		if (/^\s*\.{1,2}\s*$/.test(current)) return true;
		const next = safeDecode(current);
		if (next === current) break;
		current = next;
	}
	return false;
}

/**
 * A chat ID or address as exactly one encoded path segment. Dot segments and empty values are
 * refused: they would move the request to another route (`/chats/..` → `/`).
 */
export function segment(value: string, field = 'chatId'): string {
	if (value.length === 0 || isDotSegment(value)) {
		throw new InputError(
			`"${value}" cannot be used as an ID (it would change the request’s route)`,
			field,
			value,
		);
	}
	return encodeURIComponent(value);
}

/** The credential's Base URL, checked: http(s), no user info, query or fragment. */
export function checkBaseUrl(value: unknown, label: string): { root: string; origin: string } {
	const text = typeof value === 'string' ? value.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url)
		throw new InputError(`${label} credential: Base URL "${text}" is not a URL`, 'baseUrl', text);
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new InputError(`${label} credential: Base URL must start with https://`, 'baseUrl', text);
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new InputError(
			`${label} credential: Base URL must not contain a user name, password, query or fragment`,
			'baseUrl',
			text,
		);
	}
	return { root: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, origin: url.origin };
}

/** The origin of a Location header, resolved against the request URL, for error messages. */
export function redirectTarget(location: string | undefined, requestUrl: string): string {
	if (!location) return 'an unnamed location';
	try {
		return new URL(location, requestUrl).origin;
	} catch {
		return 'an unreadable location';
	}
}

/**
 * A provider answer as kept in `raw`: whole when small, otherwise cut to a preview that
 * says how large the answer was.
 */
export function capRaw(value: unknown): unknown {
	if (value === undefined) return null;
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	if (text === undefined || text.length <= MAX_RAW_CHARS) return value;
	return {
		truncated: true,
		note: `the answer was ${text.length.toLocaleString('en-US')} characters; only the first ${(
			MAX_RAW_CHARS / 4
		).toLocaleString('en-US')} are kept`,
		preview: text.slice(0, MAX_RAW_CHARS / 4),
	};
}
