/**
 * Redaction *by value*: every secret of the credential in use (and values derived from it, such
 * as Chert's request signatures) is removed from whatever a provider sent, in any spelling an
 * encoder can produce, before it can reach an output item, an error or a log line.
 */

/** What is shown instead of a secret. */
export const REDACTED = '[redacted]';

// A secret is found in every spelling a JSON or URL encoder can produce, mixed freely within one
// occurrence: per character its literal form, any JSON escape (`\uXXXX` in either hex case,
// surrogate pairs for astral characters, `\/` and the other short escapes), percent-encoding of
// its UTF-8 bytes (either hex case, also encoded again: `%252F`), `+` for a space; and its
// base64 and base64url at each of the three byte alignments (the secret inside a larger encoded
// string such as `Basic base64(user:secret)`), with or without padding, whose characters may in
// turn be spelled in any of those ways. JSON inside JSON (an error quoting the request it got)
// is read layer by layer: the text is searched as sent, then with one layer of JSON escapes
// undone, and so on. Each secret is prepared once per credential per run: its patterns, and one
// small regular expression over their first three characters that finds where a match could
// start; the rest of a match is checked from there, character by character (no large
// expression to compile, nothing costly for an answer without a candidate).

/** JSON's two-character escapes: the code unit and the letter after the backslash. */
const SHORT_ESCAPES = new Map<number, number>(
	[
		['"', '"'],
		['\\', '\\'],
		['/', '/'],
		['\b', 'b'],
		['\f', 'f'],
		['\n', 'n'],
		['\r', 'r'],
		['\t', 't'],
	].map(([unit, letter]) => [unit.charCodeAt(0), letter.charCodeAt(0)]),
);

const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;
const LETTER_U = 0x75;
/** Layers of JSON escapes undone when searching (JSON in JSON in JSON in JSON). */
const MAX_JSON_LAYERS = 3;
/** Times one byte may have been percent-encoded (`%2F`, `%252F`, `%25252F`, `%2525252F`). */
const MAX_PERCENT_LAYERS = 4;

/** One character of a pattern: its UTF-16 code units and UTF-8 bytes. */
interface Token {
	units: number[];
	bytes: number[];
	/** Another literal spelling (base64url's `-` for `+`, `_` for `/`). */
	alias?: number;
}

/** A secret in one encoding: the characters a match must have, then an optional tail. */
interface Pattern {
	tokens: Token[];
	/** Matched when present (base64's last character and padding when the secret ends the data). */
	tail: Token[];
}

const UTF8 = new TextEncoder();

function token(char: string, alias?: string): Token {
	return {
		units: Array.from({ length: char.length }, (_unused, at) => char.charCodeAt(at)),
		bytes: Array.from(UTF8.encode(char)),
		alias: alias?.charCodeAt(0),
	};
}

function base64Token(char: string): Token {
	return token(char, char === '+' ? '-' : char === '/' ? '_' : undefined);
}

const PADDING_TOKEN = token('=');

/** The value of `length` hex digits (either case) at `at`, or -1. */
function hexAt(text: string, at: number, length: number): number {
	if (at + length > text.length) return -1;
	let value = 0;
	for (let index = at; index < at + length; index++) {
		const code = text.charCodeAt(index);
		const digit =
			code >= 0x30 && code <= 0x39
				? code - 0x30
				: code >= 0x61 && code <= 0x66
					? code - 0x57
					: code >= 0x41 && code <= 0x46
						? code - 0x37
						: -1;
		if (digit < 0) return -1;
		value = value * 16 + digit;
	}
	return value;
}

/** Where one code unit that starts at `at`, literal or JSON-escaped, ends (a backslash may be both). */
function unitEnds(
	text: string,
	at: number,
	unit: number,
	alias: number | undefined,
	into: number[],
): void {
	const code = text.charCodeAt(at);
	if (code === unit || code === alias) into.push(at + 1);
	if (code !== BACKSLASH) return;
	const next = text.charCodeAt(at + 1);
	const coded = next === LETTER_U ? hexAt(text, at + 2, 4) : -1;
	if (coded >= 0 && (coded === unit || coded === alias)) into.push(at + 6);
	else if (SHORT_ESCAPES.get(unit) === next) into.push(at + 2);
}

