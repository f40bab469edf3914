import type { INodeProperties } from 'n8n-workflow';

import { onOperation, onProvider, providersWhere } from './providers';

/** Create on providers whose groups start with a message from one of your lines (iMessage). */
const createWithSender = {
	...onOperation('create'),
	...onProvider(...providersWhere((entry) => entry.adapter.rules.createNeedsSenderAndMessage)),
};
const forceAdds = providersWhere((entry) => entry.adapter.rules.forceAdd);

export const createProperties: INodeProperties[] = [
	{
		displayName: 'Sender Name or ID',
		name: 'sender',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getSenders', loadOptionsDependsOn: ['provider'] },
		required: true,
		default: '',
		description:
			'One of your account’s phone numbers, the line that creates and owns the group. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show: createWithSender },
	},
	{
		displayName: 'First Message',
		name: 'firstMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'Welcome to the team chat!',
		description:
			'A new group starts with a text message. Plain text only: send links and media afterwards.',
		displayOptions: { show: createWithSender },
	},
	{
		displayName: 'Group Name',
		name: 'groupName',
		type: 'string',
		default: '',
		placeholder: 'Acme onboarding',
		description: 'Optional name shown at the top of the group',
		displayOptions: {
			show: {
				...onOperation('create'),
				...onProvider(...providersWhere((entry) => entry.adapter.rules.createName === 'optional')),
			},
		},
	},
	{
		displayName: 'Group Name',
		name: 'groupName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Acme onboarding',
		displayOptions: {
			show: {
				...onOperation('create'),
				...onProvider(...providersWhere((entry) => entry.adapter.rules.createName === 'required')),
			},
		},
	},
	{
		displayName: 'Force Add',
		name: 'forceAdd',
		type: 'boolean',
		default: false,
		description:
			'Whether to try adding everyone directly instead of sending invites to people who are not in your contacts',
		displayOptions: {
			show: {
				...onOperation('create', 'addParticipants', 'syncMembers'),
				...onProvider(...forceAdds),
			},
		},
	},
];
