import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { NODE_DESCRIPTION } from '../GroupChat/descriptions/common';
import { providerCredentials, providerLabelExpression } from '../GroupChat/descriptions/providers';
import { triggerProperties } from './description';
import { checkExists, create, remove } from './lifecycle';
import { executeOnce } from './once';
import { receive } from './webhook';

export class GroupChatTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Group Chat Trigger',
		name: 'groupChatTrigger',
		icon: { light: 'file:../../icons/groupChat.svg', dark: 'file:../../icons/groupChat.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ ${providerLabelExpression} + ": " + ($parameter["events"] || []).join(", ") }}`,
		description: NODE_DESCRIPTION,
		defaults: { name: 'Group Chat Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		// responseData '': n8n answers with the node's webhookResponse ({"received": true}); without it
		// n8n's default is the literal text "firstEntryJson" (extractWebhookOnReceivedResponse).
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: 'webhook',
			},
		],
		properties: triggerProperties,
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive.call(this);
	}

	/** Inside the execution a delivery started (worker or main): each event goes on once (./once). */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeOnce.call(this);
	}
}
