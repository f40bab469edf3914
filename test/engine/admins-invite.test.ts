/**
 * Promote / Demote Admins and Invite Link on Periskope through n8n-core's engine against the
 * sandbox: per-participant outcomes, chunks of 50, your own line never demoted by mistake (refused
 * before anything is sent), members known by a linked id promoted, demoted and removed by that
 * id; the current invite link read, a reset giving a new link that replaces the old one. The
 * sandbox's state is read back over its own API, not through the node.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-workflow';
import { periskope } from '../sandbox/helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ seedLinkedIds: true });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

const FIVE = DEMO.groups.periskope.five;
const LINKED = DEMO.groups.periskope.linked;
const [LID_MEMBER, LID_ADMIN] = DEMO.periskope.linkedIds;
const ME = DEMO.periskope.orgPhone;

async function run(
	parameters: IDataObject,
	options: { items?: IDataObject[]; settings?: IDataObject } = {},
) {
	const result = await runWorkflow({
		nodes: [
			groupChatNode('Group Chat', { provider: 'periskope', ...parameters }, options.settings),
		],
		items: options.items,
		credentials: sandboxCredentials(sandbox),
	});
	return { ...result, items: result.output('Group Chat').map((item) => item.json) };
}

/** The chat as Periskope's own API shows it now (not through the node). */
async function chat(
	chatId: string,
): Promise<{ admins: string[]; members: string[]; inviteLink: string }> {
	const sandboxRequests = sandbox.requests.length;
	const res = await periskope(sandbox, 'GET', `/chats/${encodeURIComponent(chatId)}`);
	sandbox.requests.length = sandboxRequests;
	const members = Object.entries(res.json.members as Record<string, { is_admin: boolean }>);
	return {
		admins: members
			.filter(([, member]) => member.is_admin)
			.map(([id]) => id.replace(/@c\.us$/, ''))
			.sort(),
		members: members.map(([id]) => id.replace(/@c\.us$/, '')).sort(),
		inviteLink: res.json.invite_link,
	};
}

const outcomes = (item: IDataObject) =>
	(item.participants as IDataObject[]).map((entry) => [entry.address, entry.outcome]);
const writes = () => sandbox.requests.filter((request) => request.method !== 'GET');

