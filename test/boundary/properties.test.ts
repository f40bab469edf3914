/**
 * Properties (fast-check) of the two rules that protect people most:
 * - a number written in national format never changes country, whatever typo it carries;
 * - no canary secret, however a hostile provider encodes its echo (any JSON encoder's escapes,
 *   any URL encoding, base64 or base64url at any alignment), can be read back from an output
 *   item, an error or a log line, even after decoding them (the Redactor alone, then the real
 *   node through n8n-core's engine).
 */
import fc from 'fast-check';
import {
	getCountryCallingCode,
	getExampleNumber,
	parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';

import { parsePhone } from '../../src/addresses';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startHostile, type Hostile } from '../helpers/hostile';
import { Redactor, mayHoldToken } from '../../src/redaction';
import {
	BASE64_STYLES,
	JSON_STYLES,
	URL_STYLES,
	base64Echo,
	jsonEncode,
	jsonString,
	randomFrom,
	secretReadableIn,
	stringsOf,
	urlEncode,
	type JsonStyle,
} from '../helpers/encodings';
import { captureN8nLog, serialize, stopN8nLogCapture } from '../helpers/n8n-log';

const COUNTRIES = Object.keys(examples) as CountryCode[];

test('a national-format number (typos included) is only ever read in the Default Country', () => {
	let accepted = 0;
	fc.assert(
		fc.property(
			fc.constantFrom(...COUNTRIES),
			fc.nat(),
			fc.integer({ min: 0, max: 9 }),
			fc.constantFrom('NATIONAL', 'SPACES', 'DASHES'),
			(country, position, digit, style) => {
				const example = getExampleNumber(country, examples);
				fc.pre(example !== undefined);
				let national = example!.formatNational();
				if (style === 'SPACES') national = national.replace(/[^\d]+/g, ' ').trim();
				if (style === 'DASHES') national = national.replace(/[^\d]+/g, '-').replace(/^-|-$/g, '');
				// A typo: one digit changed.
				const digits = [...national]
					.map((char, index) => (/\d/.test(char) ? index : -1))
					.filter((index) => index >= 0);
				const at = digits[position % digits.length];
				const typed = `${national.slice(0, at)}${digit}${national.slice(at + 1)}`;
				// Written with 00 or +, a number is international by definition: not a national input.
				fc.pre(!/^(\+|00)/.test(typed.replace(/[^\d+]/g, '')));
				const read = parsePhone(typed, country);
				if ('e164' in read) {
					accepted++;
					expect(parsePhoneNumberFromString(read.e164)?.countryCallingCode).toBe(
						getCountryCallingCode(country),
					);
				}
			},
		),
		{ numRuns: 3000, seed: 20261127 },
	);
	// The property is not vacuous: most typed numbers are still valid numbers of that country.
	expect(accepted).toBeGreaterThan(500);
});

// ---- redaction by value -------------------------------------------------------------------

/** Characters that every encoder treats differently, and some that none escapes. */
const SPECIAL = [
	'/',
	'+',
	'=',
	' ',
	'"',
	'\\',
	'%',
	'&',
	'?',
	'#',
	':',
	'é',
	'ß',
	'€',
	'中',
	'😀',
	'𝄞',
	'\n',
	'\t',
	'-',
	'_',
	'.',
];
const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];

