/**
 * A full session per provider through n8n-core's engine against the sandbox: create → send →
 * add → promote (Periskope) → sync (preview, apply, the same again: Linq and Periskope) → invite
 * link (Periskope) → leave. Each step is its own workflow run that takes the chat ID from the
 * create, and each is checked against the sandbox's own state (Linq's queued changes settled
 * first). Then Periskope's whole session as one chained workflow, the chat ID passed along by
 * expressions.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { chain, groupChatNode, runWorkflow } from '../helpers/engine';
import { E164, PEOPLE, sandboxCredentials, type ProviderName } from '../helpers/sandbox-workflow';
import { periskope as periskopeApi } from '../sandbox/helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 10 });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

const address = (provider: ProviderName, human: string) =>
	provider === 'periskope' ? E164(human).slice(1) : E164(human);
const ME: Record<ProviderName, string> = {
	chert: DEMO.chert.senders[0],
	linq: DEMO.linq.senders[0],
	periskope: DEMO.periskope.orgPhone,
};
const NEWCOMER: Record<ProviderName, string> = {
	chert: '+1 415 555 0147',
	linq: '+1 415 555 0175',
	periskope: '+1 415 555 0181',
};

async function step(provider: ProviderName, parameters: IDataObject): Promise<IDataObject> {
	const before = sandbox.requests.length;
	const result = await runWorkflow({
		nodes: [groupChatNode('Step', { provider, ...parameters })],
		credentials: sandboxCredentials(sandbox),
	});
	expect(result.error).toBeUndefined();
	expect(sandbox.requests.length).toBeGreaterThan(before);
	await sandbox.settle();
	const [item] = result.output('Step');
	return item.json;
}

const writesSince = (count: number) =>
	sandbox.requests.slice(count).filter((request) => request.method !== 'GET');
const sorted = (list: string[]) => [...list].sort();

describe.each(['chert', 'linq', 'periskope'] as const)('%s: a whole session', (provider) => {
	test('create → send → add → promote → sync (preview, apply, again) → invite link → leave', async () => {
		const people = PEOPLE[provider];
		const founders = people.founders.map((human) => address(provider, human));
		const joiner = address(provider, people.joiner);
		const newcomer = address(provider, NEWCOMER[provider]);
		const me = ME[provider];

		// Create
		const create: IDataObject = { operation: 'create', participants: people.founders.join('\n') };
		if (provider === 'periskope') create.groupName = 'Session';
		else
			Object.assign(create, {
				sender: me,
				firstMessage: 'Welcome aboard',
				groupName: provider === 'chert' ? 'Session' : undefined,
			});
		const created = await step(provider, create);
		const chatId = String(created.chatId);
		const chat = () => sandbox.getChat(provider, chatId)!;
		expect(sorted(chat().participants)).toEqual(sorted([me, ...founders]));

		// Send
		const sent = await step(provider, {
			operation: 'sendMessage',
			chatId,
			message: 'Hello, everyone',
		});
		const outbound = sandbox
			.messages(provider, chatId)
			.filter((message) => message.direction === 'outbound');
		const last = outbound[outbound.length - 1];
		expect(last.text).toBe('Hello, everyone');
		expect(sent).toMatchObject({
			chatId,
			status: provider === 'chert' ? 'done' : 'accepted',
			messageId: provider === 'periskope' ? last.queueId : last.id,
		});

		// Add
		const added = await step(provider, {
			operation: 'addParticipants',
			chatId,
			participants: people.joiner,
		});
		expect(added.participants).toEqual([
			expect.objectContaining({
				address: joiner,
				outcome: provider === 'linq' ? 'queued' : 'added',
			}),
		]);
		expect(sorted(chat().participants)).toEqual(sorted([me, ...founders, joiner]));

		// Promote (WhatsApp groups have admins)
		if (provider === 'periskope') {
			const promoted = await step(provider, {
				operation: 'promoteAdmins',
				chatId,
				participants: people.joiner,
			});
			expect(promoted.participants).toEqual([
				expect.objectContaining({ address: joiner, outcome: 'promoted' }),
			]);
			const members = (await periskopeApi(sandbox, 'GET', `/chats/${encodeURIComponent(chatId)}`))
				.json.members;
			expect(members[`${joiner}@c.us`].is_admin).toBe(true);
		}

		// Sync: the list drops the first founder and brings a newcomer; the joiner is not listed either.
		if (provider !== 'chert') {
			const list = [founders[1], founders[2], newcomer];
			const sync = (previewOnly: boolean) =>
				step(provider, {
					operation: 'syncMembers',
					chatId,
					participants: list.join(', '),
					syncOptions: { previewOnly, allowRemovals: true },
				});
			// Periskope keeps the joiner (an admin now, Keep Admins is on); Linq has no admins and removes them.
			const removed = provider === 'periskope' ? [founders[0]] : [founders[0], joiner];
			const kept = provider === 'periskope' ? [me, joiner] : [me];

			let count = sandbox.requests.length;
			const preview = await sync(true);
			expect(preview.sync).toMatchObject({
				preview: true,
				plan: { add: [newcomer], remove: removed },
				added: [],
				removed: [],
			});
			expect(((preview.sync as IDataObject).plan as IDataObject).keep).toEqual(
				kept.map((entry) => expect.objectContaining({ address: entry })),
			);
			expect(writesSince(count)).toHaveLength(0);
			expect(sorted(chat().participants)).toEqual(sorted([me, ...founders, joiner]));

			const applied = await sync(false);
			expect(applied).toMatchObject({
				status: provider === 'linq' ? 'accepted' : 'done',
				sync: {
					preview: false,
					added: [newcomer],
					removed,
					unchanged: [founders[1], founders[2]],
					failed: [],
				},
			});
			expect(sorted(chat().participants)).toEqual(
				sorted([...kept, founders[1], founders[2], newcomer]),
			);

			count = sandbox.requests.length;
			const again = await sync(false);
			expect(again).toMatchObject({
				status: 'done',
				sync: { plan: { add: [], remove: [] }, added: [], removed: [] },
			});
			expect(writesSince(count)).toHaveLength(0);
			expect(sorted(chat().participants)).toEqual(
				sorted([...kept, founders[1], founders[2], newcomer]),
			);
		}

		// Invite link (WhatsApp groups have one)
		if (provider === 'periskope') {
			const current = await step(provider, {
				operation: 'inviteLink',
				chatId,
				inviteLinkAction: 'get',
			});
			const reset = await step(provider, {
				operation: 'inviteLink',
				chatId,
				inviteLinkAction: 'reset',
			});
			expect(reset.inviteLink).not.toBe(current.inviteLink);
			const link = (await periskopeApi(sandbox, 'GET', `/chats/${encodeURIComponent(chatId)}`)).json
				.invite_link;
			expect(link).toBe(reset.inviteLink);
		}

		// Leave
		const left = await step(provider, { operation: 'leave', chatId });
		expect(left).toMatchObject({ chatId, status: provider === 'linq' ? 'accepted' : 'done' });
		expect(chat().selfIsMember).toBe(false);
		expect(sandbox.listChats(provider).filter((entry) => entry.id === chatId)).toHaveLength(1);
	});
});

test('Periskope: the whole session as one workflow, the chat ID passed along by expressions', async () => {
	const people = PEOPLE.periskope;
	const chatId = `={{ $('Create Group').item.json.chatId }}`;
	const nodes: INode[] = [
		groupChatNode('Create Group', {
			provider: 'periskope',
			operation: 'create',
			groupName: 'Chained',
			participants: people.founders.join(','),
		}),
		groupChatNode('Send Message', {
			provider: 'periskope',
			operation: 'sendMessage',
			chatId,
			message: '={{ "Welcome to " + $("Create Group").item.json.name }}',
		}),
		groupChatNode('Add Participants', {
			provider: 'periskope',
			operation: 'addParticipants',
			chatId,
			participants: people.joiner,
		}),
		groupChatNode('Promote Admins', {
			provider: 'periskope',
			operation: 'promoteAdmins',
			chatId,
			participants: people.joiner,
		}),
		groupChatNode('Preview Sync', {
			provider: 'periskope',
			operation: 'syncMembers',
			chatId,
			participants: `={{ $('Create Group').item.json.roster }}`,
			syncOptions: { previewOnly: true, allowRemovals: true },
		}),
		groupChatNode('Sync Members', {
			provider: 'periskope',
			operation: 'syncMembers',
			chatId,
			participants: `={{ $('Create Group').item.json.roster }}`,
			syncOptions: { allowRemovals: true, keepAdmins: false },
		}),
		groupChatNode('Sync Again', {
			provider: 'periskope',
			operation: 'syncMembers',
			chatId,
			participants: `={{ $('Create Group').item.json.roster }}`,
			syncOptions: { allowRemovals: true, keepAdmins: false },
		}),
		groupChatNode('Invite Link', {
			provider: 'periskope',
			operation: 'inviteLink',
			chatId,
			inviteLinkAction: 'reset',
		}),
		groupChatNode('Leave Group', { provider: 'periskope', operation: 'leave', chatId }),
	];
	const result = await runWorkflow({
		nodes,
		connections: chain(...nodes.map((node) => node.name)),
		credentials: sandboxCredentials(sandbox),
	});
	expect(result.error).toBeUndefined();
	const out = (name: string) => result.output(name)[0].json;
	const id = String(out('Create Group').chatId);
	const founders = people.founders.map((human) => E164(human).slice(1));
	const joiner = E164(people.joiner).slice(1);
	expect(sandbox.messages('periskope', id).map((message) => message.text)).toEqual([
		'Welcome to Chained',
	]);
	expect(out('Preview Sync').sync).toMatchObject({ plan: { add: [], remove: [] } });
	expect(out('Sync Members').sync).toMatchObject({
		plan: { add: [], remove: [joiner] },
		removed: [joiner],
	});
	expect(out('Sync Again').sync).toMatchObject({ plan: { add: [], remove: [] } });
	expect(out('Invite Link').inviteLink).toMatch(/^https:\/\//);
	const chat = sandbox.getChat('periskope', id)!;
	expect(chat.selfIsMember).toBe(false);
	expect(sorted(chat.participants)).toEqual(sorted(founders));
});