describe('Promote / Demote Admins', () => {
	test('per-participant outcomes: promoted and already_admin, then demoted and not_admin', async () => {
		const promoted = await run(
			{ operation: 'promoteAdmins', chatId: FIVE, participants: '(415) 555-0183, +1 415 555 0180' },
			{ items: [{}] },
		);
		expect(promoted.error).toBeUndefined();
		expect(promoted.items[0]).toMatchObject({
			status: 'done',
			chatId: FIVE,
			operation: 'promoteAdmins',
		});
		expect(outcomes(promoted.items[0])).toEqual([
			['14155550183', 'promoted'],
			[ME, 'already_admin'],
		]);
		expect((await chat(FIVE)).admins).toEqual([ME, '14155550183']);

		const demoted = await run({
			operation: 'demoteAdmins',
			chatId: FIVE,
			participants: '+14155550183\n+14155550184',
		});
		expect(demoted.error).toBeUndefined();
		expect(outcomes(demoted.items[0])).toEqual([
			['14155550183', 'demoted'],
			['14155550184', 'not_admin'],
		]);
		expect((await chat(FIVE)).admins).toEqual([ME]);
	});

	test('someone who is not in the group: failed with Periskope’s words; the others go through', async () => {
		const { error, items } = await run({
			operation: 'promoteAdmins',
			chatId: FIVE,
			participants: '+14155550183, +14155550189',
			options: { onPartialFailure: 'output' },
		});
		expect(error).toBeUndefined();
		expect(items[0].status).toBe('partial');
		expect(items[0].participants).toEqual([
			expect.objectContaining({ address: '14155550183', outcome: 'promoted' }),
			{
				address: '14155550189',
				outcome: 'failed',
				message: 'Periskope: Participant is not a participant of the group',
				code: 404,
			},
		]);
	});

	test('120 members promoted in chunks of 50 (three requests), every one reported and an admin', async () => {
		const people = Array.from(
			{ length: 120 },
			(_, index) => `1415558${String(index).padStart(4, '0')}`,
		);
		const created = await run({
			operation: 'create',
			groupName: 'Big class',
			participants: people.join(','),
			forceAdd: true,
		});
		expect(created.error).toBeUndefined();
		const chatId = String(created.items[0].chatId);
		sandbox.requests.length = 0;
		const { error, items } = await run({
			operation: 'promoteAdmins',
			chatId,
			participants: `={{ ${JSON.stringify(people)} }}`,
		});
		expect(error).toBeUndefined();
		expect(sandbox.requests.map((request) => [request.method, request.path])).toEqual(
			Array(3).fill(['POST', `/chats/${encodeURIComponent(chatId)}/promote`]),
		);
		expect(
			sandbox.requests.map((request) => JSON.parse(request.bodyText).participants.length),
		).toEqual([50, 50, 20]);
		expect(outcomes(items[0])).toEqual(people.map((digits) => [digits, 'promoted']));
		expect((await chat(chatId)).admins).toEqual([ME, ...people].sort());
	});

	test('demoting your own line is refused before anything is sent, naming the item and the number', async () => {
		const { error } = await run({
			operation: 'demoteAdmins',
			chatId: FIVE,
			participants: '+1 415 555 0183, +1 (415) 555-0180',
		});
		expect(error?.message).toMatch(
			/^Item 0: Participants: "\+14155550180" is your own line \(the credential's Org Phone\)/,
		);
		expect(error?.message).toMatch(/nothing was sent/);
		expect(error?.description).toMatch(/Check the "Participants" field\. Nothing was sent/);
		expect(sandbox.requests).toHaveLength(0);
		expect((await chat(FIVE)).admins).toEqual([ME]);
	});

	test('with Continue On Fail: only the item that names your own line fails; the others are demoted', async () => {
		await run({
			operation: 'promoteAdmins',
			chatId: FIVE,
			participants: '+14155550183, +14155550184',
		});
		sandbox.requests.length = 0;
		const { error, items } = await run(
			{ operation: 'demoteAdmins', chatId: FIVE, participants: '={{ $json.who }}' },
			{
				items: [{ who: '+14155550183' }, { who: ME }, { who: '+14155550184' }],
				settings: { continueOnFail: true },
			},
		);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.error ?? item.status)).toEqual([
			'done',
			expect.stringMatching(/^Item 1: .*your own line/),
			'done',
		]);
		expect(writes().map((request) => JSON.parse(request.bodyText).participants)).toEqual([
			['14155550183'],
			['14155550184'],
		]);
		expect((await chat(FIVE)).admins).toEqual([ME]);
	});

	test('members known by a linked id are promoted, demoted and removed by that id', async () => {
		const promoted = await run({
			operation: 'promoteAdmins',
			chatId: LINKED,
			participants: LID_MEMBER,
		});
		expect(promoted.error).toBeUndefined();
		expect(outcomes(promoted.items[0])).toEqual([[LID_MEMBER, 'promoted']]);
		const demoted = await run({
			operation: 'demoteAdmins',
			chatId: LINKED,
			participants: LID_ADMIN.toUpperCase(),
		});
		expect(demoted.error).toBeUndefined();
		expect(outcomes(demoted.items[0])).toEqual([[LID_ADMIN, 'demoted']]);
		expect((await chat(LINKED)).admins).toEqual(['14155550187', LID_MEMBER, ME].sort());

		const removed = await run({
			operation: 'removeParticipants',
			chatId: LINKED,
			participants: LID_ADMIN,
		});
		expect(removed.error).toBeUndefined();
		expect(outcomes(removed.items[0])).toEqual([[LID_ADMIN, 'removed']]);
		expect((await chat(LINKED)).members).toEqual(['14155550187', LID_MEMBER, ME].sort());
		// Sent as the linked id itself, never as a number made of its digits.
		for (const request of writes()) expect(request.bodyText).not.toMatch(/"205519\d+"/);
	});

	test('a promote applied but its answer lost is sent again: "already an admin" then confirms it', async () => {
		sandbox.faults.inject({
			provider: 'periskope',
			kind: 'reset_after',
			method: 'POST',
			path: /\/promote$/,
		});
		const { error, items } = await run({
			operation: 'promoteAdmins',
			chatId: FIVE,
			participants: '+14155550185',
		});
		expect(error).toBeUndefined();
		expect(writes()).toHaveLength(2);
		expect(items[0].participants).toEqual([
			{
				address: '14155550185',
				outcome: 'promoted',
				message: 'now an admin (confirmed after a retry)',
			},
		]);
	});

	test('partial_failure: every address reported, the failed one stays as it was', async () => {
		sandbox.faults.inject({
			provider: 'periskope',
			kind: 'partial_failure',
			failAddresses: ['14155550184'],
		});
		const { error, items } = await run(
			{ operation: 'promoteAdmins', chatId: FIVE, participants: '+14155550183, +14155550184' },
			{ settings: { continueOnFail: true } },
		);
		expect(error).toBeUndefined();
		expect(items[0].error).toBe('Periskope: 1 of 2 participants failed (14155550184)');
		expect(outcomes(items[0])).toEqual([
			['14155550183', 'promoted'],
			['14155550184', 'failed'],
		]);
		expect((await chat(FIVE)).admins).toEqual([ME, '14155550183']);
	});
});

