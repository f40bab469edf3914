/** HMAC request signing (Chert API) and webhook signature checks. */
import { createHmac, timingSafeEqual } from 'crypto';

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
