import type {
	INodeProperties,
	INodePropertyModeValidation,
	INodePropertyOptions,
} from 'n8n-workflow';

import { ENTRIES } from '../../../src/providers';
import type { ProviderEntry } from '../../../src/providers/contract';
import { OPERATIONS } from '../../../src/types';
import type { Operation } from '../../../src/types';
import { onOperation, onProvider, providerLabelExpression, providersWhere } from './providers';

/** Operations in the node panel: each says what it needs and what it returns (also for AI tools). */
const OPERATION_OPTIONS = {
	addParticipants: {
		name: 'Add Participants',
		value: 'addParticipants',
		action: 'Add participants to a group chat',
		description:
			'Add people to an existing group. Needs the chat ID and phone numbers (or Apple ID emails on iMessage). Returns one outcome per person: added, invited, queued, already_member or failed.',
	},
	create: {
		name: 'Create Group',
		value: 'create',
		action: 'Create a group chat',
		description:
			'Start a new group. Needs the participants, plus a sender line and first message (iMessage) or a group name (WhatsApp). Returns the new chat ID, the name and the roster.',
	},
	get: {
		name: 'Get Group',
		value: 'get',
		action: 'Get a group chat',
		description:
			'Read a group by chat ID. Returns its name, the roster of current members (addresses normalized like the other operations), each member’s details and your own line.',
	},
	leave: {
		name: 'Leave Group',
		value: 'leave',
		action: 'Leave a group chat',
		description:
			'Make your own line leave a group. Needs the chat ID. Returns the chat ID and status.',
	},
	removeParticipants: {
		name: 'Remove Participants',
		value: 'removeParticipants',
		action: 'Remove participants from a group chat',
		description:
			'Remove people from a group. Needs the chat ID and their phone numbers or emails. Returns one outcome per person: removed, not_member, queued or failed.',
	},
	rename: {
		name: 'Rename Group',
		value: 'rename',
		action: 'Rename a group chat',
		description:
			'Change a group’s name (and its icon on iMessage, or its settings on WhatsApp). Needs the chat ID and the new name. Returns the chat ID and the name.',
	},
	sendMessage: {
		name: 'Send Message',
		value: 'sendMessage',
		action: 'Send a message to a group chat',
		description:
			'Post a text message into an existing group, for example a welcome after Add Participants. Needs the chat ID and the text (up to 5,000 characters). Returns messageId, chatId and status: done once sent, accepted while the provider still queues it (Periskope queues every send; its messageId is then a queue ID). Every call sends a new message.',
	},
	listGroups: {
		name: 'List Groups',
		value: 'listGroups',
		action: 'List group chats',
		description:
			'List your groups, optionally only those whose name contains a text or that have a given member (a phone number). Returns one item per group in Get Group’s shape (chatId, name, roster, members, details), up to Limit unless Return All is on. Linq and Periskope only: Chert cannot list groups.',
	},
	promoteAdmins: {
		name: 'Promote Admins',
		value: 'promoteAdmins',
		action: 'Make group members admins',
		description:
			'Make members of a WhatsApp group admins (Periskope only: iMessage, RCS and SMS groups have no admins). Needs the chat ID and the members’ phone numbers, or linked IDs ending in @lid. Returns one outcome per person: promoted, already_admin or failed (for example not in the group).',
	},
	demoteAdmins: {
		name: 'Demote Admins',
		value: 'demoteAdmins',
		action: 'Remove admin rights from group members',
		description:
			'Take admin rights from members of a WhatsApp group; they stay members (Periskope only). Needs the chat ID and the members’ phone numbers, or linked IDs ending in @lid. Your own line is refused before anything is sent. Returns one outcome per person: demoted, not_admin or failed.',
	},
	inviteLink: {
		name: 'Invite Link',
		value: 'inviteLink',
		action: 'Get or reset a group invite link',
		description:
			'Get a WhatsApp group’s current invite link, or reset it: a new link, and the old one stops working (Periskope only). Needs the chat ID and the action, Get Current Link or Reset Link. Returns inviteLink (null when the group has none). Useful when WhatsApp sent someone an invite instead of adding them.',
	},
	syncMembers: {
		name: 'Sync Members',
		value: 'syncMembers',
		action: 'Make a group’s members match a list',
		description:
			'Make a group’s members equal to a list kept elsewhere (CRM, sheet, course roster): adds who is missing and, only with Allow Removals on, removes who is not listed; admins are kept unless Keep Admins is off, and your own line is never removed. Needs the chat ID and the complete list. Returns sync: the plan (add, remove, keep with reasons) and added, invited, removed, unchanged and failed; with Preview Only on, the plan alone and nothing is changed. A second run with the same list changes nothing. Linq and Periskope only: Chert cannot read a group’s members.',
	},
} satisfies Record<Operation, INodePropertyOptions & { action: string }>;

/**
 * Operation, once per set of providers that can do the same operations (Get Group only where the
 * provider can read a group): each provider's `operations`, in the panel's alphabetical order.
 */
export const operationProperties: INodeProperties[] = (() => {
	const sets = new Map<string, { operations: readonly Operation[]; providers: string[] }>();
	for (const entry of ENTRIES) {
		const operations = [...entry.adapter.operations].sort((a, b) =>
			OPERATION_OPTIONS[a].name.localeCompare(OPERATION_OPTIONS[b].name),
		);
		const key = operations.join(',');
		const set = sets.get(key) ?? { operations, providers: [] };
		set.providers.push(entry.id);
		sets.set(key, set);
	}
	// n8n's node panel lists the first Operation property's options as the node's Actions, and an
	// action picked there sets that property's provider: the set with the most operations (every
	// operation: Periskope's) comes first, so every action is listed and lands where it works.
	return [...sets.values()]
		.sort((a, b) => b.operations.length - a.operations.length)
		.map(
			({ operations, providers }): INodeProperties => ({
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: onProvider(...providers) },
				options: operations.map((operation) => OPERATION_OPTIONS[operation]),
				default: 'create',
			}),
		);
})();

