import type { INodeProperties } from 'n8n-workflow';

import { onOperation, onProvider } from './common';

const imessageCreate = { ...onOperation('create'), ...onProvider('chert', 'linq') };

export const createProperties: INodeProperties[] = [
	{
		displayName:
			'Apple needs at least 3 people in an iMessage group: add 2 to 31 participants besides the sender.',
		name: 'chertCreateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...onOperation('create'), ...onProvider('chert') } },
	},
	{
		displayName: 'Sender Name or ID',
		name: 'sender',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getSenders', loadOptionsDependsOn: ['provider'] },
		required: true,
		default: '',
		description:
			'One of your account’s phone numbers, the line that creates and owns the group. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show: imessageCreate },
	},
	{
		displayName: 'First Message',
		name: 'firstMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'Welcome to the team chat!',
		description: 'A new group starts with a text message. Plain text only: send links and media afterwards.',
		displayOptions: { show: imessageCreate },
	},
	{
		displayName: 'Group Name',
		name: 'groupName',
		type: 'string',
		default: '',
		placeholder: 'Acme onboarding',
		description: 'Optional name shown at the top of the group',
		displayOptions: { show: { ...onOperation('create'), ...onProvider('chert') } },
	},
	{
		displayName: 'Group Name',
		name: 'groupName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Acme onboarding',
		displayOptions: { show: { ...onOperation('create'), ...onProvider('periskope') } },
	},
	{
		displayName:
			'WhatsApp adds people directly only if they are in your phone’s contacts and their privacy settings allow it; everyone else gets an invite. Adding unknown numbers can get your number banned.',
		name: 'periskopeAddNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...onOperation('create', 'addParticipants'), ...onProvider('periskope') } },
	},
	{
		displayName: 'Force Add',
		name: 'forceAdd',
		type: 'boolean',
		default: false,
		description:
			'Whether to try adding everyone directly instead of sending invites to people who are not in your contacts',
		displayOptions: { show: { ...onOperation('create', 'addParticipants'), ...onProvider('periskope') } },
	},
];
