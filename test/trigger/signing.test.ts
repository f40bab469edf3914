/**
 * Signatures in the form the provider sends (src/signing.ts): Linq's Standard Webhooks
 * signature only as the canonical base64 string, Chert's and Linq's legacy hex only as
 * lowercase hex, and a Linq secret only when it is `whsec_` + canonical base64 of a non-empty
 * key. Each rule is checked against a signature that is otherwise valid (same bytes once
 * decoded), so a test fails if the check is loosened.
 */
import { createHmac, randomBytes } from 'node:crypto';

import fc from 'fast-check';

import {
	isCanonicalBase64,
	standardWebhookKey,
	verifyChertWebhook,
	verifyLinqLegacy,
	verifyStandardWebhook,
} from '../../src/signing';

const NOW = 1_780_000_000_000;
const TS = Math.floor(NOW / 1000);
const BODY = new TextEncoder().encode('{"event_id":"evt_1","data":{"chat_id":"c"}}');
const KEY = Buffer.from('k'.repeat(32));
const SECRET = `whsec_${KEY.toString('base64')}`;

function standardSignature(id: string, key = KEY): string {
	return createHmac('sha256', key).update(`${id}.${TS}.`).update(BODY).digest('base64');
}

/** A webhook-id whose canonical signature contains `+` or `/` (so a URL-safe spelling differs). */
function idWithSymbols(): { id: string; signature: string } {
	for (let n = 0; ; n++) {
		const signature = standardSignature(`msg_${n}`);
		if (/[+/]/.test(signature)) return { id: `msg_${n}`, signature };
	}
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The same bytes once decoded, but the unused low bits of the last character set. */
function withPaddingBits(signature: string): string {
	const body = signature.replace(/=+$/, '');
	const padding = signature.slice(body.length);
	const last = B64.indexOf(body[body.length - 1]);
	return `${body.slice(0, -1)}${B64[last | 1]}${padding}`;
}

const verifyStandard = (id: string, signature: string, secret = SECRET) =>
	verifyStandardWebhook({ id, timestamp: String(TS), signature }, BODY, secret, NOW);

describe('Linq Standard Webhooks: the canonical base64 string only', () => {
	const { id, signature } = idWithSymbols();

	test('the canonical signature is accepted, alone or in a space-separated list', () => {
		expect(verifyStandard(id, `v1,${signature}`)).toEqual({ ok: true, timestamp: TS });
		expect(verifyStandard(id, `v1,${Buffer.alloc(32).toString('base64')} v1,${signature}`).ok).toBe(
			true,
		);
	});

	test.each([
		['the URL-safe alphabet', () => signature.replace(/\+/g, '-').replace(/\//g, '_')],
		['missing padding', () => signature.replace(/=+$/, '')],
		['non-zero padding bits', () => withPaddingBits(signature)],
		['a trailing newline', () => `${signature}\n`],
		['padding doubled', () => `${signature}=`],
	])('%s decodes to the same bytes and is refused', (_label, variant) => {
		const claimed = variant();
		expect(claimed).not.toBe(signature);
		// The variant is the same digest for a lenient decoder: only the form differs.
		if (!claimed.endsWith('\n'))
			expect(Buffer.from(claimed, 'base64').equals(Buffer.from(signature, 'base64'))).toBe(true);
		expect(verifyStandard(id, `v1,${claimed}`)).toEqual({
			ok: false,
			reason: 'signature does not match',
		});
	});

	test('a stored secret that is not usable refuses every delivery, naming the problem, not the secret', () => {
		const verdict = verifyStandard(id, `v1,${signature}`, 'whsec_!!!');
		expect(verdict.ok).toBe(false);
		expect(JSON.stringify(verdict)).toMatch(/unusable: .*not valid base64/);
		expect(JSON.stringify(verdict)).not.toContain('!!!');
	});
});

describe('Chert and Linq legacy: lowercase hex only', () => {
	const chertHex = createHmac('sha256', 'chert-secret').update(`${TS}.`).update(BODY).digest('hex');
	const upper = chertHex.toUpperCase();
	const mixed = chertHex.replace(/[a-f]/, (letter) => letter.toUpperCase());

	test.each([
		['t=,v1= lowercase', true, `t=${TS},v1=${chertHex}`],
		['legacy v1,ts,hex lowercase', true, `v1,${TS},${chertHex}`],
		['t=,v1= uppercase', false, `t=${TS},v1=${upper}`],
		['t=,v1= mixed case', false, `t=${TS},v1=${mixed}`],
		['legacy uppercase', false, `v1,${TS},${upper}`],
		[
			'an uppercase entry next to a wrong lowercase one',
			false,
			`t=${TS},v1=${'0'.repeat(64)},v1=${upper}`,
		],
	])('Chert %s → accepted: %s', (_label, ok, header) => {
		expect(verifyChertWebhook(header, BODY, 'chert-secret', NOW).ok).toBe(ok);
	});

	test('Linq legacy X-Webhook-Signature: lowercase accepted, uppercase or mixed refused as malformed', () => {
		const hex = createHmac('sha256', SECRET).update(`${TS}.`).update(BODY).digest('hex');
		expect(verifyLinqLegacy(String(TS), hex, BODY, SECRET, NOW).ok).toBe(true);
		expect(verifyLinqLegacy(String(TS), `sha256=${hex}`, BODY, SECRET, NOW).ok).toBe(true);
		expect(verifyLinqLegacy(String(TS), hex.toUpperCase(), BODY, SECRET, NOW)).toEqual({
			ok: false,
			reason: 'malformed legacy signature headers',
		});
		const mixedLegacy = hex.replace(/[a-f]/, (letter) => letter.toUpperCase());
		expect(verifyLinqLegacy(String(TS), mixedLegacy, BODY, SECRET, NOW).ok).toBe(false);
	});
});

describe('Linq signing secrets: whsec_ + canonical base64 of a non-empty key', () => {
	test.each([
		['', /no signing secret/],
		['whsec_', /"whsec_" with no key after it/],
		['whsec_!!!', /not valid base64/],
		['whsec_YQ', /not valid base64/], // "a" without its padding
		['whsec_YR==', /not valid base64/], // "a" with non-zero padding bits (canonical: YQ==)
		['whsec_-_8=', /not valid base64/], // URL-safe alphabet
		['whsec_====', /not valid base64/],
		['whsec_ YWJj', /not valid base64/],
		[KEY.toString('base64'), /does not start with "whsec_"/],
	])('%j is unusable', (secret, problem) => {
		const parsed = standardWebhookKey(secret);
		expect(parsed).toEqual({ problem: expect.stringMatching(problem) });
		const text = (parsed as { problem: string }).problem;
		if (secret.length > 6) expect(text).not.toContain(secret.slice(6));
	});

	test('a canonical secret gives its key', () => {
		expect(standardWebhookKey(SECRET)).toEqual({ key: KEY });
		expect(standardWebhookKey('whsec_YQ==')).toEqual({ key: Buffer.from('a') });
	});

	test('property: canonical base64 of any non-empty key is usable; any other spelling of it is not', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
				const canonical = Buffer.from(bytes).toString('base64');
				expect(isCanonicalBase64(canonical)).toBe(true);
				expect(standardWebhookKey(`whsec_${canonical}`)).toEqual({ key: Buffer.from(bytes) });
				const urlSafe = Buffer.from(bytes).toString('base64url');
				if (urlSafe !== canonical) expect(isCanonicalBase64(urlSafe)).toBe(false);
				if (canonical.endsWith('='))
					expect(isCanonicalBase64(withPaddingBits(canonical))).toBe(false);
			}),
		);
	});

	test('a random real secret verifies its own signature end to end', () => {
		const key = randomBytes(24);
		const secret = `whsec_${key.toString('base64')}`;
		expect(verifyStandard('msg_x', `v1,${standardSignature('msg_x', key)}`, secret).ok).toBe(true);
	});
});