/** Where one percent-encoded byte ends; URL-encoding again turns `%` into `%25` (`%2F`, `%252F`…). */
function percentEnds(text: string, at: number, byte: number, into: number[]): void {
	if (text.charCodeAt(at) !== PERCENT) return;
	for (let cursor = at + 1, layer = 0; layer < MAX_PERCENT_LAYERS; layer++, cursor += 2) {
		const value = hexAt(text, cursor, 2);
		if (value === byte) into.push(cursor + 2);
		if (value !== PERCENT) return;
	}
}

/** Every position where a spelling of `entry` that starts at `at` ends (often none, rarely more). */
function tokenEnds(text: string, at: number, entry: Token, into: number[]): void {
	// Its code units, each literal or JSON-escaped (a surrogate pair may mix the two).
	if (entry.units.length === 1) {
		unitEnds(text, at, entry.units[0], entry.alias, into);
	} else {
		const middle: number[] = [];
		unitEnds(text, at, entry.units[0], undefined, middle);
		for (const position of middle) unitEnds(text, position, entry.units[1], undefined, into);
	}
	// Its UTF-8 bytes, percent-encoded (a space also as `+`, and as `%2B` once more).
	if (text.charCodeAt(at) === PERCENT) {
		let cursors = [at];
		for (const byte of entry.bytes) {
			const next: number[] = [];
			for (const cursor of cursors) percentEnds(text, cursor, byte, next);
			if (entry.units[0] === SPACE)
				for (const cursor of cursors) percentEnds(text, cursor, PLUS, next);
			cursors = next;
			if (cursors.length === 0) break;
		}
		into.push(...cursors);
	}
	if (entry.units[0] === SPACE && text.charCodeAt(at) === PLUS) into.push(at + 1);
}

/** The end of the longest match of `tokens` starting at `at`, or -1 (or `at` when `optional`). */
function matchEnd(text: string, at: number, tokens: Token[], optional = false): number {
	// Fast path: characters written as themselves (no other spelling starts with them).
	let index = 0;
	let position = at;
	for (; index < tokens.length; index++) {
		const unit = tokens[index].units.length === 1 ? tokens[index].units[0] : -1;
		if (unit === BACKSLASH || unit === PERCENT || text.charCodeAt(position) !== unit) break;
		position++;
	}
	if (index === tokens.length) return position;
	if (optional && index > 0) return matchEnd(text, position, tokens.slice(index), true);
	let positions = [position];
	let next: number[] = [];
	let best = optional ? position : -1;
	for (; index < tokens.length; index++) {
		next.length = 0;
		for (const from of positions) tokenEnds(text, from, tokens[index], next);
		if (next.length === 0) return best;
		[positions, next] = [next, positions];
		// Ambiguity (a secret holding `%` or `\`) keeps a few positions, never more than it brings.
		if (positions.length > 1) positions = [...new Set(positions)];
		if (optional) best = Math.max(...positions);
	}
	return Math.max(...positions);
}

function patternEnd(text: string, at: number, pattern: Pattern): number {
	const end = matchEnd(text, at, pattern.tokens);
	if (end < 0 || pattern.tail.length === 0) return end;
	const tail = matchEnd(text, end, pattern.tail);
	if (tail < 0) return end;
	return matchEnd(text, tail, [PADDING_TOKEN, PADDING_TOKEN], true);
}

/** Regex source for the spellings of one token, as tokenEnds reads them (for the start finder). */
function startSource(entry: Token): string {
	const hex = (value: number, width: number) =>
		value
			.toString(16)
			.padStart(width, '0')
			.replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
	const literal = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')}`;
	const escaped = (unit: number) => {
		const short = SHORT_ESCAPES.get(unit);
		return `\\\\(?:u${hex(unit, 4)}${short === undefined ? '' : `|${literal(short)}`})`;
	};
	const units = entry.units.map((unit) => `(?:${literal(unit)}|${escaped(unit)})`).join('');
	const forms = [units, entry.bytes.map((byte) => `%(?:25)*${hex(byte, 2)}`).join('')];
	if (entry.units.length === 1 && entry.alias !== undefined)
		forms.push(literal(entry.alias), `\\\\u${hex(entry.alias, 4)}`);
	if (entry.units[0] === SPACE) forms.push('\\+', '%(?:25)*2[bB]');
	return `(?:${forms.join('|')})`;
}

/**
 * The secret's bytes in base64 (and base64url) at the three byte alignments: the characters
 * that depend on the secret's bits alone (the same wherever it sits in the encoded data), then
 * the last character as when the secret ends the data.
 */
