import type { INodeProperties } from 'n8n-workflow';

import { onOperation, onProvider, providersWhere } from './providers';

const withIcon = providersWhere((entry) => entry.adapter.rules.renameHasIcon);
const withSettings = providersWhere((entry) => entry.adapter.rules.groupSettings);

export const renameProperties: INodeProperties[] = [
	{
		displayName: 'New Group Name',
		name: 'groupName',
		type: 'string',
		default: '',
		placeholder: 'Acme onboarding (closed)',
		description: 'The name to give the group. Leave empty to change only the icon.',
		displayOptions: { show: { ...onOperation('rename'), ...onProvider(...withIcon) } },
	},
	{
		displayName: 'New Group Name',
		name: 'groupName',
		type: 'string',
		default: '',
		placeholder: 'Acme onboarding (closed)',
		description: 'The name to give the group. Leave empty to change only the group settings.',
		displayOptions: { show: { ...onOperation('rename'), ...onProvider(...withSettings) } },
	},
	{
		displayName: 'Group Icon URL',
		name: 'iconUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/icon.png',
		description: 'Optional https:// URL of an image to use as the group icon',
		displayOptions: { show: { ...onOperation('rename'), ...onProvider(...withIcon) } },
	},
	{
		displayName: 'Group Settings',
		name: 'groupSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		displayOptions: {
			show: { ...onOperation('create', 'rename'), ...onProvider(...withSettings) },
		},
		options: [
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
			},
			{
				displayName: 'Image URL',
				name: 'image',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/group.png',
			},
			{
				displayName: 'Only Admins Can Add Members',
				name: 'addMembersAdminsOnly',
				type: 'boolean',
				default: false,
				description: 'Whether only admins can add members',
			},
			{
				displayName: 'Only Admins Can Edit Group Info',
				name: 'infoAdminsOnly',
				type: 'boolean',
				default: false,
				description: 'Whether only admins can change the name, icon and description',
			},
			{
				displayName: 'Only Admins Can Send Messages',
				name: 'messagesAdminsOnly',
				type: 'boolean',
				default: false,
				description: 'Whether only admins can send messages',
			},
		],
	},
];
