/** Shared vocabulary of the adapter core: providers, operations and the normalized result. */

export const PROVIDERS = ['chert', 'linq', 'periskope'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const OPERATIONS = [
	'create',
	'addParticipants',
	'removeParticipants',
	'rename',
	'leave',
	'get',
	'sendMessage',
	'listGroups',
	'promoteAdmins',
	'demoteAdmins',
	'inviteLink',
	'syncMembers',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Each operation's name as the editor shows it (and messages say it). */
export const OPERATION_LABELS: Record<Operation, string> = {
	create: 'Create Group',
	addParticipants: 'Add Participants',
	removeParticipants: 'Remove Participants',
	rename: 'Rename Group',
	leave: 'Leave Group',
	get: 'Get Group',
	sendMessage: 'Send Message',
	listGroups: 'List Groups',
	promoteAdmins: 'Promote Admins',
	demoteAdmins: 'Demote Admins',
	inviteLink: 'Invite Link',
	syncMembers: 'Sync Members',
};

export type ResultStatus = 'done' | 'accepted' | 'partial' | 'failed';

export type ParticipantOutcomeKind =
	| 'added'
	| 'invited'
	| 'queued'
	| 'already_member'
	| 'removed'
	| 'not_member'
	| 'promoted'
	| 'already_admin'
	| 'demoted'
	| 'not_admin'
	| 'failed';

export interface ParticipantOutcome {
	address: string;
	outcome: ParticipantOutcomeKind;
	message: string;
	/** Provider error code for a failed address, when the provider gave one. */
	code?: string | number;
}

/** One output item per input item, the same shape on every provider. */
export interface GroupChatResult {
	provider: Provider;
	operation: Operation;
	chatId: string | null;
	status: ResultStatus;
	name?: string | null;
	participants: ParticipantOutcome[];
	roster?: string[];
	/** Get Group: every member the provider lists, with what it says about each. */
	members?: GroupMember[];
	/** Get Group: your own line's address in this group (leave it out when pruning a roster). */
	line?: string | null;
	/** Get Group: what else the provider says about the group, the same keys on every provider. */
	details?: GroupDetails;
	/** Send Message: the provider's id of the message (Periskope: its queue id until sent). */
	messageId?: string | null;
	/** Invite Link: the group's current invite link (after a reset, the new one). */
	inviteLink?: string | null;
	/** Sync Members: what was (or, with Preview Only, would be) changed; see SyncReport. */
	sync?: SyncReport;
	/** The provider's answers, in request order (never credentials). Left out with Include Raw Answers off. */
	raw: unknown[];
}

/**
 * Sync Members' outcome: the group's roster made equal to a declared list. `plan` is what the
 * difference called for; the other lists say what happened to each address (all empty with
 * Preview Only, when nothing is sent).
 */
export interface SyncReport {
	preview: boolean;
	plan: {
		add: string[];
		remove: string[];
		/** Members kept although the list leaves them out, and why (your own line, an admin, removals off). */
		keep: { address: string; reason: string }[];
	};
	added: string[];
	/** WhatsApp sent these an invite instead of adding them. */
	invited: string[];
	removed: string[];
	unchanged: string[];
	failed: ParticipantOutcome[];
}

/** One member as Get Group reports it. */
export interface GroupMember {
	/** Normalized like every address of this provider (E.164 / email, or WhatsApp digits). */
	address: string;
	/** Whether this is your own line. */
	isYou: boolean;
	/** active, or left / removed when the provider still lists former members (Linq). */
	status: 'active' | 'left' | 'removed';
	/** WhatsApp admin flags; null where the network has no admins (iMessage, RCS, SMS). */
	isAdmin: boolean | null;
	joinedAt: string | null;
}

export interface GroupDetails {
	/** iMessage, RCS, SMS or WhatsApp. */
	service: string | null;
	iconUrl: string | null;
	description: string | null;
	memberCount: number;
	/** False once your line has left the group. */
	youAreMember: boolean;
	createdAt: string | null;
	updatedAt: string | null;
	/** Group settings where the provider has them (WhatsApp). */
	settings?: Record<string, unknown>;
}

/** Status of a fan-out operation from its per-address outcomes: all went through, some, or none. */
export function statusFrom(
	outcomes: { outcome: string }[],
	allOk: 'done' | 'accepted',
): ResultStatus {
	const failed = outcomes.filter((entry) => entry.outcome === 'failed').length;
	if (failed === 0) return allOk;
	return failed === outcomes.length ? 'failed' : 'partial';
}

/** The order of an output item's keys: what a person reads first comes first, `raw` last. */
const RESULT_KEY_ORDER = [
	'status',
	'chatId',
	'name',
	'messageId',
	'inviteLink',
	'sync',
	'participants',
	'roster',
	'members',
	'line',
	'details',
];
const RESULT_KEYS_LAST = ['provider', 'operation', 'raw'];

/**
 * The result with its keys in reading order (status, chatId, name, participants, roster, …,
 * provider, operation, raw), and without `raw` when the user turned raw answers off.
 */
export function orderResult(result: GroupChatResult, includeRaw = true): GroupChatResult {
	const source = result as unknown as Record<string, unknown>;
	const ordered: Record<string, unknown> = {};
	const last = new Set(RESULT_KEYS_LAST);
	for (const key of RESULT_KEY_ORDER) if (source[key] !== undefined) ordered[key] = source[key];
	for (const key of Object.keys(source)) {
		if (!(key in ordered) && !last.has(key) && source[key] !== undefined)
			ordered[key] = source[key];
	}
	for (const key of RESULT_KEYS_LAST) if (source[key] !== undefined) ordered[key] = source[key];
	if (!includeRaw) delete ordered.raw;
	return ordered as unknown as GroupChatResult;
}