function base64Patterns(bytes: number[]): Pattern[] {
	const patterns: Pattern[] = [];
	for (const shift of [0, 1, 2]) {
		const padded = [...Array<number>(shift).fill(0), ...bytes];
		let binary = '';
		for (const byte of padded) binary += String.fromCharCode(byte);
		const encoded = btoa(binary);
		const first = Math.ceil((8 * shift) / 6);
		const end = Math.floor((8 * padded.length) / 6);
		const middle = encoded.slice(first, end);
		if (middle.length < 4) continue;
		patterns.push({
			tokens: [...middle].map((char) => base64Token(char)),
			tail: [...encoded.slice(end).replace(/=+$/, '')].map((char) => base64Token(char)),
		});
	}
	return patterns;
}

function patternsOf(secret: string): Pattern[] {
	const chars = [...secret];
	const patterns: Pattern[] = [{ tokens: chars.map((char) => token(char)), tail: [] }];
	patterns.push(...base64Patterns(Array.from(UTF8.encode(secret))));
	// A Latin-1 secret may also be base64'd as its Latin-1 bytes (btoa does).
	if (
		chars.every((char) => char.charCodeAt(0) < 0x100) &&
		chars.some((char) => char.charCodeAt(0) >= 0x80)
	) {
		patterns.push(...base64Patterns(chars.map((char) => char.charCodeAt(0))));
	}
	return patterns;
}

/** Every character a JSON, URL or base64 spelling of an [A-Za-z0-9] value is written with. */
const SPELLING_CLASS = '[A-Za-z0-9+/=_%\\\\-]';

/**
 * A test for text that could hold, in any spelling a Redactor finds, a value of at least
 * `minLength` (≥ 4) characters from [A-Za-z0-9]: every such spelling (literal, `\u00XX`, `%XX`,
 * base64 at any alignment, their escapes) is a run of at least `minLength` characters of
 * SPELLING_CLASS. Linear in the text: a run is only tried from its start.
 */
export function mayHoldToken(minLength: number): (text: string) => boolean {
	const run = new RegExp(
		`(?<!${SPELLING_CLASS})${SPELLING_CLASS}{${Math.max(4, Math.floor(minLength))}}`,
	);
	return (text) => run.test(text);
}

/** Text at some layer of JSON escapes, with where each of its characters starts and ends as sent. */
interface Layer {
	text: string;
	/** Absent for the text as sent (each character is itself). */
	starts?: Int32Array;
	ends?: Int32Array;
}

/**
 * Whether undoing a layer of JSON escapes can show a spelling this layer does not: only when an
 * escape hides what starts one (a backslash, `%` or `+`: `\\`, `\u005c`, `\u0025`, `\u002b`) or
 * a `%` is followed by an escaped hex digit. Anything else escaped (`\/`, `\"`, `\u00e9`) is
 * already read as a spelling of its character on this layer.
 */
const DEEPER = /\\(?:\\|u00(?:5[cC]|25|2[bB]))|%[0-9a-fA-F]?\\/;

const UNESCAPES = new Map<number, number>(
	[...SHORT_ESCAPES].map(([unit, letter]) => [letter, unit]),
);

/** The layer below: every valid JSON escape undone (`\\u0041` → `A`, `\\/` → `/`), the rest as is. */
function unescapeLayer(layer: Layer): Layer {
	const { text } = layer;
	const units = new Uint16Array(text.length);
	const starts = new Int32Array(text.length);
	const ends = new Int32Array(text.length);
	let length = 0;
	for (let at = 0; at < text.length; length++) {
		let unit = text.charCodeAt(at);
		let width = 1;
		if (unit === BACKSLASH) {
			const next = text.charCodeAt(at + 1);
			const coded = next === LETTER_U ? hexAt(text, at + 2, 4) : -1;
			const short = coded < 0 ? UNESCAPES.get(next) : undefined;
			if (coded >= 0) {
				unit = coded;
				width = 6;
			} else if (short !== undefined) {
				unit = short;
				width = 2;
			}
		}
		units[length] = unit;
		starts[length] = layer.starts ? layer.starts[at] : at;
		ends[length] = layer.ends ? layer.ends[at + width - 1] : at + width;
		at += width;
	}
	let decoded = '';
	for (let from = 0; from < length; from += 4096) {
		decoded += String.fromCharCode.apply(
			null,
			units.subarray(from, Math.min(length, from + 4096)) as unknown as number[],
		);
	}
	return { text: decoded, starts: starts.subarray(0, length), ends: ends.subarray(0, length) };
}

