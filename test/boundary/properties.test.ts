/**
 * Properties (fast-check) of the two rules that protect people most:
 * - a number written in national format never changes country, whatever typo it carries;
 * - no canary secret, however a hostile provider encodes its echo, ever reaches an output
 *   item, an error or a log line (the real node through n8n-core's engine).
 */
import fc from 'fast-check';
import { getCountryCallingCode, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';

import { parsePhone } from '../../src/addresses';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startHostile, type Hostile } from '../helpers/hostile';
import { captureN8nLog, stopN8nLogCapture } from '../helpers/n8n-log';

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
				const digits = [...national].map((char, index) => (/\d/.test(char) ? index : -1)).filter((index) => index >= 0);
				const at = digits[position % digits.length];
				const typed = `${national.slice(0, at)}${digit}${national.slice(at + 1)}`;
				// Written with 00 or +, a number is international by definition: not a national input.
				fc.pre(!/^(\+|00)/.test(typed.replace(/[^\d+]/g, '')));
				const read = parsePhone(typed, country);
				if ('e164' in read) {
					accepted++;
					expect(parsePhoneNumberFromString(read.e164)?.countryCallingCode).toBe(getCountryCallingCode(country));
				}
			},
		),
		{ numRuns: 3000, seed: 20261127 },
	);
	// The property is not vacuous: most typed numbers are still valid numbers of that country.
	expect(accepted).toBeGreaterThan(500);
});

let provider: Hostile;
beforeAll(async () => {
	provider = await startHostile();
});
afterAll(async () => provider.close());

const ENCODINGS: Record<string, (secret: string) => string> = {
	plain: (secret) => secret,
	bearer: (secret) => `Bearer ${secret}`,
	url: (secret) => encodeURIComponent(`Bearer ${secret}`),
	base64: (secret) => Buffer.from(secret).toString('base64'),
	jsonInString: (secret) => JSON.stringify({ token: secret }),
};

test('no canary secret in any encoding reaches an item, an error or a log line', async () => {
	const log = captureN8nLog();
	let runs = 0;
	let echoedBack = 0;
	try {
		await fc.assert(
			fc.asyncProperty(
				fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/),
				fc.constantFrom('linq', 'periskope', 'chert'),
				fc.constantFrom(200, 400, 404, 500),
				fc.subarray(Object.keys(ENCODINGS), { minLength: 1 }),
				fc.constantFrom('body', 'message', 'trace'),
				async (secret, name, status, encodings, where) => {
					runs++;
					provider.reset();
					const echoes = encodings.map((encoding) => ENCODINGS[encoding](secret));
					provider.handle((_hit, response) => {
						const text = echoes.join(' | ');
						const body = {
							success: status === 200 ? undefined : false,
							error: status === 200 ? undefined : { code: 1004, message: where === 'message' ? text : 'no' },
							chat: { id: 'ch_1', chat_id: '1@g.us' },
							chat_id: '1@g.us',
							echo: where === 'body' ? text : undefined,
							trace_id: where === 'trace' ? text : 'tr',
						};
						response.writeHead(status, { 'content-type': 'application/json', 'x-trace-id': where === 'trace' ? text : 'tr' });
						response.end(JSON.stringify(body));
					});
					const node = groupChatNode(
						'Group Chat',
						{
							provider: name,
							operation: 'rename',
							chatId: name === 'linq' ? '550e8400-e29b-41d4-a716-446655440000' : name === 'chert' ? 'ch_1' : '1@g.us',
							groupName: 'x',
							options: { maxAttempts: 1 },
						},
						runs % 2 ? { onError: 'continueRegularOutput' } : {},
					);
					const result = await runWorkflow({
						nodes: [node],
						credentials: {
							chertApi: { baseUrl: provider.baseUrl, signingSecret: secret, tenantSlug: 't', authMode: runs % 3 ? 'hmac' : 'bearer' },
							linqApi: { baseUrl: provider.baseUrl, apiToken: secret },
							periskopeApi: { baseUrl: provider.baseUrl, apiKey: secret, orgPhone: '14155550300' },
						},
					});
					const error = result.error as unknown as Record<string, unknown> | undefined;
					const everything = [
						JSON.stringify(result.run.data.resultData.runData),
						error ? JSON.stringify({ message: error.message, description: error.description, cause: error.cause, context: error.context }) : '',
						log.map((entry) => `${entry.message} ${entry.meta}`).join('\n'),
					].join('\n');
					expect(provider.hits).toHaveLength(1);
					if (everything.includes('[redacted]')) echoedBack++;
					for (const echo of [secret, ...echoes]) expect(everything).not.toContain(echo);
				},
			),
			{ numRuns: 60, seed: 20261127 },
		);
	} finally {
		stopN8nLogCapture();
	}
	expect(runs).toBe(60);
	// Not vacuous: the echo came back (redacted) in most runs.
	expect(echoedBack).toBeGreaterThan(30);
});
