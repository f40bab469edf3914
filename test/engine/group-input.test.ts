/**
 * The whole-group operations refuse what they cannot do before anything is sent, through
 * n8n-core's engine against the sandbox: an operation a provider does not offer (with the
 * provider's reason), an empty message, an empty or impossible sync list, a WhatsApp linked id
 * where someone would be added, bad filters and limits. Each error names the item, the value and
 * the field as the editor shows it.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-workflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 10, seedLinkedIds: true });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

const LID = DEMO.periskope.linkedIds[0];

async function run(parameters: IDataObject, items?: IDataObject[]) {
	const result = await runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters)],
		items,
		credentials: sandboxCredentials(sandbox),
	});
	return { ...result, items: result.output('Group Chat').map((item) => item.json) };
}

const writes = () => sandbox.requests.filter((request) => request.method !== 'GET');

describe('operations a provider does not offer: refused with the reason, nothing sent', () => {
	test.each([
		['chert', 'listGroups', 'List Groups', /Chert has no endpoint that lists groups/],
		['chert', 'syncMembers', 'Sync Members', /cannot read a group’s roster/],
		['chert', 'promoteAdmins', 'Promote Admins', /iMessage groups have no admins/],
		['chert', 'demoteAdmins', 'Demote Admins', /iMessage groups have no admins/],
		['chert', 'inviteLink', 'Invite Link', /iMessage groups have no invite links/],
		['linq', 'promoteAdmins', 'Promote Admins', /iMessage, RCS and SMS groups have no admins/],
		['linq', 'demoteAdmins', 'Demote Admins', /iMessage, RCS and SMS groups have no admins/],
		['linq', 'inviteLink', 'Invite Link', /no invite links/],
	])('%s %s', async (provider, operation, label, reason) => {
		const chatId = provider === 'chert' ? DEMO.groups.chert.five : DEMO.groups.linq.five;
		const { error } = await run({
			provider,
			operation,
			chatId,
			participants: '+14155550163',
			message: 'x',
		});
		expect(error?.message).toMatch(
			new RegExp(
				`^Item 0: ${label} is not available on ${provider === 'chert' ? 'Chert' : 'Linq'}: `,
			),
		);
		expect(error?.message).toMatch(reason);
		expect(error?.description).toMatch(/Check the "Operation" field\. Nothing was sent/);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('Send Message', () => {
	test('a message of spaces names the Message field', async () => {
		const { error } = await run({
			provider: 'linq',
			operation: 'sendMessage',
			chatId: DEMO.groups.linq.five,
			message: '   ',
		});
		expect(error?.message).toBe('Item 0: Message is empty: enter the text to send');
		expect(error?.description).toBe(
			'Check the "Message" field. Nothing was sent to the provider for this item.',
		);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a bad option from an expression names the option', async () => {
		const { error } = await run({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: DEMO.groups.periskope.five,
			message: 'Hi',
			messageOptions: { hideLinkPreview: '={{ "yes" }}' },
		});
		expect(error?.message).toMatch(/^Item 0: Hide Link Previews must be true or false, got "yes"/);
		expect(error?.description).toMatch(/Check the "Message Options" field/);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('Sync Members', () => {
	const sync = (participants: string, extra: IDataObject = {}) => ({
		provider: 'periskope',
		operation: 'syncMembers',
		chatId: DEMO.groups.periskope.five,
		participants,
		...extra,
	});

	test('an empty list (an expression giving nothing) is refused, naming the Members field; nothing is read or sent', async () => {
		for (const participants of ['={{ [] }}', '={{ $json.nobody }}', ' , ; ']) {
			const { error } = await run(sync(participants));
			expect(error?.message).toMatch(
				/^Item 0: Members is empty: enter the list the group should have/,
			);
			expect(error?.description).toBe(
				'Check the "Members" field. Nothing was sent to the provider for this item.',
			);
		}
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a bad address in the list names it and the Members field', async () => {
		const { error } = await run(sync('+1 415 555 0183, not-a-number'));
		expect(error?.message).toMatch(/^Item 0: Members: "not-a-number" is not a phone number/);
		expect(error?.description).toMatch(/Check the "Members" field/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a linked id that is not in the group cannot be added: refused before any change, naming it', async () => {
		const { error } = await run(
			sync(`+1 415 555 0183, ${LID}`, { syncOptions: { allowRemovals: true } }),
		);
		expect(error?.message).toMatch(new RegExp(`^Item 0: .*"${LID}".*linked ID`));
		expect(error?.message).toMatch(/Nothing was changed|cannot be added|not added/);
		expect(writes()).toHaveLength(0);
		expect(sandbox.getChat('periskope', DEMO.groups.periskope.five)!.participants).toHaveLength(5);
	});

	test('Linq: a list that would leave fewer than 3 members is refused before anything is sent', async () => {
		const { error } = await run({
			provider: 'linq',
			operation: 'syncMembers',
			chatId: DEMO.groups.linq.five,
			participants: '+14155550163',
			syncOptions: { allowRemovals: true },
		});
		expect(error?.message).toMatch(
			/^Item 0: Linq needs at least 3 members in a group: this sync's removals would leave 2 \(5 now, 3 to remove\)\. Nothing was changed/,
		);
		expect(error?.description).toMatch(/Check the "Members" field/);
		expect(writes()).toHaveLength(0);
		await sandbox.settle();
		expect(sandbox.getChat('linq', DEMO.groups.linq.five)!.participants).toHaveLength(5);
	});
});

describe('Add, Create: a WhatsApp linked id is not a phone number to add', () => {
	test.each([
		['addParticipants', { chatId: DEMO.groups.periskope.five }],
		['create', { groupName: 'With a linked id' }],
	])('%s', async (operation, extra) => {
		const { error } = await run({
			provider: 'periskope',
			operation,
			participants: `+1 415 555 0187, ${LID}`,
			...extra,
		});
		expect(error?.message).toBe(
			`Item 0: Participants: "${LID}" is a WhatsApp linked ID (a member known without a phone number), not a phone number: it can be removed, promoted, demoted or kept by Sync Members, but not added`,
		);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('List Groups', () => {
	test('a member filter that is not an address names the Has Member filter', async () => {
		const { error } = await run({
			provider: 'periskope',
			operation: 'listGroups',
			groupFilters: { member: 'somebody' },
		});
		expect(error?.message).toMatch(/^Item 0: Has Member: "somebody" is not a phone number/);
		expect(error?.description).toMatch(/Check the "Filters" field/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test.each([0, 1001, 2.5, '={{ "many" }}'])('Limit %p is refused', async (limit) => {
		const { error } = await run({
			provider: 'linq',
			operation: 'listGroups',
			returnAll: false,
			limit,
		});
		expect(error?.message).toMatch(/^Item 0: Limit must be a whole number from 1 to 1000, got /);
		expect(error?.description).toMatch(/Check the "Limit" field/);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('Promote / Demote', () => {
	test('an empty list is refused', async () => {
		const { error } = await run({
			provider: 'periskope',
			operation: 'promoteAdmins',
			chatId: DEMO.groups.periskope.five,
			participants: '={{ [] }}',
		});
		expect(error?.message).toMatch(/^Item 0: Participants is empty/);
		expect(sandbox.requests).toHaveLength(0);
	});
});
