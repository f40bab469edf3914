import type { INodeProperties } from 'n8n-workflow';

import { LIST_LIMIT } from '../../../src/operations';
import type { MessageOption } from '../../../src/operations';
import { onOperation, providersWhere } from './providers';

/** Send Message's options, each on the providers that take it. */
const taking = (option: MessageOption) =>
	providersWhere((entry) => entry.adapter.rules.messageOptions.includes(option));
const linkPreviews = taking('linkPreviewUrl');
const replies = taking('replyTo');
const hidesPreviews = taking('hideLinkPreview');
/** Providers whose groups have admins (they can promote and demote). */
const withAdmins = providersWhere((entry) => entry.adapter.operations.includes('promoteAdmins'));

/** The fields of the operations that work with the whole group: messages, lists, links, sync. */
export const groupProperties: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'Welcome to the group! Introduce yourself to everyone.',
		description: 'The text to post into the group, up to 5,000 characters. Links are allowed.',
		displayOptions: { show: onOperation('sendMessage') },
	},
	{
		displayName: 'Message Options',
		name: 'messageOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: onOperation('sendMessage') },
		options: [
			{
				displayName: 'Hide Link Previews',
				name: 'hideLinkPreview',
				type: 'boolean',
				default: false,
				description: 'Whether to send links in the text without WhatsApp’s automatic preview',
				displayOptions: { show: { '/provider': hidesPreviews } },
			},
			{
				displayName: 'Link Preview URL',
				name: 'linkPreviewUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/welcome',
				description: 'An https:// link shown as a preview card (iMessage rich link) under the text',
				displayOptions: { show: { '/provider': linkPreviews } },
			},
			{
				displayName: 'Reply To Message ID',
				name: 'replyTo',
				type: 'string',
				default: '',
				description:
					'The ID of the group message this one answers, for example from the Group Chat Trigger’s raw message. On WhatsApp it must be a message ID, not the queue ID that Send Message returns.',
				displayOptions: { show: { '/provider': replies } },
			},
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: onOperation('listGroups') },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: LIST_LIMIT.min, maxValue: LIST_LIMIT.max },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...onOperation('listGroups'), returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'groupFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: onOperation('listGroups') },
		options: [
			{
				displayName: 'Has Member',
				name: 'member',
				type: 'string',
				default: '',
				placeholder: '+1 415 555 1234',
				description:
					'Only groups this person is in: a phone number in any common format (Default Country applies), or an Apple ID email on iMessage',
			},
			{
				displayName: 'Name Contains',
				name: 'name',
				type: 'string',
				default: '',
				placeholder: 'onboarding',
				description: 'Only groups whose name contains this text (any case)',
			},
		],
	},
	{
		displayName: 'Action',
		name: 'inviteLinkAction',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Get Current Link',
				value: 'get',
				description: 'Read the group’s current link without changing it',
			},
			{
				name: 'Reset Link',
				value: 'reset',
				description:
					'Make a new link; the old one stops working (use it when a link was shared too widely)',
			},
		],
		default: 'get',
		displayOptions: { show: onOperation('inviteLink') },
	},
	{
		displayName: 'Members',
		name: 'participants',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: '+1 415 555 1234, +1 415 555 9876',
		description:
			'The complete list the group should have: phone numbers separated by commas or new lines, in any common format, or an expression returning a list (for example from a sheet or CRM). Numbers without a country code use the Default Country option. WhatsApp members known only by a linked ID (…@lid) can be listed as such. Your own line need not be in it: it is never removed.',
		displayOptions: { show: onOperation('syncMembers') },
	},
	{
		displayName: 'Sync Options',
		name: 'syncOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: onOperation('syncMembers') },
		options: [
			{
				displayName: 'Allow Removals',
				name: 'allowRemovals',
				type: 'boolean',
				default: false,
				description:
					'Whether to remove members who are not in the list (never your own line). Off: the sync only adds.',
			},
			{
				displayName: 'Keep Admins',
				name: 'keepAdmins',
				type: 'boolean',
				default: true,
				description:
					'Whether to keep admins who are not in the list even when Allow Removals is on',
				displayOptions: { show: { '/provider': withAdmins } },
			},
			{
				displayName: 'Preview Only',
				name: 'previewOnly',
				type: 'boolean',
				default: false,
				description:
					'Whether to only compute and output the plan (who would be added, removed and kept, and why), changing nothing',
			},
		],
	},
];
