/**
 * The credentials side of n8n for engine runs: each credential type gets the test's data, and
 * requests are signed by the credential class's own `authenticate` (ChertApi, LinqApi,
 * PeriskopeApi), as n8n's CredentialsHelper does. Used by the action-node engine (engine.ts,
 * load-options.ts) and the trigger harness (trigger.ts).
 */
import { Credentials } from 'n8n-core';
import {
	ICredentialsHelper,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import { ChertApi } from '../../credentials/ChertApi.credentials';
import { LinqApi } from '../../credentials/LinqApi.credentials';
import { PeriskopeApi } from '../../credentials/PeriskopeApi.credentials';
import { entryFor } from '../../src/providers';
import { PROVIDERS } from '../../src/types';
import type { Provider } from '../../src/types';

/** The credential type of a provider's node parameter, from the registry (chert when unset). */
export function credentialTypeOf(provider: unknown): string {
	const name = String(provider ?? 'chert');
	return PROVIDERS.includes(name as Provider)
		? entryFor(name as Provider).credentialType
		: `${name}Api`;
}

const credentialTypes: Record<string, ICredentialType> = {
	chertApi: new ChertApi(),
	linqApi: new LinqApi(),
	periskopeApi: new PeriskopeApi(),
};

/** Hands each credential type its data and applies the credential class's own authenticate. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName];
		if (typeof type?.authenticate !== 'function')
			throw new Error(`No authenticate for ${typeName}`);
		return await type.authenticate(credentials, requestOptions);
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(nodeCredentials: { id: string | null; name: string }, type: string) {
		return new Credentials(nodeCredentials, type, '');
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string) {
		const data = this.data[type];
		if (!data) throw new Error(`Test has no credentials of type ${type}`);
		return { ...data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string) {
		return credentialTypes[type]?.properties ?? [];
	}
}
