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

import { onlyForProvider, triggerProperties } from './description';
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
		subtitle:
			'={{ ({ chert: "Chert", linq: "Linq", periskope: "Periskope" })[$parameter["provider"]] + ": " + ($parameter["events"] || []).join(", ") }}',
		description: 'Starts a workflow when group chats change on Chert, Linq or Periskope (signed webhooks)',
		defaults: { name: 'Group Chat Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'chertApi', required: true, displayOptions: onlyForProvider('chert') },
			{ name: 'linqApi', required: true, displayOptions: onlyForProvider('linq') },
			{ name: 'periskopeApi', required: true, displayOptions: onlyForProvider('periskope') },
		],
		// responseData '': n8n answers with the node's webhookResponse ({"received": true}); without it
		// n8n's default is the literal text "firstEntryJson" (extractWebhookOnReceivedResponse).
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'webhook' }],
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