/** Random secrets of 6–32 characters: letters and digits, encoder-sensitive characters, any code point. */
const secrets = fc
	.array(
		fc.oneof(
			{ weight: 4, arbitrary: fc.constantFrom(...ALNUM) },
			{ weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
			{ weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
		),
		{ minLength: 6, maxLength: 32 },
	)
	.map((chars) => chars.join(''));

/** Printable ASCII only: what can travel in an HTTP header (Authorization: Bearer …). */
const headerSafe = (text: string) => /^[\x20-\x7e]+$/.test(text);

type Echo = {
	family: 'json' | 'url' | 'base64';
	name: string;
	make: (secret: string, random: () => number) => string;
};

/** Every echo the provider may send: JSON string bodies, URL encodings, base64 at three alignments. */
const ECHOES: Echo[] = [
	...JSON_STYLES.map(
		(style): Echo => ({
			family: 'json',
			name: `json ${style}`,
			make: (secret, random) => jsonString(secret, style, random).slice(1, -1),
		}),
	),
	...URL_STYLES.map(
		(style): Echo => ({
			family: 'url',
			name: `url ${style}`,
			make: (secret, random) => urlEncode(secret, style, random),
		}),
	),
	...BASE64_STYLES.flatMap((style) =>
		([0, 1, 2, 'basic'] as const).map(
			(offset): Echo => ({
				family: 'base64',
				name: `${style} at ${offset}`,
				make: (secret) => base64Echo(secret, style, offset),
			}),
		),
	),
];

/**
 * The answer a provider sends with the echoes inside, the whole body written by one JSON encoder
 * (a PHP provider writes `\/` everywhere): `everywhere` puts them in a plain value, a message and
 * a JSON document the provider quotes (an error showing the request it got); `once` only in the
 * group's name.
 */
function answerWith(
	echoes: string[],
	style: JsonStyle,
	random: () => number,
	status: number,
	shape: 'everywhere' | 'once' = 'everywhere',
): string {
	const text = echoes.join(' | ');
	if (shape === 'once')
		return jsonEncode({ chat: { id: 'ch_1', chat_id: '1@g.us' }, name: text }, style, random);
	return jsonEncode(
		{
			success: status < 300 ? undefined : false,
			error: status < 300 ? undefined : { code: 1004, message: `bad token ${text}` },
			chat: { id: 'ch_1', chat_id: '1@g.us', display_name: text },
			chat_id: '1@g.us',
			name: text,
			echo: jsonEncode({ received: { authorization: text } }, style, random),
			trace_id: 'tr',
		},
		style,
		random,
	);
}

test('redaction: a secret echoed in any JSON, URL or base64 spelling cannot be read back from the redacted text', () => {
	let redacted = 0;
	fc.assert(
		fc.property(
			secrets,
			fc.subarray(ECHOES, { minLength: 1, maxLength: 4 }),
			fc.constantFrom(...JSON_STYLES),
			fc.constantFrom('everywhere', 'once') as fc.Arbitrary<'everywhere' | 'once'>,
			fc.integer(),
			(secret, echoes, style, shape, seed) => {
				fc.pre([...secret].length >= 4);
				const random = randomFrom(seed);
				const wire = answerWith(
					echoes.map((echo) => echo.make(secret, random)),
					style,
					random,
					400,
					shape,
				);
				const out = new Redactor([secret]).text(wire);
				if (out.includes('[redacted]')) redacted++;
				// What reaches items: the answer once parsed (when redaction kept it JSON), and the text.
				let parsed: unknown;
				try {
					parsed = JSON.parse(out);
				} catch {
					parsed = undefined;
				}
				const found = secretReadableIn([out, ...stringsOf(parsed)], secret);
				expect(found).toBeUndefined();
			},
		),
		{ numRuns: 1000, seed: 20261202 },
	);
	// Not vacuous: the echo was there to redact.
	expect(redacted).toBeGreaterThan(950);
});

test.each([
	['literal', 'ab/c+d=e "f\\g h', 'ab/c+d=e "f\\g h'],
	['JSON, PHP style (`\\/`)', 'tok/en+key', '"tok\\/en+key"'],
	[
		'JSON, every character \\u, mixed hex case',
		'tok/en',
		'"\\u0074\\u006F\\u006b\\u002f\\u0065\\u006E"',
	],
	['JSON, astral as a surrogate pair, one half escaped', 'key😀key', '"key\\ud83d\uDE00key"'],
	['JSON, short escapes', 'a"b\\c\nd\te', '"a\\"b\\\\c\\nd\\te"'],
	['URL, mixed hex case in one occurrence', 'tok/en+é', 'tok%2fen%2Bc%C3%a9'.replace('c%', '%')],
	['URL, form (`+` for a space)', 'my key/1', 'my+key%2F1'],
	['URL, twice', 'tok/en', 'tok%252Fen'],
	[
		'URL inside JSON, every character escaped',
		'tok/en',
		'"\\u0074\\u006f\\u006b\\u0025\\u0032\\u0046\\u0065\\u006e"',
	],
	['URL inside JSON, one hex digit escaped', 'tok/en', '"tok%\\u0032Fen"'],
	['JSON inside JSON', 'tok/en"', '"{\\"t\\":\\"tok\\\\\\/en\\\\\\"\\"}"'],
	['JSON inside JSON, escape-all outside', 'tok/en', jsonString('tok\\/en', 'allUpper')],
	[
		'base64 at offset 0, unpadded',
		'secret-key',
		Buffer.from('secret-key').toString('base64').replace(/=+$/, ''),
	],
	['base64 at offset 1', 'secret-key', Buffer.from('Xsecret-keyY').toString('base64')],
	[
		'base64 at offset 2, PHP-escaped',
		'secret-key??>',
		JSON.stringify(Buffer.from('XYsecret-key??>').toString('base64')).replace(/\//g, '\\/'),
	],
	[
		'base64url, Basic user:secret',
		'sécret~~>>',
		`Basic ${Buffer.from('user:sécret~~>>').toString('base64url')}`,
	],
	[
		'base64 inside URL',
		'secret??>>',
		encodeURIComponent(Buffer.from('Bearer secret??>>').toString('base64')),
	],
])('redaction: %s', (_name, secret, text) => {
	expect(secretReadableIn([text], secret)).toBeDefined();
	const out = new Redactor([secret]).text(text);
	expect(out).toContain('[redacted]');
	expect(secretReadableIn([out], secret)).toBeUndefined();
});

test('redaction: the decoders in this test do find an unredacted echo (the property can fail)', () => {
	const random = randomFrom(7);
	for (const echo of ECHOES) {
		const secret = 'ab/c+d=e "f\\g hé😀x';
		const wire = answerWith([echo.make(secret, random)], 'php', random, 400);
		const parsed = JSON.parse(wire) as unknown;
		expect({
			echo: echo.name,
			found: Boolean(secretReadableIn([wire, ...stringsOf(parsed)], secret)),
		}).toEqual({ echo: echo.name, found: true });
	}
});

test('the derived-value test (Chert signatures) sees every spelling of a 64-character hex value', () => {
	const mayHold = mayHoldToken(64);
	fc.assert(
		fc.property(
			fc.stringMatching(/^[0-9a-f]{64}$/),
			fc.constantFrom(...ECHOES),
			fc.constantFrom(...JSON_STYLES),
			fc.integer(),
			(signature, echo, style, seed) => {
				const random = randomFrom(seed);
				const text = jsonEncode(
					{ message: `got ${echo.make(signature, random)} here` },
					style,
					random,
				);
				expect(mayHold(text)).toBe(true);
			},
		),
		{ numRuns: 500, seed: 20261202 },
	);
	// …and most answers have no such run, so nothing is computed for them.
	expect(
		mayHold(
			JSON.stringify({
				chat_id: 'ch_01hv3xq7k2m9',
				added: ['+14155551234'],
				trace_id: 'tr_5f0c2d7e9a',
			}),
		),
	).toBe(false);
});

let provider: Hostile;
beforeAll(async () => {
	provider = await startHostile();
});
afterAll(async () => provider.close());

test('a PHP provider (`\\/` and `\\u` escapes) echoing the token in Get Group: name and raw hold no token', async () => {
	const token = 'lq/live+Zx9=Q/é7w';
	provider.reset();
	provider.handle((_hit, response) => {
		response.writeHead(200, { 'content-type': 'application/json' });
		const chat = {
			id: '550e8400-e29b-41d4-a716-446655440000',
			display_name: token,
			handles: [],
			note: `Bearer ${token}`,
		};
		response.end(jsonEncode({ chat, ...chat }, 'php'));
	});
	const result = await runWorkflow({
		nodes: [
			groupChatNode('Group Chat', {
				provider: 'linq',
				operation: 'get',
				chatId: '550e8400-e29b-41d4-a716-446655440000',
			}),
		],
		credentials: { linqApi: { baseUrl: provider.baseUrl, apiToken: token } },
	});
	expect(provider.hits).toHaveLength(1);
	const item = result.output('Group Chat')[0]?.json;
	expect(item?.name).toBe('[redacted]');
	expect(JSON.stringify(item?.raw)).toContain('Bearer [redacted]');
	expect(secretReadableIn(stringsOf(result.run.data.resultData.runData), token)).toBeUndefined();
});

const CHERT_CANARY = 'c0ffee00c0ffee00c0ffee00c0ffee00';

test('Chert: the request’s own signature, echoed in any spelling, reaches no item, error or log line', async () => {
	const log = captureN8nLog();
	let signatures = 0;
	try {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...ECHOES),
				fc.constantFrom(...JSON_STYLES),
				fc.integer(),
				async (echo, style, seed) => {
					provider.reset();
					const random = randomFrom(seed);
					let signature = '';
					provider.handle((hit, response) => {
						signature = String(hit.headers['x-chert-signature'] ?? '').split(',')[2] ?? '';
						response.writeHead(400, { 'content-type': 'application/json' });
						response.end(answerWith([echo.make(signature, random)], style, random, 400));
					});
					const result = await runWorkflow({
						nodes: [
							groupChatNode(
								'Group Chat',
								{
									provider: 'chert',
									operation: 'rename',
									chatId: 'ch_1',
									groupName: 'x',
									options: { maxAttempts: 1 },
								},
								{ onError: 'continueRegularOutput' },
							),
						],
						credentials: {
							chertApi: {
								baseUrl: provider.baseUrl,
								signingSecret: CHERT_CANARY,
								tenantSlug: 't',
								authMode: 'hmac',
							},
						},
					});
					expect(signature).toMatch(/^[0-9a-f]{64}$/);
					signatures++;
					const produced = [
						...stringsOf(result.run.data.resultData.runData),
						...log.flatMap((entry) => [
							entry.message,
							...stringsOf(JSON.parse(entry.meta) as unknown),
						]),
					];
					expect(produced.some((text) => text.includes('[redacted]'))).toBe(true);
					expect(secretReadableIn(produced, signature)).toBeUndefined();
				},
			),
			{ numRuns: 30, seed: 20261202 },
		);
	} finally {
		stopN8nLogCapture();
	}
	expect(signatures).toBe(30);
});

