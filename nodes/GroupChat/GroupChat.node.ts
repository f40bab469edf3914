import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { chatIdProperty, onProvider, operationProperty, participantsProperty, providerProperty } from './descriptions/common';
import { createProperties } from './descriptions/create';
import { optionsProperty } from './descriptions/options';
import { renameProperties } from './descriptions/rename';
import { executeGroupChat } from './execute';

export class GroupChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Group Chat',
		name: 'groupChat',
		icon: { light: 'file:../../icons/groupChat.svg', dark: 'file:../../icons/groupChat.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + " · " + $parameter["provider"] }}',
		description: 'Create and manage group chats on iMessage (Chert, Linq), RCS/SMS (Linq) and WhatsApp (Periskope)',
		defaults: { name: 'Group Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'chertApi', required: true, displayOptions: { show: onProvider('chert') } },
			{ name: 'linqApi', required: true, displayOptions: { show: onProvider('linq') } },
			{ name: 'periskopeApi', required: true, displayOptions: { show: onProvider('periskope') } },
		],
		properties: [
			providerProperty,
			operationProperty,
			chatIdProperty,
			...createProperties.slice(0, 1),
			participantsProperty,
			...createProperties.slice(1),
			...renameProperties,
			optionsProperty,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeGroupChat.call(this);
	}
}
