/**
 * Sync Members, free of n8n: a group's roster made equal to a declared list. Reads the group,
 * computes the difference, checks the provider's rules before anything is sent, then applies it
 * with the operations that already exist — Add Participants, then Remove Participants — in this
 * chat's lane. Your own line is never removed (only Leave Group removes it); admins are kept with
 * Keep Admins; without Allow Removals nobody is removed. Members are compared by what the
 * provider gives (a WhatsApp linked id `…@lid` is compared as such), so a second run of the
 * same sync finds nothing to change.
 */
import { LINKED_ID, listSome } from './addresses';
import { InputError, ProviderError } from './errors';
import type { AddInput, RemoveInput, SyncInput } from './operations';
import { runPlanned } from './plan';
import type { RunOptions } from './plan';
import type { GroupView, ProviderAdapter } from './providers/contract';
import { DEFAULT_RETRY, sendWithRetry } from './transport';
import { orderResult } from './types';
import type { GroupChatResult, ParticipantOutcome, SyncReport } from './types';

/** The difference between the group and the list: what to add, what to remove, whom to keep and why. */
export function syncPlan(
	group: GroupView,
	input: SyncInput,
): SyncReport['plan'] & { unchanged: string[] } {
	const active = group.members.filter((member) => member.status === 'active');
	const current = new Set(active.map((member) => member.address));
	const wanted = new Set(input.members);
	const own = (address: string) =>
		address === group.line || active.some((member) => member.isYou && member.address === address);
	const keep: SyncReport['plan']['keep'] = [];
	const remove: string[] = [];
	for (const member of active) {
		if (wanted.has(member.address)) continue;
		if (member.isYou || own(member.address))
			keep.push({ address: member.address, reason: 'your own line (only Leave Group removes it)' });
		else if (input.keepAdmins && member.isAdmin === true)
			keep.push({ address: member.address, reason: 'an admin (Keep Admins is on)' });
		else if (!input.allowRemovals)
			keep.push({ address: member.address, reason: 'not in the list (Allow Removals is off)' });
		else remove.push(member.address);
	}
	return {
		add: input.members.filter((address) => !current.has(address) && !own(address)),
		remove,
		keep,
		unchanged: input.members.filter((address) => current.has(address)),
	};
}

const ADDED = new Set(['added', 'queued', 'already_member']);
const REMOVED = new Set(['removed', 'queued', 'not_member']);

export async function syncMembers(
	adapter: ProviderAdapter,
	input: SyncInput,
	options: RunOptions,
): Promise<{ result: GroupChatResult; error?: ProviderError }> {
	const reader = adapter.lookups.group;
	if (!reader) throw new Error(`${adapter.label} cannot read a group's roster`);
	const retry = { ...DEFAULT_RETRY, ...options.retry };
	const read = await sendWithRetry(
		adapter,
		input.operation,
		reader.call(input.chatId),
		options.send,
		retry,
		options.hooks,
	);
	if (!read.ok) throw read.error;
	const group = reader.read(read.response.json);
	if (!group)
		throw new ProviderError(
			adapter.id,
			`${adapter.label}: could not read the group: the answer has no chat`,
		);

	const plan = syncPlan(group, input);
	const active = group.members.filter((member) => member.status === 'active').length;
	// The minimum must hold with the removals alone: a provider that queues additions (Linq) may
	// check a removal before the sync's additions are in the group, and refuses it there.
	const minimum = adapter.rules.minMembers;
	const left = active - plan.remove.length;
	if (minimum !== undefined && plan.remove.length > 0 && left < minimum) {
		const adds = plan.add.length
			? `; the ${plan.add.length} to add do not count, because ${adapter.label} may apply additions after the removals. Add first (Allow Removals off), then sync again once they are in the group`
			: '';
		throw new InputError(
			`${adapter.label} needs at least ${minimum} members in a group: this sync's removals would leave ${left} (${active} now, ${plan.remove.length} to remove${adds}). Nothing was changed`,
			'members',
			input.members,
		);
	}
	// A linked id names a member without a phone number: one who is not in the group cannot be
	// added (Add Participants refuses it too), so the list is refused before anything changes.
	const linked = plan.add.filter((address) => LINKED_ID.test(address));
	if (linked.length > 0) {
		throw new InputError(
			`Members: ${listSome(linked.map((address) => `"${address}"`))} ${linked.length === 1 ? 'is a WhatsApp linked ID' : 'are WhatsApp linked IDs'} not in the group; a linked ID names a member without a phone number and cannot be added (add the person by phone number, or take it out of the list). Nothing was changed`,
			'members',
			input.members,
		);
	}
	const report: SyncReport = {
		preview: input.previewOnly,
		plan: { add: plan.add, remove: plan.remove, keep: plan.keep },
		added: [],
		invited: [],
		removed: [],
		unchanged: plan.unchanged,
		failed: [],
	};
	const base = {
		provider: adapter.id,
		operation: input.operation,
		chatId: group.chatId,
		name: group.name,
	};
	if (input.previewOnly || (plan.add.length === 0 && plan.remove.length === 0)) {
		return {
			result: orderResult(
				{ ...base, status: 'done', sync: report, participants: [], raw: [] },
				options.includeRaw ?? true,
			),
		};
	}

	// Adds first, then removals (the minimum above holds without the adds).
	const outcomes: ParticipantOutcome[] = [];
	const raw: unknown[] = [];
	let error: ProviderError | undefined;
	let queued = false;
	const steps: Array<AddInput | RemoveInput> = [];
	if (plan.add.length)
		steps.push({
			provider: input.provider,
			operation: 'addParticipants',
			chatId: input.chatId,
			participants: plan.add,
			forceAdd: input.forceAdd,
		});
	if (plan.remove.length)
		steps.push({
			provider: input.provider,
			operation: 'removeParticipants',
			chatId: input.chatId,
			participants: plan.remove,
		});
	for (const step of steps) {
		// A refusal of the whole request (unknown chat, bad key): every address of the step failed.
		const run = await runPlanned(adapter, step, options).then(
			(planned) => planned,
			(thrown: unknown) =>
				thrown instanceof ProviderError
					? {
							result: {
								...base,
								status: 'failed' as const,
								participants: step.participants.map(
									(address): ParticipantOutcome => ({
										address,
										outcome: 'failed',
										message: thrown.message,
										code: thrown.details.code,
									}),
								),
								raw: [],
							},
							error: thrown,
						}
					: Promise.reject(thrown),
		);
		error ??= run.error;
		raw.push(...(run.result.raw ?? []));
		for (const outcome of run.result.participants) {
			outcomes.push(outcome);
			if (outcome.outcome === 'queued') queued = true;
			if (outcome.outcome === 'failed') report.failed.push(outcome);
			else if (outcome.outcome === 'invited') report.invited.push(outcome.address);
			else if (step.operation === 'addParticipants' && ADDED.has(outcome.outcome))
				report.added.push(outcome.address);
			else if (step.operation === 'removeParticipants' && REMOVED.has(outcome.outcome))
				report.removed.push(outcome.address);
		}
	}
	const failed = report.failed.length;
	const status =
		failed === 0
			? queued
				? 'accepted'
				: 'done'
			: failed === outcomes.length
				? 'failed'
				: 'partial';
	return {
		result: orderResult(
			{ ...base, status, sync: report, participants: outcomes, raw },
			options.includeRaw ?? true,
		),
		error,
	};
}