test('no canary secret in any encoding reaches an item, an error or a log line', async () => {
	const log = captureN8nLog();
	let runs = 0;
	let echoedBack = 0;
	try {
		await fc.assert(
			fc.asyncProperty(
				secrets,
				fc.constantFrom('linq', 'periskope', 'chert'),
				fc.constantFrom(200, 400, 404, 500),
				fc.subarray(ECHOES, { minLength: 1, maxLength: 4 }),
				fc.constantFrom(...JSON_STYLES),
				fc.constantFrom('body', 'trace'),
				fc.integer(),
				async (secret, chosen, status, echoes, style, where, seed) => {
					fc.pre([...secret].length >= 4);
					runs++;
					provider.reset();
					const random = randomFrom(seed);
					// A secret that cannot travel in a header is used where it never does: Chert's HMAC key.
					const name = headerSafe(secret) ? chosen : 'chert';
					const authMode = !headerSafe(secret) || runs % 3 ? 'hmac' : 'bearer';
					const texts = echoes.map((echo) => echo.make(secret, random));
					const inHeader = texts.filter(headerSafe).join(' | ');
					provider.handle((_hit, response) => {
						response.writeHead(status, {
							'content-type': 'application/json',
							'x-trace-id': where === 'trace' && inHeader ? inHeader : 'tr',
							'x-periskope-trace-id': where === 'trace' && inHeader ? inHeader : 'tr',
						});
						response.end(
							answerWith(where === 'body' || !inHeader ? texts : ['-'], style, random, status),
						);
					});
					const node = groupChatNode(
						'Group Chat',
						{
							provider: name,
							operation: name === 'chert' || runs % 4 < 2 ? 'rename' : 'get',
							chatId:
								name === 'linq'
									? '550e8400-e29b-41d4-a716-446655440000'
									: name === 'chert'
										? 'ch_1'
										: '1@g.us',
							groupName: 'x',
							options: { maxAttempts: 1 },
						},
						runs % 2 ? { onError: 'continueRegularOutput' } : {},
					);
					const result = await runWorkflow({
						nodes: [node],
						credentials: {
							chertApi: {
								baseUrl: provider.baseUrl,
								signingSecret: secret,
								tenantSlug: 't',
								authMode,
							},
							linqApi: { baseUrl: provider.baseUrl, apiToken: secret },
							periskopeApi: { baseUrl: provider.baseUrl, apiKey: secret, orgPhone: '14155550300' },
						},
					});
					const error = result.error as unknown as Record<string, unknown> | undefined;
					const produced = [
						...stringsOf(result.run.data.resultData.runData),
						...(error
							? stringsOf(
									JSON.parse(
										serialize({
											message: error.message,
											description: error.description,
											cause: error.cause,
											context: error.context,
										}),
									) as unknown,
								)
							: []),
						...log.flatMap((entry) => [
							entry.message,
							...stringsOf(JSON.parse(entry.meta) as unknown),
						]),
					];
					expect(provider.hits).toHaveLength(1);
					if (produced.some((text) => text.includes('[redacted]'))) echoedBack++;
					expect(secretReadableIn(produced, secret)).toBeUndefined();
				},
			),
			{ numRuns: 60, seed: 20261202 },
		);
	} finally {
		stopN8nLogCapture();
	}
	expect(runs).toBe(60);
	// Not vacuous: the echo came back (redacted) in most runs.
	expect(echoedBack).toBeGreaterThan(30);
});
