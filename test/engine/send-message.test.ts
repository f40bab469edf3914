/**
 * Send Message through n8n-core's engine against the provider sandbox: the message lands in the
 * chat's log; Chert and Linq carry an idempotency key derived from the execution and the item, so
 * n8n's Retry of an execution sends once while two items with the same text send two messages;
 * Periskope's queued send says accepted; options reach the provider; bad input sends nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials, type ProviderName } from '../helpers/sandbox-workflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 10 });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

const GROUP: Record<ProviderName, string> = {
	chert: DEMO.groups.chert.five,
	linq: DEMO.groups.linq.five,
	periskope: DEMO.groups.periskope.five,
};

async function run(
	parameters: IDataObject,
	options: { items?: IDataObject[]; contextData?: IDataObject; settings?: IDataObject } = {},
) {
	const result = await runWorkflow({
		nodes: [groupChatNode('Group Chat', parameters, options.settings)],
		items: options.items,
		credentials: sandboxCredentials(sandbox),
		contextData: options.contextData,
	});
	return {
		...result,
		items: result.output('Group Chat').map((item) => item.json),
		paired: result.output('Group Chat').map((item) => item.pairedItem),
	};
}

const outbound = (provider: ProviderName, chatId = GROUP[provider]) =>
	sandbox.messages(provider, chatId).filter((message) => message.direction === 'outbound');
const writes = () => sandbox.requests.filter((request) => request.method !== 'GET');

describe.each(['chert', 'linq', 'periskope'] as const)('%s', (provider) => {
	const send = (message: string, extra: IDataObject = {}) => ({
		provider,
		operation: 'sendMessage',
		chatId: GROUP[provider],
		message,
		...extra,
	});

	test('the message lands in the group: messageId, chatId and status say where and how far', async () => {
		const { error, items } = await run(send('Welcome to the group!'));
		expect(error).toBeUndefined();
		const [item] = items;
		const [message] = outbound(provider);
		expect(message).toMatchObject({ text: 'Welcome to the group!', direction: 'outbound' });
		expect(outbound(provider)).toHaveLength(1);
		// Chert sends at once; Linq answers while the message is queued; Periskope queues every send.
		expect(item).toMatchObject({
			status: provider === 'chert' ? 'done' : 'accepted',
			chatId: GROUP[provider],
			messageId: provider === 'periskope' ? message.queueId : message.id,
			provider,
			operation: 'sendMessage',
		});
		expect(Object.keys(item).slice(0, 3)).toEqual(['status', 'chatId', 'messageId']);
	});

	test('two items with the same text send two messages', async () => {
		const { error, items, paired } = await run(send('={{ $json.text }}'), {
			items: [{ text: 'Same words' }, { text: 'Same words' }],
		});
		expect(error).toBeUndefined();
		expect(outbound(provider).map((message) => message.text)).toEqual(['Same words', 'Same words']);
		expect(new Set(items.map((item) => item.messageId)).size).toBe(2);
		expect(paired).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('an empty message: n8n refuses the workflow (Message is required); nothing is sent', async () => {
		await expect(run(send(''))).rejects.toThrow('Parameter "Message" is required');
		expect(sandbox.requests).toHaveLength(0);
	});

	test('only spaces, invisible characters or an expression that comes out empty: refused at run time; nothing is sent', async () => {
		for (const message of ['   ', '={{ $json.nothing }}', '={{ "  " }}', '\u200b\u200b']) {
			const { error } = await run(send(message));
			expect(error?.message).toMatch(
				/^Item 0: Message (is empty: enter the text to send|contains only invisible characters)/,
			);
			expect(error?.description).toMatch(/Nothing was sent/);
		}
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a message longer than 5,000 characters is refused before sending', async () => {
		const { error } = await run(send('x'.repeat(5001)));
		expect(error?.message).toMatch(/^Item 0: Message is longer than 5000 characters/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a chat that does not exist fails in the provider’s words, with its code', async () => {
		const missing = {
			chert: 'ch_missing',
			linq: '00000000-0000-4000-8000-000000000000',
			periskope: '120363400000000000@g.us',
		}[provider];
		const { error } = await run(send('Hello', { chatId: missing }));
		expect(error?.message).toMatch(
			new RegExp(`^${provider[0].toUpperCase()}${provider.slice(1)}: chat not found`),
		);
		expect(error?.description).toMatch(/HTTP 404/);
		expect(outbound(provider, missing)).toHaveLength(0);
	});
});

describe('idempotency: a repeated run of the same execution sends once', () => {
	test.each(['chert', 'linq'] as const)(
		'%s: n8n’s Retry replays the same message; a new execution sends a new one',
		async (provider) => {
			const node = groupChatNode('Group Chat', {
				provider,
				operation: 'sendMessage',
				chatId: GROUP[provider],
				message: 'Only once',
				options: { maxAttempts: 1 },
			});
			const credentials = sandboxCredentials(sandbox);
			// The message is accepted, then the connection drops before the answer: the execution fails.
			sandbox.faults.inject({ provider, kind: 'reset_after', method: 'POST', path: /messages$/ });
			const failed = await runWorkflow({ nodes: [node], credentials });
			expect(failed.error?.message).toMatch(/may or may not have been applied/);
			expect(outbound(provider)).toHaveLength(1);
			// Retry starts from the failed execution's saved data (its context included): same key, no second message.
			const retried = await runWorkflow({
				nodes: [node],
				credentials,
				contextData: failed.run.data.executionData?.contextData as IDataObject,
			});
			expect(retried.error).toBeUndefined();
			expect(outbound(provider)).toHaveLength(1);
			expect(retried.output('Group Chat')[0].json.messageId).toBe(outbound(provider)[0].id);
			const keys = sandbox.requests
				.filter((request) => request.method === 'POST')
				.map((request) => JSON.parse(request.bodyText).message.idempotency_key);
			expect(keys).toHaveLength(2);
			expect(keys[1]).toBe(keys[0]);
			// A new execution is a new message.
			const again = await runWorkflow({ nodes: [node], credentials });
			expect(again.error).toBeUndefined();
			expect(outbound(provider)).toHaveLength(2);
		},
	);

	test.each(['chert', 'linq'] as const)(
		'%s: a reset after the send was applied is retried with the same key: one message',
		async (provider) => {
			sandbox.faults.inject({ provider, kind: 'reset_after', method: 'POST', path: /messages$/ });
			const { error, items } = await run({
				provider,
				operation: 'sendMessage',
				chatId: GROUP[provider],
				message: 'Through a reset',
			});
			expect(error).toBeUndefined();
			expect(writes()).toHaveLength(2);
			expect(outbound(provider)).toHaveLength(1);
			expect(items[0].messageId).toBe(outbound(provider)[0].id);
		},
	);

	test('Periskope takes no key: a send that may have arrived is never sent again', async () => {
		sandbox.faults.inject({
			provider: 'periskope',
			kind: 'reset_after',
			method: 'POST',
			path: '/message/send',
		});
		const { error } = await run({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: GROUP.periskope,
			message: 'At most once',
		});
		expect(error?.message).toMatch(/^Periskope: .*not retried automatically/);
		expect(writes()).toHaveLength(1);
		expect(outbound('periskope')).toHaveLength(1);
		expect(JSON.parse(writes()[0].bodyText)).not.toHaveProperty('idempotency_key');
	});

	test('Periskope: a 429 (nothing applied) is waited out and the send goes once', async () => {
		sandbox.faults.inject({
			provider: 'periskope',
			kind: 'rate_limit',
			method: 'POST',
			path: '/message/send',
			retryAfterSeconds: 1,
		});
		const { error, items } = await run({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: GROUP.periskope,
			message: 'After a 429',
		});
		expect(error).toBeUndefined();
		expect(writes()).toHaveLength(2);
		expect(outbound('periskope')).toHaveLength(1);
		expect(items[0].status).toBe('accepted');
	});
});

describe('options', () => {
	test('Chert: a link preview is sent as a rich link part after the text', async () => {
		const { error } = await run({
			provider: 'chert',
			operation: 'sendMessage',
			chatId: GROUP.chert,
			message: 'Our guide',
			messageOptions: { linkPreviewUrl: 'https://example.com/guide' },
		});
		expect(error).toBeUndefined();
		expect(outbound('chert')[0].parts).toEqual([
			{ type: 'text', value: 'Our guide' },
			{ type: 'rich_link', url: 'https://example.com/guide' },
		]);
	});

	test('Chert: a link preview that is not https is refused before sending', async () => {
		const { error } = await run({
			provider: 'chert',
			operation: 'sendMessage',
			chatId: GROUP.chert,
			message: 'Our guide',
			messageOptions: { linkPreviewUrl: 'http://example.com/guide' },
		});
		expect(error?.message).toMatch(/^Item 0: Link Preview URL must be an https:\/\/ URL/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('Periskope: a reply to a member’s message, links without previews', async () => {
		const member = sandbox.postMessage(
			'periskope',
			GROUP.periskope,
			'14155550183',
			'Where is the guide?',
		);
		const { error } = await run({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: GROUP.periskope,
			message: 'Here: https://example.com/guide',
			messageOptions: { replyTo: member.eventId, hideLinkPreview: true },
		});
		expect(error).toBeUndefined();
		expect(outbound('periskope')[0]).toMatchObject({
			replyTo: member.eventId,
			options: { options: { hide_url_preview: true } },
		});
	});

	test('Linq: a reply to a member’s message', async () => {
		const member = sandbox.messages('linq', GROUP.linq).length;
		sandbox.postMessage('linq', GROUP.linq, '+14155550163', 'Any news?');
		const replyTo = sandbox.messages('linq', GROUP.linq)[member].id;
		const { error, items } = await run({
			provider: 'linq',
			operation: 'sendMessage',
			chatId: GROUP.linq,
			message: 'Yes!',
			messageOptions: { replyTo },
		});
		expect(error).toBeUndefined();
		expect(outbound('linq')[0]).toMatchObject({ text: 'Yes!', replyTo });
		expect(items[0].status).toBe('accepted');
	});

	test('a reply to a message that is not in the chat: the provider’s refusal, nothing sent twice', async () => {
		const { error } = await run({
			provider: 'periskope',
			operation: 'sendMessage',
			chatId: GROUP.periskope,
			message: 'Hi',
			messageOptions: { replyTo: 'true_nowhere' },
		});
		expect(error?.message).toMatch(/^Periskope: /);
		expect(error?.description).toMatch(/provider code message_not_found, HTTP 404/);
		expect(writes()).toHaveLength(1);
		expect(outbound('periskope')).toHaveLength(0);
	});
});

describe('after leaving the group', () => {
	test.each(['chert', 'linq', 'periskope'] as const)(
		'%s: a send says your line is no longer in the group',
		async (provider) => {
			const chatId = GROUP[provider];
			const left = await run({ provider, operation: 'leave', chatId });
			expect(left.error).toBeUndefined();
			await sandbox.settle();
			const { error } = await run({
				provider,
				operation: 'sendMessage',
				chatId,
				message: 'Still here?',
			});
			expect(error?.message).toMatch(/no longer in this group|you have left this chat/);
			expect(error?.message).not.toMatch(/credential/);
			expect(outbound(provider)).toHaveLength(0);
		},
	);
});
