/**
 * The five operations as typed, validated inputs. Node parameters (already resolved by
 * n8n's expressions) go in; a clean OperationInput comes out, or an InputError that names
 * the field and the offending value. Nothing is sent before this succeeds.
 */
import { z } from 'zod';

import { isDotSegment } from './boundary';
import {
	describeValue,
	isCountryCode,
	listSome,
	normalizeAddress,
	normalizeAddressList,
	splitAddressList,
} from './addresses';
import type { AddressFormat } from './addresses';
import { InputError } from './errors';
import { OPERATIONS, PROVIDERS } from './types';
import type { Operation, Provider } from './types';

/** Per-provider rules the generic validation applies (declared in src/providers/*). */
export interface InputRules {
	addresses: AddressFormat;
	/** Create needs a sender line and a first message (Chert, Linq). */
	createNeedsSenderAndMessage: boolean;
	/** A group name on create: required (Periskope), optional (Chert's subject) or not taken (Linq). */
	createName: 'required' | 'optional' | 'none';
	/** Recipients on create, not counting the sender. */
	createRecipients: { min: number; max: number };
	/** Rejects text the provider refuses in a first message (e.g. links), or returns undefined. */
	checkFirstMessage?: (text: string) => string | undefined;
	/** Validates and normalizes a chat ID: the ID, or a message saying what is wrong. */
	normalizeChatId: (chatId: string) => { id: string } | { problem: string };
	/** Rename can change the icon too. */
	renameHasIcon: boolean;
	/** Create and rename take WhatsApp's group settings (description, image, who may do what). */
	groupSettings: boolean;
	/** Create and add can force-add people who would otherwise get an invite (WhatsApp). */
	forceAdd: boolean;
	/** Create accepts an idempotency key that makes a retried create safe. */
	idempotencyKeys: boolean;
	/** The provider can read one group (Get Group; the member picker of Remove Participants). */
	readsGroups: boolean;
	/** Send Message's options this provider takes (a link preview card, a reply, no automatic previews). */
	messageOptions: readonly MessageOption[];
	/** The fewest members a group may keep (removals that would leave fewer are refused before sending). */
	minMembers?: number;
}

/** Send Message's options, by the name of their field. */
export type MessageOption = 'linkPreviewUrl' | 'replyTo' | 'hideLinkPreview';

/** Settings Periskope applies on create and rename. */
export interface GroupSettings {
	description?: string;
	image?: string;
	messagesAdminsOnly?: boolean;
	infoAdminsOnly?: boolean;
	addMembersAdminsOnly?: boolean;
}

interface Common {
	provider: Provider;
}
export interface CreateInput extends Common {
	operation: 'create';
	sender?: string;
	participants: string[];
	firstMessage?: string;
	groupName?: string;
	idempotencyKey?: string;
	settings: GroupSettings;
	forceAdd: boolean;
}
export interface AddInput extends Common {
	operation: 'addParticipants';
	chatId: string;
	participants: string[];
	forceAdd: boolean;
}
export interface RemoveInput extends Common {
	operation: 'removeParticipants';
	chatId: string;
	participants: string[];
}
export interface RenameInput extends Common {
	operation: 'rename';
	chatId: string;
	groupName?: string;
	iconUrl?: string;
	settings: GroupSettings;
}
export interface LeaveInput extends Common {
	operation: 'leave';
	chatId: string;
}
export interface GetInput extends Common {
	operation: 'get';
	chatId: string;
}
export interface SendMessageInput extends Common {
	operation: 'sendMessage';
	chatId: string;
	text: string;
	/** The message this one answers (its provider id), where the provider takes one. */
	replyTo?: string;
	/** A link shown as a preview under the text (Chert's rich link part). */
	linkPreviewUrl?: string;
	/** WhatsApp: no automatic preview of links in the text. */
	hideLinkPreview: boolean;
	idempotencyKey?: string;
}
export interface ListGroupsInput extends Common {
	operation: 'listGroups';
	returnAll: boolean;
	/** How many groups at most, when not returning all. */
	limit: number;
	/** Only groups whose name contains this (any case). */
	nameFilter?: string;
	/** Only groups with this member (normalized like every address of the provider). */
	member?: string;
}
export interface AdminsInput extends Common {
	operation: 'promoteAdmins' | 'demoteAdmins';
	chatId: string;
	participants: string[];
}
export interface InviteLinkInput extends Common {
	operation: 'inviteLink';
	chatId: string;
	/** A new link (the old one stops working) instead of reading the current one. */
	reset: boolean;
}
export interface SyncInput extends Common {
	operation: 'syncMembers';
	chatId: string;
	/** The roster the group should have (your own line need not be in it: it is never removed). */
	members: string[];
	/** Compute and output the plan, change nothing. */
	previewOnly: boolean;
	/** Never remove an admin. */
	keepAdmins: boolean;
	/** Remove members who are not in the list (off: only add). */
	allowRemovals: boolean;
	forceAdd: boolean;
}
export type OperationInput =
	| CreateInput
	| AddInput
	| RemoveInput
	| RenameInput
	| LeaveInput
	| GetInput
	| SendMessageInput
	| ListGroupsInput
	| AdminsInput
	| InviteLinkInput
	| SyncInput;

