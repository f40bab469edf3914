import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import {
	PERISKOPE_BASE_URL,
	PERISKOPE_CREDENTIAL_TYPE,
	PERISKOPE_TEST_PATH,
} from '../src/providers/periskope/constants';

export class PeriskopeApi implements ICredentialType {
	name = PERISKOPE_CREDENTIAL_TYPE;

	displayName = 'Periskope API';

	icon: Icon = { light: 'file:../icons/periskope.svg', dark: 'file:../icons/periskope.dark.svg' };

	documentationUrl = 'https://docs.periskope.app/api-reference/introduction';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'From Periskope console → Settings → API',
		},
		{
			displayName: 'Org Phone',
			name: 'orgPhone',
			type: 'string',
			default: '',
			required: true,
			placeholder: '919876543210',
			description:
				'The connected WhatsApp number that acts, as country code + number without spaces or + (e.g. +91 98745 32456 → 919874532456), or its phone-… ID. Sent as x-phone.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: PERISKOPE_BASE_URL,
			description: 'Change only to point at a sandbox or proxy',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const phone = String(credentials.orgPhone ?? '').trim();
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${String(credentials.apiKey ?? '')}`,
				'x-phone': phone.startsWith('phone-') ? phone : phone.replace(/\D/g, ''),
			},
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: PERISKOPE_TEST_PATH,
			method: 'GET',
		},
	};
}
