import type { IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import { classifyNetworkFailure } from '../../src/transport';
import type { HttpSend } from '../../src/transport';

export const CREDENTIAL_TYPES = {
	chert: 'chertApi',
	linq: 'linqApi',
	periskope: 'periskopeApi',
} as const;

/**
 * The one place requests leave the node: through n8n's httpRequestWithAuthentication, so
 * the credential signs the exact body string and n8n's proxy/TLS settings apply.
 */
export function httpSender(
	context: IExecuteFunctions,
	credentialType: string,
	baseUrl: string,
): HttpSend {
	const root = baseUrl.replace(/\/+$/, '');
	return async (request) => {
		try {
			const response = (await context.helpers.httpRequestWithAuthentication.call(
				context,
				credentialType,
				{
					method: request.method as IHttpRequestMethods,
					url: `${root}${request.path}`,
					headers: request.headers,
					body: request.body,
					timeout: request.timeoutMs,
					json: false,
					encoding: 'text',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
				},
			)) as { statusCode: number; headers: Record<string, string | string[] | undefined>; body: unknown };
			return {
				statusCode: response.statusCode,
				headers: response.headers ?? {},
				body:
					typeof response.body === 'string'
						? response.body
						: response.body === undefined || response.body === null
							? ''
							: JSON.stringify(response.body),
			};
		} catch (error) {
			throw classifyNetworkFailure(error);
		}
	};
}