/** What the node hands over: parameter values as n8n resolved them (any type). */
export interface RawParameters {
	provider: unknown;
	operation: unknown;
	chatId?: unknown;
	sender?: unknown;
	participants?: unknown;
	firstMessage?: unknown;
	groupName?: unknown;
	iconUrl?: unknown;
	idempotencyKey?: unknown;
	forceAdd?: unknown;
	groupSettings?: unknown;
	defaultCountry?: unknown;
	/** Remove Participants: the members picked from the group's current roster. */
	membersToRemove?: unknown;
	/** Send Message: the text, and its options (replyTo, linkPreviewUrl, hideLinkPreview). */
	message?: unknown;
	messageOptions?: unknown;
	/** List Groups: Return All, Limit, and filters (name, member). */
	returnAll?: unknown;
	limit?: unknown;
	groupFilters?: unknown;
	/** Invite Link: "get" the current link or "reset" it. */
	inviteLinkAction?: unknown;
	/** Sync Members: previewOnly, keepAdmins, allowRemovals. */
	syncOptions?: unknown;
}

const MAX_NAME_LENGTH = 100;
const MAX_MESSAGE_LENGTH = 5000;

/** Length as a person counts it: grapheme clusters (an emoji flag is one character). */
export function visibleLength(text: string): number {
	return Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)).length;
}

/** Only format characters, spaces, fillers and variation selectors: nothing a person can see. */
export function isInvisible(text: string): boolean {
	return (
		text.replace(
			/\p{Cf}|\p{Cc}|\p{Z}|\s|\u115F|\u1160|\u3164|\uFFA0|\u2800|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu,
			'',
		) === ''
	);
}

const optionalText = (field: string, max: number) =>
	z
		.union([z.string(), z.number()], {
			errorMap: (_issue, ctx) => ({
				message: `${field} must be text, got ${describeValue(ctx.data)}`,
			}),
		})
		.optional()
		.nullable()
		.transform((value) =>
			value === undefined || value === null ? undefined : String(value).trim(),
		)
		.refine((value) => value === undefined || visibleLength(value) <= max, {
			message: `${field} is longer than ${max} characters`,
		})
		.refine((value) => value === undefined || value === '' || !isInvisible(value), {
			message: `${field} contains only invisible characters (such as zero-width spaces)`,
		})
		.transform((value) => (value ? value : undefined));

const optionalBoolean = (field: string) =>
	z
		.boolean({
			errorMap: (_issue, ctx) => ({
				message: `${field} must be true or false, got ${describeValue(ctx.data)}`,
			}),
		})
		.optional()
		.nullable()
		.transform((value) => value ?? undefined);

const httpsUrl = (field: string) =>
	optionalText(field, 2048).refine(
		(value) => value === undefined || /^https:\/\/\S+$/i.test(value),
		{
			message: `${field} must be an https:// URL`,
		},
	);

const settingsSchema = z
	.object(
		{
			description: optionalText('Description', 2048),
			image: httpsUrl('Image URL'),
			messagesAdminsOnly: optionalBoolean('Only Admins Can Send Messages'),
			infoAdminsOnly: optionalBoolean('Only Admins Can Edit Group Info'),
			addMembersAdminsOnly: optionalBoolean('Only Admins Can Add Members'),
		},
		{ errorMap: () => ({ message: 'Group Settings must be a set of fields' }) },
	)
	.optional()
	.nullable()
	.transform((value) => value ?? {});

const messageOptionsSchema = z
	.object(
		{
			replyTo: optionalText('Reply To Message ID', 256),
			linkPreviewUrl: httpsUrl('Link Preview URL'),
			hideLinkPreview: optionalBoolean('Hide Link Previews'),
		},
		{ errorMap: () => ({ message: 'Message Options must be a set of fields' }) },
	)
	.optional()
	.nullable()
	.transform((value) => value ?? {});