/**
 * The description of both nodes. n8n's node panel shows the action node and its trigger as one
 * entry whose description it takes from the trigger, so both say what the whole node does.
 */
export const NODE_DESCRIPTION =
	'Create and manage group chats on iMessage (Chert, Linq), RCS/SMS (Linq) and WhatsApp (Periskope) — members, admins, messages, invite links, roster sync — and start workflows when they change';

/** The node's subtitle: "Add Participants · Linq", from the operations' and providers' names. */
export const subtitle = `={{ (${JSON.stringify(
	Object.fromEntries(
		Object.entries(OPERATION_OPTIONS).map(([value, option]) => [value, option.name]),
	),
)})[$parameter["operation"]] + " · " + ${providerLabelExpression} }}`;

/** The operations that act on an existing chat (they take the Chat field): all but those that make or list groups. */
const CHAT_OPERATIONS: Operation[] = OPERATIONS.filter(
	(operation) => operation !== 'create' && operation !== 'listGroups',
);

/** The Chat list's search method of a provider that can list groups (see ../methods.ts). */
export function searchMethodOf(entry: ProviderEntry): string {
	return `search${entry.label}Chats`;
}

/**
 * Chat, once per provider: From List where the provider can list groups, By ID everywhere, with
 * that provider's ID format. Saved workflows whose chatId is a plain string (or an expression)
 * keep working: the node reads it with extractValue.
 */
export const chatIdProperties: INodeProperties[] = ENTRIES.map((entry): INodeProperties => {
	const { chat } = entry.editor;
	const show = { ...onOperation(...CHAT_OPERATIONS), ...onProvider(entry.id) };
	const validation: INodePropertyModeValidation[] = [
		{ type: 'regex', properties: { regex: chat.pattern, errorMessage: chat.patternError } },
	];
	if (entry.adapter.lookups.chats === undefined) {
		return {
			displayName: 'Chat',
			name: 'chatId',
			type: 'resourceLocator',
			required: true,
			default: { mode: 'id', value: '' },
			description: chat.description,
			modes: [
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: chat.placeholder,
					hint: chat.hint,
					validation,
				},
			],
			displayOptions: { show },
		};
	}
	return {
		displayName: 'Chat',
		name: 'chatId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: chat.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a group…',
				typeOptions: { searchListMethod: searchMethodOf(entry), searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: chat.placeholder,
				hint: chat.hint,
				validation,
			},
		],
		displayOptions: { show },
	};
});

/** Providers that can read a group's members (Members to Remove), and those that cannot. */
const READS_GROUPS = providersWhere((entry) => entry.adapter.lookups.group !== undefined);
const TYPES_MEMBERS = providersWhere((entry) => entry.adapter.lookups.group === undefined);

const PARTICIPANTS_DESCRIPTION =
	'Phone numbers separated by commas or new lines, in any common format, or an expression returning a list. Numbers without a country code use the Default Country option. Chert and Linq also accept email addresses (Apple IDs).';

/**
 * Participants, required everywhere except Remove on providers that can list a group's
 * members: there the Members to Remove picker may name everyone instead.
 */
// n8n hides a parameter when ANY `hide` key matches, so "remove on Linq/Periskope only" needs
// separate `show` variants of the same parameter.
const requiredParticipants: INodeProperties = {
	displayName: 'Participants',
	name: 'participants',
	type: 'string',
	typeOptions: { rows: 2 },
	required: true,
	default: '',
	placeholder: '+1 415 555 1234, (415) 555-9876',
	description: PARTICIPANTS_DESCRIPTION,
};

export const participantsProperties: INodeProperties[] = [
	{ ...requiredParticipants, displayOptions: { show: onOperation('create', 'addParticipants') } },
	{
		...requiredParticipants,
		description:
			'The members’ phone numbers separated by commas or new lines, in any common format, or an expression returning a list. They must already be in the group. Numbers without a country code use the Default Country option; WhatsApp members known only by a linked ID can be given as that ID (…@lid).',
		displayOptions: { show: onOperation('promoteAdmins', 'demoteAdmins') },
	},
	{
		...requiredParticipants,
		displayOptions: {
			show: { ...onOperation('removeParticipants'), ...onProvider(...TYPES_MEMBERS) },
		},
	},
	{
		displayName: 'Members to Remove Names or IDs',
		name: 'membersToRemove',
		type: 'multiOptions',
		typeOptions: {
			loadOptionsMethod: 'getGroupMembers',
			loadOptionsDependsOn: ['chatId.value', 'provider'],
		},
		default: [],
		description:
			'The group’s current members, read from the provider. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: {
			show: { ...onOperation('removeParticipants'), ...onProvider(...READS_GROUPS) },
		},
	},
	{
		displayName: 'Participants',
		name: 'participants',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: '+1 415 555 1234, (415) 555-9876',
		description:
			'Anyone else to remove, typed or from an expression, in addition to Members to Remove. Phone numbers separated by commas or new lines, in any common format. Numbers without a country code use the Default Country option.',
		displayOptions: {
			show: { ...onOperation('removeParticipants'), ...onProvider(...READS_GROUPS) },
		},
	},
];
