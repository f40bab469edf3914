/**
 * The five operations as typed, validated inputs. Node parameters (already resolved by
 * n8n's expressions) go in; a clean OperationInput comes out, or an InputError that names
 * the field and the offending value. Nothing is sent before this succeeds.
 */
import { z } from 'zod';

import { describeValue, isCountryCode, normalizeAddressList } from './addresses';
import type { AddressFormat } from './addresses';
import { InputError } from './errors';
import { OPERATIONS, PROVIDERS } from './types';
import type { Operation, Provider } from './types';

/** Per-provider rules the generic validation applies (declared in src/providers/*). */
export interface InputRules {
	addresses: AddressFormat;
	/** Create needs a sender line and a first message (Chert, Linq). */
	createNeedsSenderAndMessage: boolean;
	/** Create needs a group name (Periskope). */
	createNeedsName: boolean;
	/** Recipients on create, not counting the sender. */
	createRecipients: { min: number; max: number };
	/** Rejects text the provider refuses in a first message (e.g. links), or returns undefined. */
	checkFirstMessage?: (text: string) => string | undefined;
	/** Validates and normalizes a chat ID: the ID, or a message saying what is wrong. */
	normalizeChatId: (chatId: string) => { id: string } | { problem: string };
	/** Rename can change the icon too. */
	renameHasIcon: boolean;
	/** Create accepts an idempotency key that makes a retried create safe. */
	idempotencyKeys: boolean;
}

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
export type OperationInput = CreateInput | AddInput | RemoveInput | RenameInput | LeaveInput;

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
}

const MAX_NAME_LENGTH = 100;
const MAX_MESSAGE_LENGTH = 5000;

const optionalText = (field: string, max: number) =>
	z
		.union([z.string(), z.number()], {
			errorMap: (_issue, ctx) => ({
				message: `${field} must be text, got ${describeValue(ctx.data)}`,
			}),
		})
		.optional()
		.nullable()
		.transform((value) => (value === undefined || value === null ? undefined : String(value).trim()))
		.refine((value) => value === undefined || value.length <= max, {
			message: `${field} is longer than ${max} characters`,
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
	optionalText(field, 2048).refine((value) => value === undefined || /^https:\/\/\S+$/i.test(value), {
		message: `${field} must be an https:// URL`,
	});

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

const fieldsSchema = z.object({
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

function oneOf<T extends string>(
	value: unknown,
	allowed: readonly T[],
	field: string,
): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
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
	const participants = () => {
		const list = normalizeAddressList(raw.participants, rules.addresses, country, 'participants');
		if (list.length === 0) {
			throw new InputError(
				'Participants is empty: enter at least one phone number' +
					(rules.addresses.emails ? ' or email address' : ''),
				'participants',
				raw.participants,
			);
		}
		return list;
	};
	const chatId = () => {
		if (!fields.chatId) {
			throw new InputError('Chat ID is empty: enter the ID of the group chat', 'chatId', raw.chatId);
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
					`A new group needs ${min} to ${max} participants besides the sender, got ${list.length} (${list.join(', ')})`,
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
				[sender] = normalizeAddressList(fields.sender, rules.addresses, country, 'sender');
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
			if (rules.createNeedsName && !fields.groupName) {
				throw new InputError('Group Name is empty: enter a name for the group', 'groupName', raw.groupName);
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
			const settings = rules.renameHasIcon ? {} : fields.groupSettings;
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