const groupFiltersSchema = z
	.object(
		{
			name: optionalText('Name Contains', MAX_NAME_LENGTH),
			member: optionalText('Has Member', 64),
		},
		{ errorMap: () => ({ message: 'Filters must be a set of fields' }) },
	)
	.optional()
	.nullable()
	.transform((value) => value ?? {});

const syncOptionsSchema = z
	.object(
		{
			previewOnly: optionalBoolean('Preview Only'),
			keepAdmins: optionalBoolean('Keep Admins'),
			allowRemovals: optionalBoolean('Allow Removals'),
		},
		{ errorMap: () => ({ message: 'Sync Options must be a set of fields' }) },
	)
	.optional()
	.nullable()
	.transform((value) => value ?? {});

/** The most groups List Groups returns when not returning all (Limit's range). */
export const LIST_LIMIT = { min: 1, max: 1000, fallback: 50 } as const;

const fieldsSchema = z.object({
	message: optionalText('Message', MAX_MESSAGE_LENGTH),
	messageOptions: messageOptionsSchema,
	returnAll: optionalBoolean('Return All'),
	groupFilters: groupFiltersSchema,
	inviteLinkAction: z
		.enum(['get', 'reset'], {
			errorMap: (_issue, ctx) => ({
				message: `Action must be "get" or "reset", got ${describeValue(ctx.data)}`,
			}),
		})
		.optional()
		.nullable(),
	syncOptions: syncOptionsSchema,
	chatId: optionalText('Chat ID', 256),
	sender: optionalText('Sender', 64),
	firstMessage: optionalText('First Message', MAX_MESSAGE_LENGTH),
	groupName: optionalText('Group Name', MAX_NAME_LENGTH),
	iconUrl: httpsUrl('Group Icon URL'),
	idempotencyKey: optionalText('Idempotency Key', 200),
	forceAdd: optionalBoolean('Force Add'),
	groupSettings: settingsSchema,
});

