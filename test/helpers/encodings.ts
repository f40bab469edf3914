/**
 * Small, independent encoders a hostile provider (or a proxy in front of it) may echo a secret
 * through, and the matching decoders a test runs over everything the node produced, so a
 * spelling that slipped past redaction is caught even when it is not written literally.
 */

/** A deterministic source of choices (mulberry32) for the "mixed" encoders. */
export function randomFrom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
	};
}

type Case = 'upper' | 'lower' | 'mixed';

function hex(value: number, width: number, letters: Case, random: () => number): string {
	const digits = value.toString(16).padStart(width, '0');
	if (letters === 'lower') return digits;
	if (letters === 'upper') return digits.toUpperCase();
	return [...digits].map((digit) => (random() < 0.5 ? digit.toUpperCase() : digit)).join('');
}

const units = (text: string) =>
	Array.from({ length: text.length }, (_unused, at) => text.charCodeAt(at));

const SHORT: Record<number, string> = {
	0x22: '"',
	0x5c: '\\',
	0x2f: '/',
	0x08: 'b',
	0x0c: 'f',
	0x0a: 'n',
	0x0d: 'r',
	0x09: 't',
};

// ---- JSON ---------------------------------------------------------------------------------

export const JSON_STYLES = ['standard', 'slash', 'allUpper', 'allLower', 'php', 'mixed'] as const;
export type JsonStyle = (typeof JSON_STYLES)[number];

/** A JSON string literal (quotes included) as one encoder or another writes it. */
export function jsonString(
	text: string,
	style: JsonStyle,
	random: () => number = Math.random,
): string {
	const u = (unit: number, letters: Case) => `\\u${hex(unit, 4, letters, random)}`;
	const standard = (unit: number) => JSON.stringify(String.fromCharCode(unit)).slice(1, -1);
	const body = units(text).map((unit) => {
		switch (style) {
			case 'standard':
				return standard(unit);
			case 'slash':
				return unit === 0x2f ? '\\/' : standard(unit);
			case 'allUpper':
				return u(unit, 'upper');
			case 'allLower':
				return u(unit, 'lower');
			case 'php': // json_encode's defaults: `\/`, and \u escapes (lowercase) for everything non-ASCII
				return unit === 0x2f ? '\\/' : unit >= 0x80 ? u(unit, 'lower') : standard(unit);
			case 'mixed': {
				const pick = random();
				if (pick < 0.3 && SHORT[unit] !== undefined) return `\\${SHORT[unit]}`;
				if (pick < 0.55) return u(unit, 'mixed');
				if (pick < 0.7) return u(unit, random() < 0.5 ? 'upper' : 'lower');
				return standard(unit);
			}
		}
	});
	return `"${body.join('')}"`;
}

