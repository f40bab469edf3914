import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import {
	CHERT_BASE_URL,
	CHERT_CREDENTIAL_TYPE,
	CHERT_TEST_PATH,
} from '../src/providers/chert/constants';
import { chertSignatureHeader } from '../src/signing';

export class ChertApi implements ICredentialType {
	name = CHERT_CREDENTIAL_TYPE;

	displayName = 'Chert API';

	icon: Icon = { light: 'file:../icons/chert.svg', dark: 'file:../icons/chert.dark.svg' };

	documentationUrl = 'https://docs.trychert.com/api/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Your tenant’s signing secret (32 hex characters), shown once in the Chert console',
		},
		{
			displayName: 'Tenant Slug',
			name: 'tenantSlug',
			type: 'string',
			default: '',
			placeholder: 'acme',
			hint: 'Required with HMAC Signature authentication',
			description:
				'Your tenant’s slug, sent as x-chert-tenant. Required for HMAC signing and for multi-tenant accounts.',
		},
		{
			displayName: 'Authentication',
			name: 'authMode',
			type: 'options',
			options: [
				{
					name: 'HMAC Signature (Recommended)',
					value: 'hmac',
					description: 'Sign every request body with the secret; the secret never leaves n8n',
				},
				{
					name: 'Bearer Token',
					value: 'bearer',
					description: 'Send the secret as Authorization: Bearer',
				},
			],
			default: 'hmac',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: CHERT_BASE_URL,
			description: 'Change only to point at a sandbox or proxy',
		},
	];

	/** Signs the exact bytes that will be sent: the body is serialized here at most once. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const secret = String(credentials.signingSecret ?? '');
		const tenant = String(credentials.tenantSlug ?? '').trim();
		const headers: Record<string, string> = {
			...(requestOptions.headers as Record<string, string>),
		};
		if (credentials.authMode === 'bearer') {
			headers.Authorization = `Bearer ${secret}`;
			if (tenant) headers['x-chert-tenant'] = tenant;
			return { ...requestOptions, headers };
		}
		if (!tenant) {
			// Caught here too, so the credential's Test button says it before any request.
			throw new Error(
				'Chert credential: Tenant Slug is empty. HMAC signing sends it as x-chert-tenant; enter your tenant’s slug, or switch Authentication to Bearer Token.',
			);
		}
		const { body } = requestOptions;
		const rawBody =
			body === undefined || body === null || body === ''
				? ''
				: typeof body === 'string'
					? body
					: JSON.stringify(body);
		headers['x-chert-tenant'] = tenant;
		headers['x-chert-signature'] = chertSignatureHeader(secret, rawBody, Date.now());
		return { ...requestOptions, headers, body: rawBody === '' ? undefined : rawBody };
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: CHERT_TEST_PATH,
			method: 'GET',
		},
	};
}
