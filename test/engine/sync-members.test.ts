/**
 * Sync Members through n8n-core's engine against the sandbox, on Linq and Periskope: Preview Only
 * changes nothing; applying makes the roster equal to the list; the same sync again changes
 * nothing; Keep Admins, Allow Removals and your own line; Linq's minimum of 3 counted with the
 * adds; Periskope's chunks of 50; invites instead of adds; members compared by what the provider
 * gives (a linked id, a Linq member removed earlier); one chat's items in order.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-workflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 5, seedLinkedIds: true });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

type SyncProvider = 'linq' | 'periskope';
const GROUP: Record<SyncProvider, string> = {
	linq: DEMO.groups.linq.five,
	periskope: DEMO.groups.periskope.five,
};
const ME: Record<SyncProvider, string> = {
	linq: DEMO.linq.senders[0],
	periskope: DEMO.periskope.orgPhone,
};
/** The seeded five-member groups' members besides your line, and people who are not in them. */
const MEMBERS: Record<SyncProvider, string[]> = {
	linq: ['+14155550163', '+14155550164', '+14155550165', '+14155550166'],
	periskope: ['14155550183', '14155550184', '14155550185', '14155550186'],
};
const NEWCOMERS: Record<SyncProvider, string[]> = {
	linq: ['+14155550177', '+14155550178'],
	periskope: ['14155550187', '14155550188'],
};

async function run(
	parameters: IDataObject,
	options: { items?: IDataObject[]; settings?: IDataObject } = {},
) {
	const result = await runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters, options.settings)],
		items: options.items,
		credentials: sandboxCredentials(sandbox),
	});
	return { ...result, items: result.output('Group Chat').map((item) => item.json) };
}

const writes = () => sandbox.requests.filter((request) => request.method !== 'GET');
const roster = (provider: SyncProvider, chatId = GROUP[provider]) =>
	[...sandbox.getChat(provider, chatId)!.participants].sort();
const sorted = (list: string[]) => [...list].sort();