/** How many characters of a pattern the start finder matches before the rest is checked. */
const HEAD_TOKENS = 3;

/** Header-shaped HMAC signatures (Chert `v1,<ts>,<hex>`, webhook `t=<ts>,v1=<hex>`). */
const SIGNATURE_SHAPES = [/v1,\d{6,12},[0-9a-f]{64}/gi, /t=\d{6,12},v1=[0-9a-f]{64}/gi];

/**
 * Removes every value of the credential in use (and values derived from it) from text a
 * provider sent, in any spelling an encoder can produce, before it can reach an output item,
 * an error or a log line. Build one per credential and run: each secret is prepared once.
 */
export class Redactor {
	private readonly secrets = new Set<string>();
	private patterns: Pattern[] = [];
	/** Where a match could start: the first three characters of each pattern, one group each. */
	private starts: RegExp | undefined;
	/** The patterns each group of `starts` begins. */
	private byGroup: Pattern[][] = [];

	constructor(secrets: Iterable<string> = []) {
		this.add(...secrets);
	}

	/** Adds secrets; values shorter than 4 characters are ignored (they would redact prose). */
	add(...secrets: string[]): this {
		for (const secret of secrets) {
			if (typeof secret !== 'string' || [...secret].length < 4 || this.secrets.has(secret))
				continue;
			this.secrets.add(secret);
			this.patterns.push(...patternsOf(secret));
		}
		// At one position the longest match wins (a secret that contains another goes whole).
		this.patterns.sort((a, b) => b.tokens.length - a.tokens.length);
		const heads = new Map<string, Pattern[]>();
		for (const pattern of this.patterns) {
			const head = pattern.tokens.slice(0, HEAD_TOKENS).map(startSource).join('');
			heads.set(head, [...(heads.get(head) ?? []), pattern]);
		}
		this.byGroup = [...heads.values()];
		this.starts = heads.size
			? new RegExp([...heads.keys()].map((head) => `(${head})`).join('|'), 'g')
			: undefined;
		return this;
	}

	text(value: string): string {
		let out = value;
		if (this.starts) {
			// Each match as [start, end) in the text as sent, from every layer.
			const found: number[] = [];
			let layer: Layer = { text: value };
			this.find(layer, this.starts, found);
			for (let depth = 1; depth <= MAX_JSON_LAYERS && DEEPER.test(layer.text); depth++) {
				layer = unescapeLayer(layer);
				this.find(layer, this.starts, found);
			}
			if (found.length) out = cut(value, found);
		}
		for (const shape of SIGNATURE_SHAPES) out = out.replace(shape, REDACTED);
		return out;
	}

	private find(layer: Layer, starts: RegExp, found: number[]): void {
		const { text } = layer;
		starts.lastIndex = 0;
		for (let head = starts.exec(text); head; head = starts.exec(text)) {
			const at = head.index;
			let end = -1;
			for (let group = 0; group < this.byGroup.length; group++) {
				if (head[group + 1] === undefined) continue;
				for (const pattern of this.byGroup[group])
					end = Math.max(end, patternEnd(text, at, pattern));
			}
			if (end < 0) {
				starts.lastIndex = at + 1;
				continue;
			}
			found.push(layer.starts ? layer.starts[at] : at, layer.ends ? layer.ends[end - 1] : end);
			starts.lastIndex = end;
		}
	}

	/** Redacts every string (keys included) inside a JSON-like value. */
	deep<T>(value: T): T {
		if (typeof value === 'string') return this.text(value) as T;
		if (Array.isArray(value)) return value.map((entry) => this.deep(entry)) as T;
		if (value !== null && typeof value === 'object') {
			const out: Record<string, unknown> = {};
			for (const [key, entry] of Object.entries(value)) out[this.text(key)] = this.deep(entry);
			return out as T;
		}
		return value;
	}
}

/** `value` with every range of `found` (pairs of [start, end), overlaps merged) replaced by REDACTED. */
function cut(value: string, found: number[]): string {
	const ranges: Array<[number, number]> = [];
	for (let index = 0; index < found.length; index += 2)
		ranges.push([found[index], found[index + 1]]);
	ranges.sort((a, b) => a[0] - b[0]);
	let out = '';
	let copied = 0;
	for (const [start, end] of ranges) {
		if (end <= copied) continue;
		if (start >= copied) out += value.slice(copied, start) + REDACTED;
		copied = end;
	}
	return out + value.slice(copied);
}
