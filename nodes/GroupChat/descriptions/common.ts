import type { INodeProperties } from 'n8n-workflow';

export const PROVIDER_VALUES = ['chert', 'linq', 'periskope'];
export const onProvider = (...provider: string[]) => ({ provider });
/**
 * For credentials: "hide on every other provider" rather than "show on this one". n8n's editor
 * treats a parameter that credentials *show* on as the node's authentication field and hides
 * it behind the credential picker; Provider must stay a visible choice.
 */
export const onlyForProvider = (provider: string) => ({
	hide: { provider: PROVIDER_VALUES.filter((value) => value !== provider) },
});
export const onOperation = (...operation: string[]) => ({ operation });

export const providerProperty: INodeProperties = {
	displayName: 'Provider',
	name: 'provider',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Chert · iMessage', value: 'chert', description: 'Apple iMessage groups through Chert' },
		{ name: 'Linq · iMessage, RCS, SMS', value: 'linq', description: 'Groups through Linq Partner API v3' },
		{ name: 'Periskope · WhatsApp', value: 'periskope', description: 'WhatsApp groups through Periskope' },
	],
	default: 'chert',
};

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Add Participants',
			value: 'addParticipants',
			action: 'Add participants to a group chat',
			description: 'Add one or more people to a group',
		},
		{ name: 'Create Group', value: 'create', action: 'Create a group chat', description: 'Start a new group chat' },
		{ name: 'Leave Group', value: 'leave', action: 'Leave a group chat', description: 'Make your line leave the group' },
		{
			name: 'Remove Participants',
			value: 'removeParticipants',
			action: 'Remove participants from a group chat',
			description: 'Remove one or more people from a group',
		},
		{ name: 'Rename Group', value: 'rename', action: 'Rename a group chat', description: 'Change the group’s name' },
	],
	default: 'create',
};

export const chatIdProperty: INodeProperties = {
	displayName: 'Chat ID',
	name: 'chatId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. {{ $json.chatId }}',
	description:
		'The group’s ID as the provider gave it: Chert ch_… or a UUID, Linq a UUID, Periskope digits@g.us. The Create Group output has it as chatId.',
	displayOptions: { show: onOperation('addParticipants', 'removeParticipants', 'rename', 'leave') },
};

export const participantsProperty: INodeProperties = {
	displayName: 'Participants',
	name: 'participants',
	type: 'string',
	typeOptions: { rows: 2 },
	required: true,
	default: '',
	placeholder: '+1 415 555 1234, (415) 555-9876',
	description:
		'Phone numbers separated by commas or new lines, in any common format, or an expression returning a list. Numbers without a country code use the Default Country option. Chert and Linq also accept email addresses (Apple IDs).',
	displayOptions: { show: onOperation('create', 'addParticipants', 'removeParticipants') },
};
