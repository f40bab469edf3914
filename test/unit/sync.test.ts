/**
 * syncPlan (src/sync.ts): the difference between a group and the list it should have — whom to
 * add, whom to remove, whom to keep and why — case by case, and as properties over generated
 * groups and lists: your own line is never touched, admins are kept with Keep Admins, nobody is
 * removed without Allow Removals, and applying the plan leaves nothing to do the second time.
 */
import fc from 'fast-check';

import type { SyncInput } from '../../src/operations';
import type { GroupView } from '../../src/providers/contract';
import { syncPlan } from '../../src/sync';
import type { GroupMember } from '../../src/types';

const ME = '14155550180';

function member(address: string, extra: Partial<GroupMember> = {}): GroupMember {
	return {
		address,
		isYou: address === ME,
		status: 'active',
		isAdmin: false,
		joinedAt: null,
		...extra,
	};
}

function group(members: GroupMember[], line: string | null = ME): GroupView {
	const roster = members.filter((entry) => entry.status === 'active').map((entry) => entry.address);
	return {
		chatId: '1203@g.us',
		name: 'G',
		roster,
		members,
		line,
		details: {
			service: 'WhatsApp',
			iconUrl: null,
			description: null,
			memberCount: roster.length,
			youAreMember: true,
			createdAt: null,
			updatedAt: null,
		},
	};
}

function input(members: string[], options: Partial<SyncInput> = {}): SyncInput {
	return {
		provider: 'periskope',
		operation: 'syncMembers',
		chatId: '1203@g.us',
		members,
		previewOnly: false,
		keepAdmins: true,
		allowRemovals: false,
		forceAdd: false,
		...options,
	};
}

const OWN = 'your own line (only Leave Group removes it)';
const ADMIN = 'an admin (Keep Admins is on)';
const OFF = 'not in the list (Allow Removals is off)';

describe('syncPlan, case by case', () => {
	const five = group([
		member(ME, { isAdmin: true }),
		member('1'),
		member('2'),
		member('3', { isAdmin: true }),
		member('4'),
	]);

	test('the same list: nothing to do, everyone unchanged', () => {
		expect(syncPlan(five, input([ME, '1', '2', '3', '4'], { allowRemovals: true }))).toEqual({
			add: [],
			remove: [],
			keep: [],
			unchanged: [ME, '1', '2', '3', '4'],
		});
	});

	test('Allow Removals off: only adds; the others are kept, each with why', () => {
		expect(syncPlan(five, input(['1', '9']))).toEqual({
			add: ['9'],
			remove: [],
			keep: [
				{ address: ME, reason: OWN },
				{ address: '2', reason: OFF },
				{ address: '3', reason: ADMIN },
				{ address: '4', reason: OFF },
			],
			unchanged: ['1'],
		});
	});

	test('Allow Removals on: removes who is not listed, in the group’s order; adds in the list’s order', () => {
		expect(syncPlan(five, input(['8', '1', '7'], { allowRemovals: true }))).toEqual({
			add: ['8', '7'],
			remove: ['2', '4'],
			keep: [
				{ address: ME, reason: OWN },
				{ address: '3', reason: ADMIN },
			],
			unchanged: ['1'],
		});
	});

	test('Keep Admins off: admins are removed like anyone else, never your own line', () => {
		const plan = syncPlan(five, input(['1'], { allowRemovals: true, keepAdmins: false }));
		expect(plan.remove).toEqual(['2', '3', '4']);
		expect(plan.keep).toEqual([{ address: ME, reason: OWN }]);
	});

	test('your own line is known by isYou even when the group does not name a line', () => {
		const linq = group(
			[
				member('+1', { isYou: true, isAdmin: null }),
				member('+2', { isAdmin: null }),
				member('+3', { isAdmin: null }),
			],
			null,
		);
		const plan = syncPlan(linq, input(['+2'], { allowRemovals: true, keepAdmins: false }));
		expect(plan).toMatchObject({ remove: ['+3'], keep: [{ address: '+1', reason: OWN }] });
	});

	test('your own line in the list is never added, even after it left (only Create or an invite brings it back)', () => {
		const left = group([member('1'), member('2'), member(ME, { status: 'left' })]);
		expect(syncPlan(left, input([ME, '1', '2']))).toMatchObject({
			add: [],
			remove: [],
			unchanged: ['1', '2'],
		});
	});

	test('members who left or were removed are not in the group: listed, they are added back', () => {
		const linq = group(
			[
				member('+1', { isYou: true }),
				member('+2'),
				member('+3', { status: 'removed' }),
				member('+4', { status: 'left' }),
			],
			'+1',
		);
		expect(syncPlan(linq, input(['+2', '+3'], { allowRemovals: true }))).toEqual({
			add: ['+3'],
			remove: [],
			keep: [{ address: '+1', reason: OWN }],
			unchanged: ['+2'],
		});
	});

	test('linked ids are compared as the provider gives them: kept when listed, removed by id when not', () => {
		const linked = group([
			member(ME, { isAdmin: true }),
			member('205519000000001@lid'),
			member('205519000000002@lid', { isAdmin: true }),
			member('14155550187'),
		]);
		expect(
			syncPlan(
				linked,
				input(['205519000000001@lid', '14155550187'], { allowRemovals: true, keepAdmins: false }),
			),
		).toEqual({
			add: [],
			remove: ['205519000000002@lid'],
			keep: [{ address: ME, reason: OWN }],
			unchanged: ['205519000000001@lid', '14155550187'],
		});
		// The digits of a linked id are not a phone number: listing them adds a different person.
		expect(syncPlan(linked, input(['205519000000001', '205519000000001@lid'])).add).toEqual([
			'205519000000001',
		]);
	});
});

