import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { InputError, PartialFailureError, ProviderError } from '../../src/errors';
import type { RawParameters } from '../../src/operations';
import { runOperation } from '../../src/run';
import type { PartialFailureMode } from '../../src/run';
import type { GroupChatResult, Provider } from '../../src/types';
import { CREDENTIAL_TYPES, httpSender } from './transport';

function readParameters(context: IExecuteFunctions, itemIndex: number): RawParameters {
	const get = (name: string, fallback: unknown = null) =>
		context.getNodeParameter(name, itemIndex, fallback) as unknown;
	const options = (get('options', {}) ?? {}) as IDataObject;
	return {
		provider: get('provider'),
		operation: get('operation'),
		chatId: get('chatId'),
		sender: get('sender'),
		participants: get('participants'),
		firstMessage: get('firstMessage'),
		groupName: get('groupName'),
		iconUrl: get('iconUrl'),
		forceAdd: get('forceAdd'),
		groupSettings: get('groupSettings'),
		idempotencyKey: options.idempotencyKey,
		defaultCountry: options.defaultCountry ?? 'US',
	};
}

function outcomesText(result: GroupChatResult | undefined): string {
	if (!result?.participants.length) return '';
	return (
		' Outcome per address: ' +
		result.participants.map((entry) => `${entry.address}: ${entry.outcome}`).join('; ') +
		'.'
	);
}

/** Turns a core error into the n8n error shown to the user; never carries credentials. */
function toNodeError(node: INode, error: unknown, itemIndex: number) {
	if (error instanceof InputError) {
		return new NodeOperationError(node, `Item ${itemIndex}: ${error.message}`, {
			itemIndex,
			description: `Check the "${error.field}" field. Nothing was sent to the provider for this item.`,
		});
	}
	if (error instanceof ProviderError) {
		return new NodeApiError(node, providerErrorBody(error), {
			itemIndex,
			message: error.message,
			description: `${error.describe()}.${outcomesText(error.result)}`,
			httpCode: error.details.httpStatus ? String(error.details.httpStatus) : undefined,
		});
	}
	if (error instanceof PartialFailureError) {
		const cause = error.firstError;
		return new NodeApiError(node, cause ? providerErrorBody(cause) : {}, {
			itemIndex,
			message: error.message,
			description: `${cause ? `${cause.message}: ${cause.describe()}.` : ''}${outcomesText(error.result)}`,
			httpCode: cause?.details.httpStatus ? String(cause.details.httpStatus) : undefined,
		});
	}
	return new NodeOperationError(node, error instanceof Error ? error.message : String(error), { itemIndex });
}

/** What the error keeps of the provider's answer: code, status, trace id and its body. */
function providerErrorBody(error: ProviderError): JsonObject {
	const { code, httpStatus, traceId, providerMessage, body } = error.details;
	const result: JsonObject = { provider: error.provider };
	if (code !== undefined) result.code = code;
	if (httpStatus !== undefined) result.httpStatus = httpStatus;
	if (traceId) result.traceId = traceId;
	if (providerMessage) result.providerMessage = providerMessage;
	if (body !== undefined) result.response = body as JsonObject;
	return result;
}

function resultOf(error: unknown): GroupChatResult | undefined {
	if (error instanceof PartialFailureError) return error.result;
	if (error instanceof ProviderError) return error.result;
	return undefined;
}

export async function executeGroupChat(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	const node = this.getNode();
	const scope = `${this.getWorkflow().id ?? ''}:${node.id ?? node.name}`;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const raw = readParameters(this, itemIndex);
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const provider = raw.provider as Provider;
			const credentialType = CREDENTIAL_TYPES[provider] ?? CREDENTIAL_TYPES.chert;
			const credentials = await this.getCredentials(credentialType, itemIndex);
			const result = await runOperation(raw, {
				send: httpSender(this, credentialType, String(credentials.baseUrl ?? '')),
				retry: {
					maxAttempts: Number(options.maxAttempts ?? 4),
					timeoutMs: Number(options.timeout ?? 30) * 1000,
				},
				onPartialFailure: (options.onPartialFailure as PartialFailureMode) ?? 'error',
				idempotencyScope: scope,
			});
			output.push({ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = toNodeError(node, error, itemIndex);
			if (!this.continueOnFail()) throw nodeError;
			const partial = resultOf(error);
			output.push({
				json: {
					...((partial ?? {}) as unknown as IDataObject),
					error: nodeError.message,
					errorDescription: nodeError.description ?? null,
				},
				pairedItem: { item: itemIndex },
			});
		}
	}
	return [output];
}
