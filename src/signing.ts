/** HMAC request signing (Chert API) and webhook signature checks. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';

/** Lowercase hex HMAC-SHA256(secret, "<unix_seconds>.<raw_body>"); bodiless requests sign "". */
export function chertSignature(secret: string, timestampSeconds: number, rawBody: string): string {
	return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
}

/** The `x-chert-signature` header value: `v1,<unix_seconds>,<hex>`. */
export function chertSignatureHeader(secret: string, rawBody: string, nowMs: number): string {
	const timestamp = Math.floor(nowMs / 1000);
	return `v1,${timestamp},${chertSignature(secret, timestamp, rawBody)}`;
}

/** Constant-time comparison of two digest strings (equal strings only: no case folding, no decoding). */
export function sameDigest(expectedHex: string, actualHex: string): boolean {
	const expected = Buffer.from(expectedHex, 'utf8');
	const actual = Buffer.from(actualHex, 'utf8');
	return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// ---- Webhook verification (Group Chat Trigger) ---------------------------------------------
// Recipes only: which headers a provider uses and where its dedup key lives are declared in
// that provider's file (src/providers/*.ts, "Group Chat Trigger" section).

/** Deliveries whose signed timestamp is further than this from now (either side) are refused. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type Verdict = { ok: true; timestamp?: number } | { ok: false; reason: string };

function hmac(key: string | Buffer, prefix: string, rawBody: Uint8Array): Buffer {
	return createHmac('sha256', key).update(Buffer.from(prefix, 'utf8')).update(rawBody).digest();
}

/** Constant-time comparison of two strings of any length (hashed first, so lengths do not leak). */
export function sameSecret(expected: string, actual: string): boolean {
	const a = createHmac('sha256', 'compare').update(expected, 'utf8').digest();
	const b = createHmac('sha256', 'compare').update(actual, 'utf8').digest();
	return timingSafeEqual(a, b) && expected.length === actual.length;
}

function withinWindow(timestampSeconds: number, nowMs: number): boolean {
	return Math.abs(Math.floor(nowMs / 1000) - timestampSeconds) <= WEBHOOK_TOLERANCE_SECONDS;
}

function parseSeconds(value: string | undefined): number | undefined {
	return value !== undefined && /^\d{1,12}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** Exactly 64 lowercase hex digits: the form Chert and Linq's legacy headers send (nothing else matches). */
const LOWER_HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Canonical base64 (RFC 4648 §4, what Standard Webhooks libraries emit): the standard alphabet
 * (no `-`/`_`), padding present, and no stray bits in the last character — the string is exactly
 * what re-encoding its decoded bytes gives.
 */
export function isCanonicalBase64(value: string): boolean {
	return (
		value.length % 4 === 0 &&
		/^[A-Za-z0-9+/]*={0,2}$/.test(value) &&
		Buffer.from(value, 'base64').toString('base64') === value
	);
}

/**
 * The HMAC key of a Standard Webhooks secret as Linq issues it: `whsec_` followed by the
 * canonical base64 of a non-empty key. A problem says what is wrong without quoting the secret.
 */
export function standardWebhookKey(secret: unknown): { key: Buffer } | { problem: string } {
	if (typeof secret !== 'string' || secret === '') return { problem: 'it has no signing secret' };
	if (!secret.startsWith('whsec_'))
		return { problem: 'its signing secret does not start with "whsec_"' };
	const encoded = secret.slice('whsec_'.length);
	if (encoded === '') return { problem: 'its signing secret is "whsec_" with no key after it' };
	if (!isCanonicalBase64(encoded)) {
		return {
			problem: `its signing secret's key (${encoded.length} characters after "whsec_") is not valid base64`,
		};
	}
	const key = Buffer.from(encoded, 'base64');
	if (key.length === 0) return { problem: 'its signing secret decodes to an empty key' };
	return { key };
}

/**
 * Chert delivery signature (`X-Webhook-Signature`): `t=<ts>,v1=<hex>` (current; several `v1=`
 * entries allowed, one valid is enough) or legacy `v1,<ts>,<hex>`; lowercase hex HMAC-SHA256 keyed
 * with the subscription secret's characters over `"<ts>." + raw body bytes`. The claimed hex is
 * compared, as a string and in constant time, with the lowercase hex computed here.
 */
export function verifyChertWebhook(
	signatureHeader: string | undefined,
	rawBody: Uint8Array,
	secret: string,
	nowMs: number,
): Verdict {
	if (!signatureHeader) return { ok: false, reason: 'missing signature header' };
	if (!secret) return { ok: false, reason: 'no signing secret stored for this subscription' };
	const value = signatureHeader.trim();
	let timestamp: number | undefined;
	let claims: string[] = [];
	const legacy = /^v1,(\d{1,12}),([0-9a-f]{64})$/.exec(value);
	if (legacy) {
		timestamp = Number(legacy[1]);
		claims = [legacy[2]];
	} else {
		for (const part of value.split(',')) {
			const [key, ...rest] = part.trim().split('=');
			const entry = rest.join('=');
			if (key === 't') timestamp = parseSeconds(entry);
			else if (key === 'v1' && LOWER_HEX_SHA256.test(entry)) claims.push(entry);
		}
	}
	if (timestamp === undefined || claims.length === 0)
		return { ok: false, reason: 'malformed signature header' };
	const expected = hmac(secret, `${timestamp}.`, rawBody).toString('hex');
	if (!claims.some((claim) => sameDigest(expected, claim))) {
		return { ok: false, reason: 'signature does not match' };
	}
	if (!withinWindow(timestamp, nowMs))
		return { ok: false, reason: 'timestamp outside the 300 s window' };
	return { ok: true, timestamp };
}

/**
 * Standard Webhooks (Linq): `webhook-signature` is a space-separated list of `v1,<base64>`;
 * the key is the base64 decoding of the secret without its `whsec_` prefix; the signed content
 * is `"<webhook-id>.<webhook-timestamp>." + raw body bytes`. A claim counts only in the form the
 * provider sends: the canonical base64 string, compared in constant time with the one computed
 * here (so URL-safe letters, missing padding or non-zero padding bits never match).
 */
export function verifyStandardWebhook(
	headers: { id?: string; timestamp?: string; signature?: string },
	rawBody: Uint8Array,
	secret: string,
	nowMs: number,
): Verdict {
	const { id, signature } = headers;
	const timestamp = parseSeconds(headers.timestamp);
	if (!id || !signature || headers.timestamp === undefined)
		return { ok: false, reason: 'missing signature headers' };
	if (timestamp === undefined) return { ok: false, reason: 'malformed webhook-timestamp' };
	const parsed = standardWebhookKey(secret);
	if ('problem' in parsed)
		return { ok: false, reason: `the stored subscription is unusable: ${parsed.problem}` };
	const expected = hmac(parsed.key, `${id}.${timestamp}.`, rawBody).toString('base64');
	const claims = signature
		.split(' ')
		.filter((entry) => entry.startsWith('v1,'))
		.map((entry) => entry.slice(3));
	if (claims.length === 0) return { ok: false, reason: 'malformed webhook-signature' };
	if (!claims.some((claim) => sameDigest(expected, claim)))
		return { ok: false, reason: 'signature does not match' };
	if (!withinWindow(timestamp, nowMs))
		return { ok: false, reason: 'timestamp outside the 300 s window' };
	return { ok: true, timestamp };
}

/**
 * Linq's legacy headers (fallback only): `X-Webhook-Signature` = lowercase hex HMAC-SHA256 over
 * `"<X-Webhook-Timestamp>." + raw body`, keyed with the secret string as issued (with `whsec_`,
 * as Linq's older examples do; the docs do not say otherwise).
 */
export function verifyLinqLegacy(
	timestampHeader: string | undefined,
	signatureHeader: string | undefined,
	rawBody: Uint8Array,
	secret: string,
	nowMs: number,
): Verdict {
	if (!timestampHeader || !signatureHeader)
		return { ok: false, reason: 'missing signature headers' };
	if (!secret) return { ok: false, reason: 'no signing secret stored for this subscription' };
	const timestamp = parseSeconds(timestampHeader);
	const claim = signatureHeader.trim().replace(/^sha256=/, '');
	if (timestamp === undefined || !LOWER_HEX_SHA256.test(claim)) {
		return { ok: false, reason: 'malformed legacy signature headers' };
	}
	const expected = hmac(secret, `${timestamp}.`, rawBody).toString('hex');
	if (!sameDigest(expected, claim)) return { ok: false, reason: 'signature does not match' };
	if (!withinWindow(timestamp, nowMs))
		return { ok: false, reason: 'timestamp outside the 300 s window' };
	return { ok: true, timestamp };
}

/** An unguessable token (32 random bytes, base64url) for a subscription's delivery URL. */
export function newWebhookToken(): string {
	return randomBytes(32).toString('base64url');
}

/** A stable key for a payload that carries no id of its own (SHA-256 of the raw bytes). */
export function payloadDigest(rawBody: Uint8Array | string): string {
	return createHash('sha256').update(rawBody).digest('hex');
}