describe.each(['linq', 'periskope'] as const)('%s', (provider) => {
	const sync = (members: string[], syncOptions: IDataObject = {}, extra: IDataObject = {}) => ({
		provider,
		operation: 'syncMembers',
		chatId: GROUP[provider],
		participants: members.join('\n'),
		syncOptions,
		...extra,
	});
	const wanted = [MEMBERS[provider][0], MEMBERS[provider][1], ...NEWCOMERS[provider]];
	const queued = provider === 'linq';

	test('Preview Only: the plan, and nothing sent', async () => {
		const before = roster(provider);
		const { error, items } = await run(sync(wanted, { previewOnly: true, allowRemovals: true }));
		expect(error).toBeUndefined();
		expect(items[0]).toMatchObject({
			status: 'done',
			chatId: GROUP[provider],
			name: 'Demo five',
			sync: {
				preview: true,
				plan: {
					add: NEWCOMERS[provider],
					remove: MEMBERS[provider].slice(2),
					keep: [expect.objectContaining({ address: ME[provider] })],
				},
				added: [],
				invited: [],
				removed: [],
				unchanged: MEMBERS[provider].slice(0, 2),
				failed: [],
			},
			participants: [],
			operation: 'syncMembers',
		});
		expect(writes()).toHaveLength(0);
		expect(sandbox.requests.map((request) => request.method)).toEqual(['GET']);
		await sandbox.settle();
		expect(roster(provider)).toEqual(before);
	});

	test('apply, then the same sync again changes nothing', async () => {
		const first = await run(sync(wanted, { allowRemovals: true }));
		expect(first.error).toBeUndefined();
		expect(first.items[0]).toMatchObject({
			status: queued ? 'accepted' : 'done',
			sync: {
				preview: false,
				added: NEWCOMERS[provider],
				removed: MEMBERS[provider].slice(2),
				unchanged: MEMBERS[provider].slice(0, 2),
				failed: [],
				invited: [],
			},
		});
		expect(
			(first.items[0].participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]),
		).toEqual([
			...NEWCOMERS[provider].map((address) => [address, queued ? 'queued' : 'added']),
			...MEMBERS[provider].slice(2).map((address) => [address, queued ? 'queued' : 'removed']),
		]);
		// Adds are sent before removals.
		const firstWrites = writes().map(
			(request) => request.method === 'DELETE' || request.path.endsWith('/remove'),
		);
		expect(firstWrites).toEqual([...firstWrites].sort());
		await sandbox.settle();
		expect(roster(provider)).toEqual(sorted([ME[provider], ...wanted]));

		sandbox.requests.length = 0;
		const second = await run(sync(wanted, { allowRemovals: true }));
		expect(second.error).toBeUndefined();
		expect(second.items[0]).toMatchObject({
			status: 'done',
			sync: { plan: { add: [], remove: [] }, added: [], removed: [], unchanged: wanted },
			participants: [],
		});
		expect(writes()).toHaveLength(0);
		await sandbox.settle();
		expect(roster(provider)).toEqual(sorted([ME[provider], ...wanted]));
	});

	test('Allow Removals off (the default): only adds; the others are kept and say why', async () => {
		const { error, items } = await run(sync(NEWCOMERS[provider]));
		expect(error).toBeUndefined();
		const report = items[0].sync as IDataObject;
		expect(report).toMatchObject({ added: NEWCOMERS[provider], removed: [], unchanged: [] });
		expect(report.plan).toMatchObject({ remove: [] });
		expect((report.plan as IDataObject).keep).toEqual([
			{ address: ME[provider], reason: 'your own line (only Leave Group removes it)' },
			...MEMBERS[provider].map((address) => ({
				address,
				reason: expect.stringMatching(/Allow Removals is off|Keep Admins/),
			})),
		]);
		await sandbox.settle();
		expect(roster(provider)).toEqual(
			sorted([ME[provider], ...MEMBERS[provider], ...NEWCOMERS[provider]]),
		);
	});

	test('your own line is never removed, even when the list leaves it out and removals are on', async () => {
		const list = provider === 'linq' ? MEMBERS.linq.slice(0, 2) : [MEMBERS.periskope[0]];
		const { error, items } = await run(sync(list, { allowRemovals: true, keepAdmins: false }));
		expect(error).toBeUndefined();
		expect((items[0].sync as IDataObject).plan).toMatchObject({
			keep: [{ address: ME[provider], reason: 'your own line (only Leave Group removes it)' }],
		});
		for (const request of writes())
			expect(request.bodyText).not.toContain(ME[provider].replace('+', ''));
		await sandbox.settle();
		expect(sandbox.getChat(provider, GROUP[provider])!.selfIsMember).toBe(true);
		expect(roster(provider)).toEqual(sorted([ME[provider], ...list]));
	});

	test('your own line in the list is unchanged, never added', async () => {
		const { items } = await run(sync([ME[provider], ...MEMBERS[provider]]));
		expect(items[0].sync).toMatchObject({
			plan: { add: [], remove: [] },
			unchanged: [ME[provider], ...MEMBERS[provider]],
		});
		expect(writes()).toHaveLength(0);
	});

	test('a group that does not exist: the read fails in the provider’s words, nothing is written', async () => {
		const missing =
			provider === 'linq' ? '00000000-0000-4000-8000-000000000000' : '120363400000000000@g.us';
		const { error } = await run(sync(wanted, {}, { chatId: missing }));
		expect(error?.message).toBe(
			`${provider === 'linq' ? 'Linq' : 'Periskope'}: could not read the group: chat not found`,
		);
		expect(writes()).toHaveLength(0);
	});

	test('one address refused: the others go through; the failure is reported (and stops the item unless output)', async () => {
		const fault =
			provider === 'linq'
				? {
						provider,
						kind: 'http_error' as const,
						status: 503,
						method: 'POST',
						path: /participants$/,
						skip: 1,
					}
				: { provider, kind: 'partial_failure' as const, failAddresses: [NEWCOMERS.periskope[1]] };
		sandbox.faults.inject({ ...fault, times: provider === 'linq' ? 4 : 1 });
		const { items } = await run(
			sync(NEWCOMERS[provider], {}, { options: { onPartialFailure: 'output', maxAttempts: 1 } }),
		);
		expect(items[0].status).toBe('partial');
		expect(items[0].sync).toMatchObject({
			added: [NEWCOMERS[provider][0]],
			failed: [expect.objectContaining({ address: NEWCOMERS[provider][1], outcome: 'failed' })],
		});
		sandbox.reset();
		sandbox.faults.inject({ ...fault, times: provider === 'linq' ? 4 : 1 });
		const stopped = await run(sync(NEWCOMERS[provider], {}, { options: { maxAttempts: 1 } }));
		expect(stopped.error?.message).toMatch(/1 of 2 participants failed/);
	});
});