/** A JSON document whose strings (keys included) are written in one style. */
export function jsonEncode(
	value: unknown,
	style: JsonStyle,
	random: () => number = Math.random,
): string {
	if (typeof value === 'string') return jsonString(value, style, random);
	if (Array.isArray(value))
		return `[${value.map((entry) => jsonEncode(entry, style, random)).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
		return `{${entries.map(([key, entry]) => `${jsonString(key, style, random)}:${jsonEncode(entry, style, random)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** Undoes one layer of JSON string escapes anywhere in a text (lenient). */
export function jsonUnescape(text: string): string {
	return text.replace(
		/\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])/g,
		(_all, code: string | undefined, short: string | undefined) => {
			if (code) return String.fromCharCode(parseInt(code, 16));
			return { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[
				short!
			]!;
		},
	);
}

// ---- URL ----------------------------------------------------------------------------------

export const URL_STYLES = [
	'component',
	'lower',
	'mixedCase',
	'form',
	'everyByte',
	'twice',
] as const;
export type UrlStyle = (typeof URL_STYLES)[number];

const utf8 = (text: string) => [...Buffer.from(text, 'utf8')];

export function urlEncode(
	text: string,
	style: UrlStyle,
	random: () => number = Math.random,
): string {
	const recase = (encoded: string, letters: Case) =>
		encoded.replace(
			/%([0-9A-F]{2})/g,
			(_all, code: string) => `%${hex(parseInt(code, 16), 2, letters, random)}`,
		);
	switch (style) {
		case 'component':
			return encodeURIComponent(text);
		case 'lower':
			return recase(encodeURIComponent(text), 'lower');
		case 'mixedCase':
			return recase(encodeURIComponent(text), 'mixed');
		case 'form':
			return new URLSearchParams({ t: text }).toString().slice(2);
		case 'everyByte':
			return utf8(text)
				.map((byte) => `%${hex(byte, 2, 'upper', random)}`)
				.join('');
		case 'twice':
			return encodeURIComponent(encodeURIComponent(text));
	}
}

/** Undoes one layer of percent-encoding anywhere in a text (lenient); `form` also reads `+` as a space. */
export function urlDecode(text: string, form = false): string {
	return (form ? text.replace(/\+/g, ' ') : text).replace(/(?:%[0-9a-fA-F]{2})+/g, (run) =>
		Buffer.from(
			run
				.slice(1)
				.split('%')
				.map((code) => parseInt(code, 16)),
		).toString('utf8'),
	);
}

// ---- base64 -------------------------------------------------------------------------------

export const BASE64_STYLES = ['padded', 'unpadded', 'url', 'urlUnpadded'] as const;
export type Base64Style = (typeof BASE64_STYLES)[number];

/** The secret inside a larger base64'd string: after `offset` bytes (0, 1 or 2, or "user:"). */
export function base64Echo(
	secret: string,
	style: Base64Style,
	offset: 0 | 1 | 2 | 'basic',
): string {
	const before = offset === 'basic' ? 'user:' : 'Bea'.slice(0, offset);
	const after = offset === 'basic' ? '' : '!?';
	const data = Buffer.from(`${before}${secret}${after}`, 'utf8');
	const encoded =
		style === 'padded' || style === 'unpadded'
			? data.toString('base64')
			: data.toString('base64url');
	const text =
		style === 'padded'
			? encoded
			: style === 'url'
				? encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '=')
				: encoded.replace(/=+$/, '');
	return offset === 'basic' ? `Basic ${text}` : text;
}

/** Byte strings found by decoding every base64/base64url run of a text at each of its 4 offsets. */
export function base64Decodings(text: string): Buffer[] {
	const found: Buffer[] = [];
	for (const run of text.match(/[A-Za-z0-9+/_-]{6,}/g) ?? []) {
		const standard = run.replace(/-/g, '+').replace(/_/g, '/');
		for (let offset = 0; offset < 4; offset++)
			found.push(Buffer.from(standard.slice(offset), 'base64'));
	}
	return found;
}

// ---- the check ----------------------------------------------------------------------------

/** Every string inside a JSON-like value (keys included). */
export function stringsOf(value: unknown, into: string[] = []): string[] {
	if (typeof value === 'string') into.push(value);
	else if (Array.isArray(value)) for (const entry of value) stringsOf(entry, into);
	else if (value !== null && typeof value === 'object') {
		for (const [key, entry] of Object.entries(value)) {
			into.push(key);
			stringsOf(entry, into);
		}
	}
	return into;
}

/**
 * Where `secret` can still be read in `texts`: as is, or after undoing up to two layers of JSON
 * escapes, of percent-encoding (with and without `+` for space), of both, or base64 at any
 * alignment. Returns a description of the first find, or undefined.
 */
export function secretReadableIn(texts: string[], secret: string): string | undefined {
	const bytes = Buffer.from(secret, 'utf8');
	const latin1 = [...secret].every((char) => char.charCodeAt(0) < 0x100)
		? Buffer.from(secret, 'latin1')
		: undefined;
	for (const text of texts) {
		const readings = new Map<string, string>([['as is', text]]);
		for (const [name, reading] of [...readings]) {
			readings.set(`${name} → JSON`, jsonUnescape(reading));
			readings.set(`${name} → JSON → JSON`, jsonUnescape(jsonUnescape(reading)));
		}
		for (const [name, reading] of [...readings]) {
			for (const form of [false, true]) {
				const once = urlDecode(reading, form);
				readings.set(`${name} → URL${form ? ' (form)' : ''}`, once);
				readings.set(`${name} → URL → URL${form ? ' (form)' : ''}`, urlDecode(once, form));
			}
		}
		for (const [name, reading] of readings) {
			if (reading.includes(secret)) return `${name}: ${JSON.stringify(text.slice(0, 300))}`;
			for (const decoded of base64Decodings(reading)) {
				if (decoded.includes(bytes) || (latin1 && decoded.includes(latin1))) {
					return `${name} → base64: ${JSON.stringify(text.slice(0, 300))}`;
				}
			}
		}
	}
	return undefined;
}