describe('syncPlan, as properties', () => {
	const addresses = fc.constantFrom<string>('1', '2', '3', '4', '5', '6', '7', '8', '9@lid', ME);
	const groups = fc
		.uniqueArray(
			fc.record({
				address: addresses,
				status: fc.constantFrom('active', 'active', 'left', 'removed'),
				isAdmin: fc.boolean(),
			}),
			{
				selector: (entry) => entry.address,
				maxLength: 10,
			},
		)
		.map((entries) =>
			group(
				entries.map((entry) =>
					member(entry.address, {
						status: entry.status as GroupMember['status'],
						isAdmin: entry.isAdmin,
					}),
				),
			),
		);
	const inputs = fc.record({
		members: fc.uniqueArray(addresses, { maxLength: 10 }),
		keepAdmins: fc.boolean(),
		allowRemovals: fc.boolean(),
	});

	test('the plan respects every rule, and applying it leaves nothing to do', () => {
		fc.assert(
			fc.property(groups, inputs, (view, options) => {
				const sync = input(options.members, options);
				const plan = syncPlan(view, sync);
				const active = view.members.filter((entry) => entry.status === 'active');
				const current = new Set(active.map((entry) => entry.address));
				const wanted = new Set(options.members);
				// Your own line is never added or removed.
				expect(plan.add).not.toContain(ME);
				expect(plan.remove).not.toContain(ME);
				// Adds are listed people not in the group; removals are members not listed.
				for (const address of plan.add)
					expect(wanted.has(address) && !current.has(address)).toBe(true);
				for (const address of plan.remove)
					expect(current.has(address) && !wanted.has(address)).toBe(true);
				if (!options.allowRemovals) expect(plan.remove).toEqual([]);
				if (options.keepAdmins)
					for (const entry of active)
						if (entry.isAdmin) expect(plan.remove).not.toContain(entry.address);
				// Every active member not listed is either removed or kept (with a reason), never both.
				for (const entry of active.filter((each) => !wanted.has(each.address))) {
					const removed = plan.remove.includes(entry.address);
					const kept = plan.keep.filter((each) => each.address === entry.address);
					expect(Number(removed) + kept.length).toBe(1);
				}
				expect(plan.unchanged).toEqual(options.members.filter((address) => current.has(address)));
				// Apply it (adds join as members, removals leave) and plan again: nothing to do.
				const after = group([
					...view.members.filter(
						(entry) =>
							!(entry.status === 'active' && plan.remove.includes(entry.address)) &&
							!plan.add.includes(entry.address),
					),
					...plan.add.map((address) => member(address)),
				]);
				const again = syncPlan(after, sync);
				expect({ add: again.add, remove: again.remove }).toEqual({ add: [], remove: [] });
			}),
			{ numRuns: 500 },
		);
	});
});