describe('Invite Link', () => {
	test('get: the group’s current link, changing nothing', async () => {
		const before = await chat(FIVE);
		const { error, items } = await run({
			operation: 'inviteLink',
			chatId: FIVE,
			inviteLinkAction: 'get',
		});
		expect(error).toBeUndefined();
		expect(items[0]).toMatchObject({
			status: 'done',
			chatId: FIVE,
			inviteLink: before.inviteLink,
			operation: 'inviteLink',
		});
		expect(before.inviteLink).toMatch(/^https:\/\//);
		expect(writes()).toHaveLength(0);
		expect((await chat(FIVE)).inviteLink).toBe(before.inviteLink);
	});

	test('reset: a new link; the old one is no longer the group’s, and get now reads the new one', async () => {
		const old = (await chat(FIVE)).inviteLink;
		const { error, items } = await run({
			operation: 'inviteLink',
			chatId: FIVE,
			inviteLinkAction: 'reset',
		});
		expect(error).toBeUndefined();
		const fresh = items[0].inviteLink;
		expect(fresh).toMatch(/^https:\/\//);
		expect(fresh).not.toBe(old);
		expect((await chat(FIVE)).inviteLink).toBe(fresh);
		const read = await run({ operation: 'inviteLink', chatId: FIVE, inviteLinkAction: 'get' });
		expect(read.items[0].inviteLink).toBe(fresh);
		expect(
			writes().map((request) => [request.method, request.path, request.rawBody.length]),
		).toEqual([['POST', `/chats/${encodeURIComponent(FIVE)}/invite`, 0]]);
	});

	test('a reset whose answer was lost is not sent again: the item says so, and Get Current Link reads the link that works', async () => {
		sandbox.faults.inject({
			provider: 'periskope',
			kind: 'reset_after',
			method: 'POST',
			path: /\/invite$/,
		});
		const { error } = await run({
			operation: 'inviteLink',
			chatId: FIVE,
			inviteLinkAction: 'reset',
		});
		expect(error?.message).toMatch(/may or may not have been applied — not retried automatically/);
		expect(writes()).toHaveLength(1);
		const { items } = await run({ operation: 'inviteLink', chatId: FIVE, inviteLinkAction: 'get' });
		expect(items[0].inviteLink).toBe((await chat(FIVE)).inviteLink);
	});

	test('after leaving: your line is no longer in the group (not a credential problem)', async () => {
		await run({ operation: 'leave', chatId: FIVE });
		const { error } = await run({
			operation: 'inviteLink',
			chatId: FIVE,
			inviteLinkAction: 'reset',
		});
		expect(error?.message).toBe(
			'Periskope: your line is no longer in this group (it left or was removed)',
		);
	});
});
