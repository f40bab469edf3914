/**
 * The new writes under every sandbox fault, run as workflows through n8n-core's engine: Send
 * Message on each provider, Promote Admins and an Invite Link reset on Periskope, and Sync
 * Members' writes. Each case checks the node's output, the sandbox's state (a message sent at
 * most once, never twice; a promote in place once; a link that works) and that requests stay
 * within the retry-safety table: sent again only where that is safe.
 */
import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { adapterFor } from '../../src/providers';
import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { DEFAULT_RETRY } from '../../src/transport';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials, type ProviderName } from '../helpers/sandbox-workflow';
import { periskope } from '../sandbox/helpers';
import { FAULTS } from './matrix';

const DELAY_MS = 2500;
const TIMEOUT_SECONDS = 2;
/** Does the faulted request change the sandbox's state before the client sees the failure? */
const APPLIED_ANYWAY: Record<(typeof FAULTS)[number], boolean> = {
	rate_limit: false,
	http_error: false,
	reset_before: false,
	html: false,
	reset_after: true,
	delay: true,
	malformed_json: true,
};

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 10 });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

interface Case {
	provider: ProviderName;
	operation: 'sendMessage' | 'promoteAdmins' | 'inviteLink';
	path: RegExp;
	parameters: IDataObject;
}

const FIVE: Record<ProviderName, string> = {
	chert: DEMO.groups.chert.five,
	linq: DEMO.groups.linq.five,
	periskope: DEMO.groups.periskope.five,
};
const CASES: Case[] = [
	...(['chert', 'linq', 'periskope'] as const).map(
		(provider): Case => ({
			provider,
			operation: 'sendMessage',
			path: /messages$|message\/send$/,
			parameters: { chatId: FIVE[provider], message: 'Under a fault' },
		}),
	),
	{
		provider: 'periskope',
		operation: 'promoteAdmins',
		path: /\/promote$/,
		parameters: { chatId: FIVE.periskope, participants: '+14155550185' },
	},
	{
		provider: 'periskope',
		operation: 'inviteLink',
		path: /\/invite$/,
		parameters: { chatId: FIVE.periskope, inviteLinkAction: 'reset' },
	},
];

async function groupState(): Promise<{ admins: string[]; link: string }> {
	const count = sandbox.requests.length;
	const res = await periskope(sandbox, 'GET', `/chats/${encodeURIComponent(FIVE.periskope)}`);
	sandbox.requests.length = count;
	const members = Object.entries(res.json.members as Record<string, { is_admin: boolean }>);
	return {
		admins: members.filter(([, member]) => member.is_admin).map(([id]) => id.replace('@c.us', '')),
		link: res.json.invite_link,
	};
}

describe.each(CASES)('$provider $operation', ({ provider, operation, path, parameters }) => {
	const safe = adapterFor(provider).retryAfterAmbiguity[operation] === true;

	test.each(FAULTS)('%s', async (fault) => {
		const before = await groupState();
		sandbox.faults.inject({
			provider,
			kind: fault,
			times: 1,
			status: 503,
			retryAfterSeconds: 1,
			delayMs: DELAY_MS,
			method: 'POST',
			path,
		});
		const started = Date.now();
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider,
					operation,
					...parameters,
					options: { timeout: TIMEOUT_SECONDS },
				}),
			],
			credentials: sandboxCredentials(sandbox),
		});
		if (fault === 'delay') await sleep(Math.max(0, DELAY_MS + 200 - (Date.now() - started)));
		await sandbox.settle();

		const sent = sandbox.requests.filter((request) => request.method === 'POST').length;
		expect(sent).toBeGreaterThanOrEqual(1);
		expect(sent).toBeLessThanOrEqual(DEFAULT_RETRY.maxAttempts);
		const retried = fault === 'rate_limit' || safe;
		const item = result.output('Group Chat')[0]?.json;
		if (retried) {
			expect(result.error).toBeUndefined();
			expect(sent).toBe(2);
		} else {
			expect(sent).toBe(1);
			expect(result.error?.message).toMatch(new RegExp(`^${adapterFor(provider).label}: `));
			if (APPLIED_ANYWAY[fault])
				expect(result.error?.message).toMatch(
					/may (or may not )?have been applied|not retried automatically/,
				);
		}
		const inPlace = retried || APPLIED_ANYWAY[fault];
		const after = await groupState();
		switch (operation) {
			case 'sendMessage': {
				// Never twice: Chert and Linq send again with the same key, Periskope never resends.
				const messages = sandbox
					.messages(provider, FIVE[provider])
					.filter((message) => message.direction === 'outbound');
				expect(messages).toHaveLength(inPlace ? 1 : 0);
				if (item)
					expect(item.messageId).toBe(
						provider === 'periskope' ? messages[0].queueId : messages[0].id,
					);
				break;
			}
			case 'promoteAdmins':
				expect(after.admins.includes('14155550185')).toBe(inPlace);
				if (item)
					expect(item.participants).toEqual([
						expect.objectContaining({ address: '14155550185', outcome: 'promoted' }),
					]);
				break;
			case 'inviteLink':
				expect(after.link !== before.link).toBe(inPlace);
				// A reset that may have arrived is never sent again, so the link output is always the one
				// that works now.
				if (item) expect(item.inviteLink).toBe(after.link);
				break;
		}
	});
});

