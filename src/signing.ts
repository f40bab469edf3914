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

/** Constant-time comparison of two hex digests. */
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

/** Constant-time comparison of a computed digest with a claimed one (any encoding, any length). */
function digestMatches(expected: Buffer, claimed: Buffer): boolean {
	return expected.length === claimed.length && timingSafeEqual(expected, claimed);
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

/**
 * Chert delivery signature (`X-Webhook-Signature`): `t=<ts>,v1=<hex>` (current; several `v1=`
 * entries allowed, one valid is enough) or legacy `v1,<ts>,<hex>`; hex HMAC-SHA256 keyed with
 * the subscription secret's characters over `"<ts>." + raw body bytes`.
 */
export function verifyChertWebhook(
	signatureHeader: string | undefined,
	rawBody: Uint8Array,
	secret: string,
	nowMs: number,
): Verdict {
	if (!signatureHeader) return { ok: false, reason: 'missing signature header' };
	const value = signatureHeader.trim();
	let timestamp: number | undefined;
	let claims: string[] = [];
	const legacy = /^v1,(\d{1,12}),([0-9a-fA-F]{64})$/.exec(value);
	if (legacy) {
		timestamp = Number(legacy[1]);
		claims = [legacy[2]];
	} else {
		for (const part of value.split(',')) {
			const [key, ...rest] = part.trim().split('=');
			const entry = rest.join('=');
			if (key === 't') timestamp = parseSeconds(entry);
			else if (key === 'v1' && /^[0-9a-fA-F]{64}$/.test(entry)) claims.push(entry);
		}
	}
	if (timestamp === undefined || claims.length === 0) return { ok: false, reason: 'malformed signature header' };
	const expected = hmac(secret, `${timestamp}.`, rawBody);
	if (!claims.some((claim) => digestMatches(expected, Buffer.from(claim.toLowerCase(), 'hex')))) {
		return { ok: false, reason: 'signature does not match' };
	}
	if (!withinWindow(timestamp, nowMs)) return { ok: false, reason: 'timestamp outside the 300 s window' };
	return { ok: true, timestamp };
}

/**
 * Standard Webhooks (Linq): `webhook-signature` is a space-separated list of `v1,<base64>`;
 * the key is the base64 decoding of the secret without its `whsec_` prefix; the signed content
 * is `"<webhook-id>.<webhook-timestamp>." + raw body bytes`.
 */
export function verifyStandardWebhook(
	headers: { id?: string; timestamp?: string; signature?: string },
	rawBody: Uint8Array,
	secret: string,
	nowMs: number,
): Verdict {
	const { id, signature } = headers;
	const timestamp = parseSeconds(headers.timestamp);
	if (!id || !signature || headers.timestamp === undefined) return { ok: false, reason: 'missing signature headers' };
	if (timestamp === undefined) return { ok: false, reason: 'malformed webhook-timestamp' };
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	if (key.length === 0) return { ok: false, reason: 'no signing key' };
	const expected = hmac(key, `${id}.${timestamp}.`, rawBody);
	const claims = signature
		.split(' ')
		.map((entry) => entry.trim())
		.filter((entry) => entry.startsWith('v1,'))
		.map((entry) => Buffer.from(entry.slice(3), 'base64'));
	if (claims.length === 0) return { ok: false, reason: 'malformed webhook-signature' };
	if (!claims.some((claim) => digestMatches(expected, claim))) return { ok: false, reason: 'signature does not match' };
	if (!withinWindow(timestamp, nowMs)) return { ok: false, reason: 'timestamp outside the 300 s window' };
	return { ok: true, timestamp };
}

/**
 * Linq's legacy headers (fallback only): `X-Webhook-Signature` = hex HMAC-SHA256 over
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
	if (!timestampHeader || !signatureHeader) return { ok: false, reason: 'missing signature headers' };
	const timestamp = parseSeconds(timestampHeader);
	const claim = signatureHeader.trim().replace(/^sha256=/, '');
	if (timestamp === undefined || !/^[0-9a-fA-F]{64}$/.test(claim)) {
		return { ok: false, reason: 'malformed legacy signature headers' };
	}
	const expected = hmac(secret, `${timestamp}.`, rawBody);
	if (!digestMatches(expected, Buffer.from(claim.toLowerCase(), 'hex'))) return { ok: false, reason: 'signature does not match' };
	if (!withinWindow(timestamp, nowMs)) return { ok: false, reason: 'timestamp outside the 300 s window' };
	return { ok: true, timestamp };
}

/** An unguessable token (32 random bytes, base64url) for a subscription's delivery URL. */
export function newWebhookToken(): string {
	return randomBytes(32).toString('base64url');
}

/** A stable key for a payload that carries no id of its own (SHA-256 of the raw bytes). */
export function payloadDigest(rawBody: Uint8Array): string {
	return createHash('sha256').update(rawBody).digest('hex');
}
