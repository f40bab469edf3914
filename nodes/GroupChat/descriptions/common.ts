import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

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
		description: 'Make your own line leave a group. Needs the chat ID. Returns the chat ID and status.',
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
} satisfies Record<string, INodePropertyOptions & { action: string }>;

const { addParticipants, create, get, leave, removeParticipants, rename } = OPERATION_OPTIONS;

/**
 * Operation, once per set of providers: Get Group is offered only where the provider can read
 * a group (Linq, Periskope), never on Chert.
 */
export const operationProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: onProvider('chert') },
		options: [addParticipants, create, leave, removeParticipants, rename],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: onProvider('linq', 'periskope') },
		options: [addParticipants, create, get, leave, removeParticipants, rename],
		default: 'create',
	},
];

const CHAT_OPERATIONS = ['addParticipants', 'removeParticipants', 'rename', 'leave', 'get'];

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// The By ID patterns accept an empty value: "required" already says that, once.

/**
 * Chat ID, once per provider: From List where the provider can list groups (Linq, Periskope),
 * By ID everywhere, with that provider's ID format. Saved workflows whose chatId is a plain
 * string (or an expression) keep working: the node reads it with extractValue.
 */
export const chatIdProperties: INodeProperties[] = [
	{
		displayName: 'Chat',
		name: 'chatId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'id', value: '' },
		description:
			'The iMessage group on Chert: its ID (ch_… or a UUID). Chert cannot list groups; the Create Group output has the ID as chatId.',
		modes: [
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. ch_01HGROUP',
				hint: 'Use {{ $json.chatId }} to take it from a Create Group before this node',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: `^\\s*(ch_[^\\s/?#]+|${UUID})?\\s*$`,
							errorMessage: 'A Chert chat ID starts with ch_ or is a UUID',
						},
					},
				],
			},
		],
		displayOptions: { show: { ...onOperation(...CHAT_OPERATIONS), ...onProvider('chert') } },
	},
	{
		displayName: 'Chat',
		name: 'chatId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The Linq group: pick it from your group chats, or enter its ID (a UUID)',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a group…',
				typeOptions: { searchListMethod: 'searchLinqChats', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 550e8400-e29b-41d4-a716-446655440000',
				hint: 'The Create Group output has it as chatId',
				validation: [
					{ type: 'regex', properties: { regex: `^\\s*(${UUID})?\\s*$`, errorMessage: 'A Linq chat ID is a UUID' } },
				],
			},
		],
		displayOptions: { show: { ...onOperation(...CHAT_OPERATIONS), ...onProvider('linq') } },
	},
	{
		displayName: 'Chat',
		name: 'chatId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The WhatsApp group: pick it from your groups, or enter its ID (digits@g.us)',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a group…',
				typeOptions: { searchListMethod: 'searchPeriskopeChats', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 120363371308389685@g.us',
				hint: 'The Create Group output has it as chatId',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^\\s*([\\d-]+(@g\\.us)?)?\\s*$',
							errorMessage: 'A WhatsApp group ID is digits followed by @g.us',
						},
					},
				],
			},
		],
		displayOptions: { show: { ...onOperation(...CHAT_OPERATIONS), ...onProvider('periskope') } },
	},
];

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
		displayOptions: { show: { ...onOperation('removeParticipants'), ...onProvider('chert') } },
	},
	{
		displayName: 'Members to Remove Names or IDs',
		name: 'membersToRemove',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getGroupMembers', loadOptionsDependsOn: ['chatId.value', 'provider'] },
		default: [],
		description:
			'The group’s current members, read from the provider. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show: { ...onOperation('removeParticipants'), ...onProvider('linq', 'periskope') } },
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
		displayOptions: { show: { ...onOperation('removeParticipants'), ...onProvider('linq', 'periskope') } },
	},
];