/** Turns a zod failure into an InputError naming the field and the value it got. */
function toInputError(error: z.ZodError, raw: RawParameters): InputError {
	const issue = error.issues[0];
	const field = String(issue?.path[0] ?? 'parameters');
	const value = (raw as unknown as Record<string, unknown>)[field];
	const shown =
		typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
			? ` (got ${describeValue(value)})`
			: '';
	const message = issue?.message ?? 'invalid value';
	return new InputError(message.includes('got ') ? message : `${message}${shown}`, field, value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
		return value as T;
	throw new InputError(
		`${field} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`,
		field,
		value,
	);
}

export function readProvider(value: unknown): Provider {
	return oneOf(value, PROVIDERS, 'provider');
}

export function readOperation(value: unknown): Operation {
	return oneOf(value, OPERATIONS, 'operation');
}

/** Validates one item's parameters against the generic schema and the provider's rules. */
export function parseOperationInput(raw: RawParameters, rules: InputRules): OperationInput {
	const provider = readProvider(raw.provider);
	const operation = readOperation(raw.operation);
	const parsed = fieldsSchema.safeParse(raw);
	if (!parsed.success) throw toInputError(parsed.error, raw);
	const fields = parsed.data;

	const country = readCountry(raw.defaultCountry);
	// Remove Participants: the members picked from the roster count as typed participants.
	const picked =
		operation === 'removeParticipants'
			? splitAddressList(raw.membersToRemove, 'membersToRemove')
			: [];
	// WhatsApp linked ids (…@lid) name members who are already in a group: usable where a member
	// is removed, promoted, demoted, kept or looked for (List Groups' Has Member), refused where
	// someone is added.
	const takesLinkedIds = [
		'removeParticipants',
		'promoteAdmins',
		'demoteAdmins',
		'syncMembers',
		'listGroups',
	].includes(operation);
	const addresses: AddressFormat =
		rules.addresses.linkedIds && takesLinkedIds
			? { ...rules.addresses, linkedIds: 'accept' }
			: rules.addresses;
	const participants = () => {
		const source = picked.length ? [...picked, raw.participants ?? ''] : raw.participants;
		const list = normalizeAddressList(source, addresses, country, 'participants');
		if (list.length === 0) {
			throw new InputError(
				'Participants is empty: enter at least one phone number' +
					(rules.addresses.emails ? ' or email address' : '') +
					(operation === 'removeParticipants' && rules.readsGroups
						? ' (or pick Members to Remove)'
						: ''),
				'participants',
				raw.participants,
			);
		}
		return list;
	};
	const chatId = () => {
		if (!fields.chatId) {
			throw new InputError(
				'Chat ID is empty: enter the ID of the group chat',
				'chatId',
				raw.chatId,
			);
		}
		if (isDotSegment(fields.chatId)) {
			throw new InputError(
				`Chat ID "${fields.chatId}" is not a chat ID (dot segments would change the request’s route)`,
				'chatId',
				raw.chatId,
			);
		}
		const normalized = rules.normalizeChatId(fields.chatId);
		if ('problem' in normalized) throw new InputError(normalized.problem, 'chatId', raw.chatId);
		return normalized.id;
	};

	switch (operation) {
		case 'create': {
			const list = participants();
			const { min, max } = rules.createRecipients;
			if (list.length < min || list.length > max) {
				throw new InputError(
					`A new group needs ${min} to ${max} participants besides the sender, got ${list.length.toLocaleString('en-US')} (${listSome(list)})`,
					'participants',
					raw.participants,
				);
			}
			let sender: string | undefined;
			if (rules.createNeedsSenderAndMessage) {
				if (!fields.sender) {
					throw new InputError(
						'Sender is empty: enter one of your account’s phone numbers',
						'sender',
						raw.sender,
					);
				}
				const senders = splitAddressList(fields.sender, 'sender');
				if (senders.length !== 1) {
					throw new InputError(
						`Sender takes one phone number, got ${senders.length} (${listSome(senders)})`,
						'sender',
						raw.sender,
					);
				}
				sender = normalizeAddress(senders[0], rules.addresses, country, 'sender');
				if (!fields.firstMessage) {
					throw new InputError(
						'First Message is empty: a new group starts with a text message',
						'firstMessage',
						raw.firstMessage,
					);
				}
				const problem = rules.checkFirstMessage?.(fields.firstMessage);
				if (problem) throw new InputError(problem, 'firstMessage', raw.firstMessage);
			}
			if (rules.createName === 'required' && !fields.groupName) {
				throw new InputError(
					'Group Name is empty: enter a name for the group',
					'groupName',
					raw.groupName,
				);
			}
			return {
				provider,
				operation,
				sender,
				participants: list,
				firstMessage: rules.createNeedsSenderAndMessage ? fields.firstMessage : undefined,
				groupName: fields.groupName,
				idempotencyKey: fields.idempotencyKey,
				settings: fields.groupSettings,
				forceAdd: fields.forceAdd ?? false,
			};
		}
		case 'addParticipants':
			return {
				provider,
				operation,
				chatId: chatId(),
				participants: participants(),
				forceAdd: fields.forceAdd ?? false,
			};
		case 'removeParticipants':
			return { provider, operation, chatId: chatId(), participants: participants() };
		case 'rename': {
			const id = chatId();
			const iconUrl = rules.renameHasIcon ? fields.iconUrl : undefined;
			const settings = rules.groupSettings ? fields.groupSettings : {};
			const changesSomething =
				fields.groupName !== undefined ||
				iconUrl !== undefined ||
				Object.values(settings).some((value) => value !== undefined);
			if (!changesSomething) {
				throw new InputError(
					`Group Name is empty: enter the new name${rules.renameHasIcon ? ' (or a Group Icon URL)' : ''}`,
					'groupName',
					raw.groupName,
				);
			}
			return { provider, operation, chatId: id, groupName: fields.groupName, iconUrl, settings };
		}
		case 'leave':
			return { provider, operation, chatId: chatId() };
		case 'get':
			return { provider, operation, chatId: chatId() };
		case 'sendMessage': {
			const id = chatId();
			if (!fields.message) {
				throw new InputError('Message is empty: enter the text to send', 'message', raw.message);
			}
			const options = fields.messageOptions;
			return {
				provider,
				operation,
				chatId: id,
				text: fields.message,
				// Only the options this provider takes (an option saved before a provider change is left out).
				replyTo: rules.messageOptions.includes('replyTo') ? options.replyTo : undefined,
				linkPreviewUrl: rules.messageOptions.includes('linkPreviewUrl')
					? options.linkPreviewUrl
					: undefined,
				hideLinkPreview:
					rules.messageOptions.includes('hideLinkPreview') && (options.hideLinkPreview ?? false),
				idempotencyKey: fields.idempotencyKey,
			};
		}
		case 'listGroups': {
			const returnAll = fields.returnAll ?? false;
			const filters = fields.groupFilters;
			return {
				provider,
				operation,
				returnAll,
				limit: returnAll
					? LIST_LIMIT.max
					: numberOption(raw.limit, 'Limit', 'limit', LIST_LIMIT, true),
				nameFilter: filters.name,
				member: filters.member
					? normalizeAddress(filters.member, addresses, country, 'groupFilters')
					: undefined,
			};
		}
		case 'promoteAdmins':
		case 'demoteAdmins':
			return { provider, operation, chatId: chatId(), participants: participants() };
		case 'inviteLink':
			return { provider, operation, chatId: chatId(), reset: fields.inviteLinkAction === 'reset' };
		case 'syncMembers': {
			const id = chatId();
			// The list is the `participants` parameter, shown as Members: errors name it so.
			const members = normalizeAddressList(raw.participants, addresses, country, 'members');
			if (members.length === 0) {
				throw new InputError(
					'Members is empty: enter the list the group should have (to remove people, use Remove Participants)',
					'members',
					raw.participants,
				);
			}
			const options = fields.syncOptions;
			return {
				provider,
				operation,
				chatId: id,
				members,
				previewOnly: options.previewOnly ?? false,
				keepAdmins: options.keepAdmins ?? true,
				allowRemovals: options.allowRemovals ?? false,
				forceAdd: fields.forceAdd ?? false,
			};
		}
	}
}

function readCountry(value: unknown) {
	if (value === undefined || value === null || value === '') return undefined;
	const code = String(value).trim().toUpperCase();
	if (!isCountryCode(code)) {
		throw new InputError(
			`Default Country must be a two-letter country code such as US or GB, got ${describeValue(value)}`,
			'defaultCountry',
			value,
		);
	}
	return code;
}

/** The node's Options that shape sending, validated where expressions have already run. */
export interface NodeOptions {
	maxAttempts: number;
	timeoutMs: number;
	onPartialFailure: 'error' | 'output';
	/** Keep the provider's answers in each item's `raw` (default true, as before the option existed). */
	includeRaw: boolean;
	/** Items of different chats sent side by side (1 = one after the other). */
	concurrency: number;
	/** How long a credential may wait on rate limits with none of its requests getting through. */
	maxRateLimitWaitMs: number;
}

export const OPTION_RANGES = {
	maxAttempts: { min: 1, max: 10, fallback: 4 },
	timeoutSeconds: { min: 1, max: 300, fallback: 30 },
	concurrency: { min: 1, max: 50, fallback: 10 },
	maxRateLimitWaitSeconds: { min: 1, max: 3600, fallback: 300 },
} as const;

function numberOption(
	value: unknown,
	label: string,
	field: string,
	range: { min: number; max: number; fallback: number },
	whole: boolean,
): number {
	if (value === undefined || value === null || value === '') return range.fallback;
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: NaN;
	if (
		!Number.isFinite(number) ||
		number < range.min ||
		number > range.max ||
		(whole && !Number.isInteger(number))
	) {
		throw new InputError(
			`${label} must be ${whole ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}, got ${describeValue(value)}`,
			field,
			value,
		);
	}
	return number;
}

export function parseNodeOptions(options: Record<string, unknown>): NodeOptions {
	const mode = options.onPartialFailure ?? 'error';
	if (mode !== 'error' && mode !== 'output') {
		throw new InputError(
			`On Partial Failure must be "error" or "output", got ${describeValue(mode)}`,
			'onPartialFailure',
			mode,
		);
	}
	return {
		maxAttempts: numberOption(
			options.maxAttempts,
			'Max Attempts',
			'maxAttempts',
			OPTION_RANGES.maxAttempts,
			true,
		),
		timeoutMs:
			numberOption(
				options.timeout,
				'Timeout (Seconds)',
				'timeout',
				OPTION_RANGES.timeoutSeconds,
				false,
			) * 1000,
		onPartialFailure: mode,
		includeRaw: booleanOption(options.includeRaw, 'Include Raw Answers', 'includeRaw', true),
		concurrency: numberOption(
			options.concurrency,
			'Concurrency',
			'concurrency',
			OPTION_RANGES.concurrency,
			true,
		),
		maxRateLimitWaitMs:
			numberOption(
				options.maxRateLimitWait,
				'Max Rate Limit Wait (Seconds)',
				'maxRateLimitWait',
				OPTION_RANGES.maxRateLimitWaitSeconds,
				false,
			) * 1000,
	};
}

function booleanOption(value: unknown, label: string, field: string, fallback: boolean): boolean {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw new InputError(`${label} must be true or false, got ${describeValue(value)}`, field, value);
}
