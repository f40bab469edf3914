import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import {
	LINQ_BASE_URL,
	LINQ_CREDENTIAL_TYPE,
	LINQ_TEST_PATH,
} from '../src/providers/linq/constants';

export class LinqApi implements ICredentialType {
	name = LINQ_CREDENTIAL_TYPE;

	displayName = 'Linq API';

	icon: Icon = { light: 'file:../icons/linq.svg', dark: 'file:../icons/linq.dark.svg' };

	documentationUrl = 'https://apidocs.linqapp.com';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Partner API v3 token from your Linq dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: LINQ_BASE_URL,
			description: 'Change only to point at a sandbox or proxy',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${String(credentials.apiToken ?? '')}`,
			},
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: LINQ_TEST_PATH,
			method: 'GET',
		},
	};
}
