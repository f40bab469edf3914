/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tool, not shipped in dist */
/**
 * HTTP helpers for the sandbox tests: one small client per provider (auth included) over
 * undici's `request`.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { DEMO, type Sandbox } from '../../src/sandbox';

/** Response bodies are asserted by shape in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test convenience
export type Json = any;

export interface Res {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json: Json;
}

export interface CallOptions {
	method?: string;
	headers?: Record<string, string>;
	/** A string is sent as is; anything else is JSON-serialized once. */
	body?: unknown;
	/** Abort the request (e.g. AbortSignal.timeout(ms)) to play a client that gives up. */
	signal?: AbortSignal;
}

export function serialize(body: unknown): string | undefined {
	if (body === undefined) return undefined;
	return typeof body === 'string' ? body : JSON.stringify(body);
}

export async function call(url: string, options: CallOptions = {}): Promise<Res> {
	const body = serialize(options.body);
	const headers: Record<string, string> = { ...(options.headers ?? {}) };
	if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
		headers['content-type'] = 'application/json';
	}
	const response = await request(url, {
		method: (options.method ?? 'GET') as 'GET',
		headers,
		body,
		signal: options.signal,
	});
	const text = await response.body.text();
	let json: Json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.statusCode, headers: response.headers, text, json };
}

export function chertSignature(
	rawBody: string,
	ts: number,
	secret: string = DEMO.chert.signingSecret,
): string {
	const hex = createHmac('sha256', secret).update(`${ts}.${rawBody}`).digest('hex');
	return `v1,${ts},${hex}`;
}

export interface ChertOptions {
	/** Default 'hmac'. */
	auth?: 'hmac' | 'bearer' | 'none';
	ts?: number;
	secret?: string;
	tenant?: string | null;
	headers?: Record<string, string>;
}

/** A signed (or bearer) Chert call; the exact bytes sent are the bytes signed. */
export function chert(
	sandbox: Sandbox,
	method: string,
	path: string,
	body?: unknown,
	opts: ChertOptions = {},
): Promise<Res> {
	const raw = serialize(body) ?? '';
	const headers: Record<string, string> = {};
	const auth = opts.auth ?? 'hmac';
	if (auth === 'hmac') {
		headers['x-chert-signature'] = chertSignature(
			raw,
			opts.ts ?? Math.floor(Date.now() / 1000),
			opts.secret,
		);
	}
	if (auth === 'bearer')
		headers.authorization = `Bearer ${opts.secret ?? DEMO.chert.signingSecret}`;
	if (auth !== 'none' && opts.tenant !== null)
		headers['x-chert-tenant'] = opts.tenant ?? DEMO.chert.tenantSlug;
	return call(`${sandbox.baseUrls.chert}${path}`, {
		method,
		headers: { ...headers, ...(opts.headers ?? {}) },
		body: body === undefined ? undefined : raw,
	});
}

export function linq(
	sandbox: Sandbox,
	method: string,
	path: string,
	body?: unknown,
	token: string = DEMO.linq.token,
): Promise<Res> {
	return call(`${sandbox.baseUrls.linq}${path}`, {
		method,
		headers: token ? { authorization: `Bearer ${token}` } : {},
		body,
	});
}

export function periskope(
	sandbox: Sandbox,
	method: string,
	path: string,
	body?: unknown,
	headers: Record<string, string> = {
		authorization: `Bearer ${DEMO.periskope.apiKey}`,
		'x-phone': DEMO.periskope.orgPhone,
	},
	extra: Partial<CallOptions> = {},
): Promise<Res> {
	return call(`${sandbox.baseUrls.periskope}${path}`, { method, headers, body, ...extra });
}

export const chertCreateBody = (
	overrides: Record<string, unknown> = {},
): Record<string, unknown> => ({
	from: DEMO.chert.senders[0],
	to: ['+14155550141', '+14155550142'],
	message: {
		subject: 'Launch follow-up',
		parts: [{ type: 'text', value: 'Starting this group here.' }],
	},
	...overrides,
});

export const linqCreateBody = (
	overrides: Record<string, unknown> = {},
): Record<string, unknown> => ({
	from: DEMO.linq.senders[0],
	to: ['+14155550155', '+14155550156'],
	message: { parts: [{ type: 'text', value: 'Hello group' }] },
	...overrides,
});

export const sleep = (ms: number): Promise<void> =>
	new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the condition holds (or throws after timeoutMs). */
export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('waitFor: timed out');
		await sleep(5);
	}
}
