import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { FIELD_LABELS, InputError, PartialFailureError, ProviderError } from '../../src/errors';
import type { GroupChatResult } from '../../src/types';

const OUTCOMES_SHOWN = 10;

function outcomesText(result: GroupChatResult | undefined): string {
	if (!result?.participants.length) return '';
	const shown = result.participants
		.slice(0, OUTCOMES_SHOWN)
		.map((entry) => `${entry.address}: ${entry.outcome}`);
	const more = result.participants.length - shown.length;
	return (
		` Outcome per address: ${shown.join('; ')}` +
		(more > 0
			? `; and ${more.toLocaleString('en-US')} more (all are listed in the item's participants)`
			: '') +
		'.'
	);
}

/** What an n8n error keeps of the provider's answer: code, status, trace id and its (redacted) body. */
export function providerErrorBody(error: ProviderError): JsonObject {
	const { code, httpStatus, traceId, providerMessage, body } = error.details;
	const response: JsonObject = { provider: error.provider };
	if (code !== undefined) response.code = code;
	if (httpStatus !== undefined) response.httpStatus = httpStatus;
	if (traceId) response.traceId = traceId;
	if (providerMessage) response.providerMessage = providerMessage;
	if (body !== undefined) response.response = body as JsonObject;
	return response;
}

/**
 * The one mapping from the core's errors to the errors n8n shows, for every path (items, pickers,
 * subscriptions): bad input names the field (and the item, when there is one) and says nothing was
 * sent; a provider's refusal keeps its words, code, HTTP status and trace id; a partial failure
 * lists each address's outcome. Never carries credentials (provider text is redacted at the gate).
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof InputError) {
		const label = FIELD_LABELS[error.field] ?? error.field;
		const where =
			error.field === 'credentials' || error.field === 'baseUrl'
				? 'Open the credential and fix it.'
				: `Check the "${label}" field.`;
		const item = itemIndex === undefined ? '' : `Item ${itemIndex}: `;
		return new NodeOperationError(node, `${item}${error.message}`, {
			itemIndex,
			description: `${where} Nothing was sent to the provider${itemIndex === undefined ? '' : ' for this item'}.`,
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
	return new NodeOperationError(node, error instanceof Error ? error.message : String(error), {
		itemIndex,
	});
}
