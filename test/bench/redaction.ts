/* eslint-disable no-console -- benchmark tooling: a printed table, never shipped */
/**
 * Micro-benchmark of what every answer costs at the gate (nodes/GroupChat/transport.ts): the
 * credential's own authenticate (Chert: HMAC signing) plus reading the canned answer and
 * redacting the credential's secrets (and Chert's derived signatures) from its body and
 * headers, with the network taken away. Also the Redactor alone on larger answers.
 *
 *   node --import tsx test/bench/redaction.ts
 *
 * Not a test: nothing is asserted; it prints µs per request and ms per MiB.
 */
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	ICredentialType,
} from 'n8n-workflow';

import { ChertApi } from '../../credentials/ChertApi.credentials';
import { LinqApi } from '../../credentials/LinqApi.credentials';
import { PeriskopeApi } from '../../credentials/PeriskopeApi.credentials';
import { gate, type RequestContext } from '../../nodes/GroupChat/transport';
import { Redactor } from '../../src/redaction';
import type { Provider } from '../../src/types';

/** Canary values shaped like each provider's secret (a Chert signing secret is 32 hex characters). */
const CANARY_CHERT = '3f9a0c4e8b2d71f6a5c09e3b4d8f2a17';
const CANARY_LINQ = 'lq_live_7Hc2Jp9xQwZr4Tn8Vb6Ks1Md3Fg5Ly0Ae';
const CANARY_PERISKOPE = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${'eyJvcmdfaWQiOiI0ZjVkIiwicm9sZSI6ImFwaSJ9'.repeat(4)}.Zm9vYmFyYmF6cXV4`;
const SECRETS: Record<Provider, ICredentialDataDecryptedObject> = {
	chert: {
		baseUrl: 'http://127.0.0.1:9',
		signingSecret: CANARY_CHERT,
		tenantSlug: 'acme',
		authMode: 'hmac',
	},
	linq: { baseUrl: 'http://127.0.0.1:9', apiToken: CANARY_LINQ },
	periskope: { baseUrl: 'http://127.0.0.1:9', apiKey: CANARY_PERISKOPE, orgPhone: '14155550300' },
};
const TYPES: Record<Provider, ICredentialType> = {
	chert: new ChertApi(),
	linq: new LinqApi(),
	periskope: new PeriskopeApi(),
};

/** A typical add-participant answer and the headers a provider sends with it. */
const ANSWER = JSON.stringify({
	chat_id: 'ch_01hv3xq7k2m9',
	added: ['+14155551234'],
	participants: ['+14155550100', '+14155551234', '+14155551235', '+14155551236'],
	trace_id: 'tr_5f0c2d7e9a',
});
const HEADERS = {
	'content-type': 'application/json; charset=utf-8',
	'content-length': String(ANSWER.length),
	date: new Date().toUTCString(),
	connection: 'keep-alive',
	'keep-alive': 'timeout=5',
	'x-trace-id': 'tr_5f0c2d7e9a',
};

async function perRequest(provider: Provider, count: number): Promise<number> {
	const credentials = SECRETS[provider];
	const context = {
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				const authenticate = TYPES[provider].authenticate as (
					c: ICredentialDataDecryptedObject,
					o: IHttpRequestOptions,
				) => Promise<IHttpRequestOptions>;
				await authenticate.call(TYPES[provider], credentials, options);
				return { statusCode: 200, headers: HEADERS, body: ANSWER };
			},
		},
		getNode: () => ({}),
	} as unknown as RequestContext;
	const { send } = gate(context, provider, credentials);
	const request = {
		method: 'POST',
		path: '/api/v1/chats/ch_01hv3xq7k2m9/participants',
		body: '{"address":"+14155551234"}',
		headers: { accept: 'application/json', 'content-type': 'application/json' },
		timeoutMs: 30_000,
	};
	for (let i = 0; i < 2000; i++) await send(request);
	const started = performance.now();
	for (let i = 0; i < count; i++) await send(request);
	return ((performance.now() - started) / count) * 1000;
}

function perMiB(redactor: Redactor, text: string, rounds: number): number {
	redactor.text(text);
	const started = performance.now();
	for (let i = 0; i < rounds; i++) redactor.text(text);
	return (performance.now() - started) / rounds / (text.length / 1024 / 1024);
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
	console.log(
		'gate, per request (authenticate + read + redact a ~200-byte answer and 6 headers), median of 5 × 20,000:',
	);
	for (const provider of ['chert', 'linq', 'periskope'] as Provider[]) {
		const runs: number[] = [];
		for (let i = 0; i < 5; i++) runs.push(await perRequest(provider, 20_000));
		console.log(`  ${provider.padEnd(10)} ${median(runs).toFixed(1).padStart(7)} µs`);
	}

	const bulk = JSON.stringify(
		Array.from({ length: 9000 }, (_unused, index) => ({
			id: `550e8400-e29b-41d4-a716-${String(index).padStart(12, '0')}`,
			display_name: `Deal room ${index} – Café “Ünïcode” / team`,
			handles: [
				{
					handle: `+1415555${String(index).padStart(4, '0')}`,
					service: 'iMessage',
					joined_at: '2026-11-27T10:00:00Z',
				},
			],
		})),
	).slice(0, 1024 * 1024);
	// A PHP provider: `\/` for every slash and `\u` escapes for everything non-ASCII.
	const php = bulk
		.replace(/\//g, '\\/')
		.replace(/[^ -~]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
	const hostile = (
		'\\u0061\\u0062%41%42' +
		'lq_live_7Hc2 ' +
		'QmVhcmVy ' +
		'\\/'.repeat(8) +
		'x'.repeat(40)
	)
		.repeat(20_000)
		.slice(0, 1024 * 1024);
	console.log('Redactor.text on 1 MiB, ms per MiB (median of 5):');
	for (const provider of ['chert', 'linq', 'periskope'] as Provider[]) {
		const secret = Object.values(SECRETS[provider])[1] as string;
		const compileStarted = performance.now();
		const redactor = new Redactor([secret]);
		redactor.text('warm');
		const compileMs = performance.now() - compileStarted;
		const json = median(Array.from({ length: 5 }, () => perMiB(redactor, bulk, 3)));
		const escaped = median(Array.from({ length: 5 }, () => perMiB(redactor, php, 3)));
		const bad = median(Array.from({ length: 5 }, () => perMiB(redactor, hostile, 3)));
		console.log(
			`  ${provider.padEnd(10)} build ${compileMs.toFixed(2)} ms (secret of ${secret.length} chars); JSON list ${json.toFixed(1)} ms/MiB; the same PHP-escaped ${escaped.toFixed(1)} ms/MiB; escape-heavy ${bad.toFixed(1)} ms/MiB`,
		);
	}
}

void main();
