import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import {
	NODE_DESCRIPTION,
	chatIdProperties,
	operationProperties,
	participantsProperties,
	subtitle,
} from './descriptions/common';
import { createProperties } from './descriptions/create';
import { groupProperties } from './descriptions/group';
import { optionsProperty } from './descriptions/options';
import { noticeProperties, providerCredentials, providerProperty } from './descriptions/providers';
import { renameProperties } from './descriptions/rename';
import { executeGroupChat } from './execute';
import { methods } from './methods';

export class GroupChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Group Chat',
		name: 'groupChat',
		icon: { light: 'file:../../icons/groupChat.svg', dark: 'file:../../icons/groupChat.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle,
		description: NODE_DESCRIPTION,
		defaults: { name: 'Group Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		properties: [
			providerProperty,
			...operationProperties,
			...chatIdProperties,
			...noticeProperties,
			// Sender and First Message first, then who is in the group, then the rest of Create's fields
			...createProperties.slice(0, 2),
			...participantsProperties,
			...createProperties.slice(2),
			...renameProperties,
			...groupProperties,
			optionsProperty,
		],
	};

	methods = methods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeGroupChat.call(this);
	}
}
