/** Shared vocabulary of the adapter core: providers, operations and the normalized result. */

export const PROVIDERS = ['chert', 'linq', 'periskope'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const OPERATIONS = [
	'create',
	'addParticipants',
	'removeParticipants',
	'rename',
	'leave',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export type ResultStatus = 'done' | 'accepted' | 'partial' | 'failed';

export type ParticipantOutcomeKind =
	| 'added'
	| 'invited'
	| 'queued'
	| 'already_member'
	| 'removed'
	| 'not_member'
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
	/** The provider's answers, in request order (never credentials). */
	raw: unknown[];
}