describe('Linq', () => {
	test('the minimum of 3 holds with the removals alone (Linq may apply the adds later): refused before anything is sent', async () => {
		const trio = DEMO.groups.linq.trio;
		const list = ['+14155550177', '+14155550178'];
		const swap = (allowRemovals: boolean) =>
			run({
				provider: 'linq',
				operation: 'syncMembers',
				chatId: trio,
				participants: list.join(','),
				syncOptions: { allowRemovals },
			});
		const refused = await swap(true);
		expect(refused.error?.message).toBe(
			"Item 0: Linq needs at least 3 members in a group: this sync's removals would leave 1 (3 now, 2 to remove; the 2 to add do not count, because Linq may apply additions after the removals. Add first (Allow Removals off), then sync again once they are in the group). Nothing was changed",
		);
		expect(writes()).toHaveLength(0);
		// The way the message says: add first, then sync again with removals.
		expect((await swap(false)).items[0].sync).toMatchObject({ added: list, removed: [] });
		await sandbox.settle();
		const { error, items } = await swap(true);
		expect(error).toBeUndefined();
		expect(items[0].sync).toMatchObject({ added: [], removed: ['+14155550161', '+14155550162'] });
		await sandbox.settle();
		expect(roster('linq', trio)).toEqual(sorted([ME.linq, ...list]));
	});

	test('a member removed earlier (still listed by Linq as removed) is added back', async () => {
		const removed = await run({
			provider: 'linq',
			operation: 'removeParticipants',
			chatId: GROUP.linq,
			participants: MEMBERS.linq[3],
		});
		expect(removed.error).toBeUndefined();
		await sandbox.settle();
		sandbox.requests.length = 0;
		const { items } = await run({
			provider: 'linq',
			operation: 'syncMembers',
			chatId: GROUP.linq,
			participants: MEMBERS.linq.join(','),
		});
		expect(items[0].sync).toMatchObject({
			plan: { add: [MEMBERS.linq[3]], remove: [] },
			unchanged: MEMBERS.linq.slice(0, 3),
		});
		await sandbox.settle();
		expect(roster('linq')).toEqual(sorted([ME.linq, ...MEMBERS.linq]));
	});
});

