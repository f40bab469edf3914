/**
 * Small helpers shared by the sandbox emulators: replies, deterministic ids, JSON parsing,
 * address checks and a fixed-window rate limiter.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HandlerInput, Reply } from './types';

export function jsonReply(
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): Reply {
	return {
		status,
		headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
		body: JSON.stringify(body),
	};
}

/** A UUID v4-shaped id derived from a seed string (deterministic, no randomness). */
export function deterministicUuid(seed: string): string {
	const hex = createHash('sha256').update(seed).digest('hex');
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return [
		hex.slice(0, 8),
		hex.slice(8, 12),
		`4${hex.slice(13, 16)}`,
		`${variant}${hex.slice(17, 20)}`,
		hex.slice(20, 32),
	].join('-');
}

/** Lowercase hex derived from a seed string. */
export function deterministicHex(seed: string, length: number): string {
	return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

export function iso(ms: number): string {
	return new Date(ms).toISOString();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses a JSON body; an empty body parses as {}. */
export function parseJsonBody(raw: Buffer): ParsedBody {
	const text = raw.toString('utf8');
	if (text.trim() === '') return { ok: true, value: {} };
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch (error) {
		return { ok: false, reason: error instanceof Error ? error.message : 'invalid JSON' };
	}
}

/** Stable JSON (object keys sorted) used to compare request bodies for idempotency. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isRecord(value)) {
		const keys = Object.keys(value).sort();
		return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export const E164 = /^\+[1-9]\d{7,14}$/;
export const EMAIL = /^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/;
export const DIGITS = /^[1-9]\d{7,14}$/;

export function isE164(value: unknown): value is string {
	return typeof value === 'string' && E164.test(value);
}

export function isE164OrEmail(value: unknown): value is string {
	return typeof value === 'string' && (E164.test(value) || EMAIL.test(value));
}

/** True when a text contains something a messenger would turn into a link. */
export function containsUrl(text: string): boolean {
	return (
		/\bhttps?:\/\//i.test(text) ||
		/\bwww\.[^\s]+/i.test(text) ||
		/\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io|app|co|dev|me|ly|us|uk|info|biz|ai)\b(\/\S*)?/i.test(
			text,
		)
	);
}

export function isHttpsUrl(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	try {
		const url = new URL(value);
		return url.protocol === 'https:' && url.hostname.length > 0;
	} catch {
		return false;
	}
}

export function isHttpUrl(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	try {
		const url = new URL(value);
		return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.length > 0;
	} catch {
		return false;
	}
}

/** Constant-time string comparison (hashes first so lengths never leak or throw). */
export function safeEqual(a: string, b: string): boolean {
	const ha = createHash('sha256').update(a).digest();
	const hb = createHash('sha256').update(b).digest();
	return timingSafeEqual(ha, hb);
}

/** First value of a request header. */
export function header(input: HandlerInput, name: string): string | undefined {
	const value = input.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

export function bearerToken(input: HandlerInput): string | undefined {
	const auth = header(input, 'authorization');
	if (!auth) return undefined;
	const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
	return match ? match[1] : '';
}

/** A fixed-window request counter. */
export class FixedWindowLimiter {
	private started = false;
	private windowStart = 0;
	private count = 0;

	constructor(
		readonly limit: number,
		private readonly windowMs: number,
		/** Windows start at multiples of windowMs on the clock (a counter per clock window). */
		private readonly aligned = false,
	) {}

	private roll(now: number): void {
		if (!this.started || now >= this.windowStart + this.windowMs || now < this.windowStart) {
			this.started = true;
			this.windowStart = this.aligned ? Math.floor(now / this.windowMs) * this.windowMs : now;
			this.count = 0;
		}
	}

	/** Counts one request; limited when it is past the limit. */
	hit(now: number): { limited: boolean; remaining: number; resetAtMs: number } {
		this.roll(now);
		this.count += 1;
		return {
			limited: this.count > this.limit,
			remaining: Math.max(0, this.limit - this.count),
			resetAtMs: this.windowStart + this.windowMs,
		};
	}

	/** The current window without counting. */
	peek(now: number): { remaining: number; resetAtMs: number } {
		this.roll(now);
		return {
			remaining: Math.max(0, this.limit - this.count),
			resetAtMs: this.windowStart + this.windowMs,
		};
	}

	reset(): void {
		this.started = false;
		this.windowStart = 0;
		this.count = 0;
	}
}

/** A tiny path router over decoded segments; ':name' segments capture. */
export interface Route<T> {
	method: string;
	pattern: string;
	handler: T;
}

export function matchRoute<T>(
	routes: Array<Route<T>>,
	method: string,
	segments: string[],
): { handler: T; params: Record<string, string> } | undefined {
	for (const route of routes) {
		if (route.method !== method.toUpperCase()) continue;
		const parts = route.pattern.split('/').filter(Boolean);
		if (parts.length !== segments.length) continue;
		const params: Record<string, string> = {};
		let ok = true;
		for (let i = 0; i < parts.length; i++) {
			if (parts[i].startsWith(':')) params[parts[i].slice(1)] = segments[i];
			else if (parts[i] !== segments[i]) {
				ok = false;
				break;
			}
		}
		if (ok) return { handler: route.handler, params };
	}
	return undefined;
}
