/**
 * Each credential's "Test" request, signed by the credential's own authenticate and sent
 * to the sandbox (which verifies HMAC signatures, tokens and x-phone like the providers do).
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { request } from 'undici';

import { ChertApi } from '../../credentials/ChertApi.credentials';
import { LinqApi } from '../../credentials/LinqApi.credentials';
import { PeriskopeApi } from '../../credentials/PeriskopeApi.credentials';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { sandboxCredentials } from '../helpers/sandbox-workflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => sandbox.stop());

/** What n8n does for a credential test: resolve baseURL, authenticate, send. */
async function runCredentialTest(type: ICredentialType, data: ICredentialDataDecryptedObject) {
	const testRequest = type.test!.request;
	expect(testRequest.baseURL).toBe('={{$credentials.baseUrl}}');
	const options: IHttpRequestOptions = {
		url: testRequest.url!,
		method: testRequest.method ?? 'GET',
		baseURL: String(data.baseUrl),
		headers: {},
	};
	const signed = await (
		type.authenticate as (
			c: ICredentialDataDecryptedObject,
			r: IHttpRequestOptions,
		) => Promise<IHttpRequestOptions>
	)(data, options);
	const response = await request(`${signed.baseURL}${signed.url}`, {
		method: signed.method as 'GET',
		headers: signed.headers as Record<string, string>,
	});
	const text = await response.body.text();
	return { status: response.statusCode, text };
}

test.each([
	['Chert (HMAC)', new ChertApi(), 'chertApi', 'hmac'],
	['Chert (bearer)', new ChertApi(), 'chertApi', 'bearer'],
	['Linq', new LinqApi(), 'linqApi', 'hmac'],
	['Periskope', new PeriskopeApi(), 'periskopeApi', 'hmac'],
] as const)(
	'%s: the credential test passes with the right values and fails with a wrong one',
	async (_name, type, key, mode) => {
		const good = sandboxCredentials(sandbox, mode)[key] as ICredentialDataDecryptedObject;
		const ok = await runCredentialTest(type, good);
		expect(ok.status).toBe(200);
		const secretField = { chertApi: 'signingSecret', linqApi: 'apiToken', periskopeApi: 'apiKey' }[
			key
		];
		const bad = await runCredentialTest(type, { ...good, [secretField]: 'dummy-wrong-value-123' });
		expect(bad.status).toBe(401);
	},
);