describe('Sync Members under faults', () => {
	const people = Array.from(
		{ length: 120 },
		(_, index) => `1415559${String(index).padStart(4, '0')}`,
	);

	test('Periskope: the 2nd of 3 add chunks reset after it was applied is sent again; everyone added once, nobody reported twice', async () => {
		for (const digits of people) sandbox.addContact(digits);
		sandbox.faults.inject({
			provider: 'periskope',
			kind: 'reset_after',
			method: 'POST',
			path: /\/add$/,
			skip: 1,
		});
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'periskope',
					operation: 'syncMembers',
					chatId: FIVE.periskope,
					participants: people.join(','),
				}),
			],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const sync = result.output('Group Chat')[0].json.sync as IDataObject;
		expect(sync.added).toEqual(people);
		expect(sync.failed).toEqual([]);
		expect(sandbox.requests.filter((request) => request.method === 'POST')).toHaveLength(4);
		const roster = sandbox.getChat('periskope', FIVE.periskope)!.participants;
		for (const digits of people)
			expect(roster.filter((member) => member === digits)).toHaveLength(1);
	});

	test('Linq: a failed read of the group is read again; an add reset after it arrived is not sent again and is reported failed', async () => {
		sandbox.faults.inject({
			provider: 'linq',
			kind: 'http_error',
			status: 503,
			method: 'GET',
			path: `/v3/chats/${FIVE.linq}`,
		});
		sandbox.faults.inject({
			provider: 'linq',
			kind: 'reset_after',
			method: 'POST',
			path: /participants$/,
			skip: 1,
		});
		const list = [
			'+14155550163',
			'+14155550164',
			'+14155550165',
			'+14155550166',
			'+14155550177',
			'+14155550178',
		];
		const result = await runWorkflow({
			nodes: [
				groupChatNode('Group Chat', {
					provider: 'linq',
					operation: 'syncMembers',
					chatId: FIVE.linq,
					participants: list.join(','),
					options: { onPartialFailure: 'output' },
				}),
			],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const item = result.output('Group Chat')[0].json;
		expect(item.status).toBe('partial');
		expect(item.sync).toMatchObject({
			added: ['+14155550177'],
			failed: [
				expect.objectContaining({
					address: '+14155550178',
					outcome: 'failed',
					message: expect.stringMatching(/not retried automatically/),
				}),
			],
		});
		expect(sandbox.requests.filter((request) => request.method === 'GET')).toHaveLength(2);
		expect(sandbox.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
		await sandbox.settle();
		// The add that was reset had arrived: the person is in the group once, as the message warned.
		expect(
			sandbox
				.getChat('linq', FIVE.linq)!
				.participants.filter((member) => member === '+14155550178'),
		).toHaveLength(1);
	});
});