describe('Periskope', () => {
	const sync = (chatId: string, members: string[], syncOptions: IDataObject = {}) => ({
		provider: 'periskope',
		operation: 'syncMembers',
		chatId,
		participants: `={{ ${JSON.stringify(members)} }}`,
		syncOptions,
	});

	test('Keep Admins (on by default) keeps an admin who is not listed; off, the admin is removed', async () => {
		const promoted = await run({
			provider: 'periskope',
			operation: 'promoteAdmins',
			chatId: GROUP.periskope,
			participants: MEMBERS.periskope[3],
		});
		expect(promoted.error).toBeUndefined();
		const list = MEMBERS.periskope.slice(0, 2);
		const kept = await run(sync(GROUP.periskope, list, { allowRemovals: true }));
		expect((kept.items[0].sync as IDataObject).plan).toMatchObject({
			remove: [MEMBERS.periskope[2]],
			keep: [
				{ address: ME.periskope, reason: 'your own line (only Leave Group removes it)' },
				{ address: MEMBERS.periskope[3], reason: 'an admin (Keep Admins is on)' },
			],
		});
		expect(roster('periskope')).toEqual(sorted([ME.periskope, ...list, MEMBERS.periskope[3]]));
		const removed = await run(
			sync(GROUP.periskope, list, { allowRemovals: true, keepAdmins: false }),
		);
		expect(removed.items[0].sync).toMatchObject({ removed: [MEMBERS.periskope[3]] });
		expect(roster('periskope')).toEqual(sorted([ME.periskope, ...list]));
	});

	test('a 120-member list: adds in chunks of 50, then the same sync again sends nothing', async () => {
		const people = Array.from(
			{ length: 120 },
			(_, index) => `1415559${String(index).padStart(4, '0')}`,
		);
		for (const digits of people) sandbox.addContact(digits);
		const first = await run(
			sync(GROUP.periskope, people, { allowRemovals: true, keepAdmins: false }),
		);
		expect(first.error).toBeUndefined();
		const path = (action: string) => `/chats/${encodeURIComponent(GROUP.periskope)}/${action}`;
		expect(
			writes().map((request) => [request.path, JSON.parse(request.bodyText).participants.length]),
		).toEqual([
			[path('add'), 50],
			[path('add'), 50],
			[path('add'), 20],
			[path('remove'), 4],
		]);
		expect(first.items[0].sync).toMatchObject({
			added: people,
			removed: MEMBERS.periskope,
			failed: [],
			invited: [],
		});
		expect(roster('periskope')).toEqual(sorted([ME.periskope, ...people]));
		sandbox.requests.length = 0;
		const second = await run(
			sync(GROUP.periskope, people, { allowRemovals: true, keepAdmins: false }),
		);
		expect(second.items[0].sync).toMatchObject({
			plan: { add: [], remove: [] },
			unchanged: people,
		});
		expect(writes()).toHaveLength(0);
		// And back down to one: 119 removals in chunks of 50.
		const third = await run(
			sync(GROUP.periskope, people.slice(0, 1), { allowRemovals: true, keepAdmins: false }),
		);
		expect(third.error).toBeUndefined();
		expect(
			writes().map((request) => [request.path, JSON.parse(request.bodyText).participants.length]),
		).toEqual([
			[path('remove'), 50],
			[path('remove'), 50],
			[path('remove'), 19],
		]);
		expect(third.items[0].sync).toMatchObject({
			removed: people.slice(1),
			unchanged: people.slice(0, 1),
		});
		expect(roster('periskope')).toEqual(sorted([ME.periskope, people[0]]));
	});

	test('people outside the phone’s contacts get an invite: reported in invited, not in added', async () => {
		const strangers = ['442071234567', '33612345678'];
		const { error, items } = await run(
			sync(GROUP.periskope, [...MEMBERS.periskope, NEWCOMERS.periskope[0], ...strangers]),
		);
		expect(error).toBeUndefined();
		expect(items[0]).toMatchObject({
			status: 'done',
			sync: { added: [NEWCOMERS.periskope[0]], invited: strangers, failed: [] },
		});
		expect((items[0].participants as IDataObject[]).map((entry) => entry.outcome)).toEqual([
			'added',
			'invited',
			'invited',
		]);
		expect(roster('periskope')).toEqual(
			sorted([ME.periskope, ...MEMBERS.periskope, NEWCOMERS.periskope[0]]),
		);
		expect(sandbox.getChat('periskope', GROUP.periskope)!.invited).toEqual(
			expect.arrayContaining(strangers),
		);
	});

	test('members known by a linked id are compared by that id: kept, removed by it, never turned into numbers', async () => {
		const [lidMember, lidAdmin] = DEMO.periskope.linkedIds;
		const list = ['+1 415 555 0187', lidMember.toUpperCase()];
		const preview = await run(
			sync(DEMO.groups.periskope.linked, list, {
				previewOnly: true,
				allowRemovals: true,
				keepAdmins: false,
			}),
		);
		expect(preview.items[0].sync).toMatchObject({
			plan: { add: [], remove: [lidAdmin] },
			unchanged: ['14155550187', lidMember],
		});
		const applied = await run(
			sync(DEMO.groups.periskope.linked, list, { allowRemovals: true, keepAdmins: false }),
		);
		expect(applied.error).toBeUndefined();
		expect(applied.items[0].sync).toMatchObject({
			removed: [lidAdmin],
			unchanged: ['14155550187', lidMember],
		});
		expect(writes().map((request) => JSON.parse(request.bodyText))).toEqual([
			{ participants: [lidAdmin] },
		]);
		expect(roster('periskope', DEMO.groups.periskope.linked)).toEqual(
			sorted([ME.periskope, '14155550187', lidMember]),
		);
		sandbox.requests.length = 0;
		const again = await run(
			sync(DEMO.groups.periskope.linked, list, { allowRemovals: true, keepAdmins: false }),
		);
		expect(again.items[0].sync).toMatchObject({ plan: { add: [], remove: [] } });
		expect(writes()).toHaveLength(0);
	});

	test('one chat’s items run in order: each sync reads what the one before it left', async () => {
		const lists = [
			[...MEMBERS.periskope, NEWCOMERS.periskope[0]],
			[MEMBERS.periskope[0], NEWCOMERS.periskope[1]],
		];
		const { error, items } = await run(
			{
				provider: 'periskope',
				operation: 'syncMembers',
				chatId: GROUP.periskope,
				participants: '={{ $json.list }}',
				syncOptions: { allowRemovals: true, keepAdmins: false },
				options: { concurrency: 5 },
			},
			{ items: lists.map((list) => ({ list })) },
		);
		expect(error).toBeUndefined();
		expect(items[0].sync).toMatchObject({ added: [NEWCOMERS.periskope[0]], removed: [] });
		expect(items[1].sync).toMatchObject({
			added: [NEWCOMERS.periskope[1]],
			removed: [...MEMBERS.periskope.slice(1), NEWCOMERS.periskope[0]],
		});
		expect(roster('periskope')).toEqual(sorted([ME.periskope, ...lists[1]]));
	});
});

describe('Get Group passes linked ids through unchanged', () => {
	test('roster and members keep …@lid as Periskope gives it', async () => {
		const { error, items } = await run({
			provider: 'periskope',
			operation: 'get',
			chatId: DEMO.groups.periskope.linked,
		});
		expect(error).toBeUndefined();
		expect(sorted(items[0].roster as string[])).toEqual(
			sorted([ME.periskope, '14155550187', ...DEMO.periskope.linkedIds]),
		);
		expect(items[0].members).toEqual(
			expect.arrayContaining(
				DEMO.periskope.linkedIds.map((address) =>
					expect.objectContaining({ address, status: 'active', isYou: false }),
				),
			),
		);
	});
});
