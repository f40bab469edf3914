/**
 * webhookMethods against the sandbox, through n8n-core's real HookContext and the real
 * request gate: create registers exactly one subscription for n8n's webhook URL (with the
 * provider's body shape), checkExists tells the truth, delete removes it, and reactivation or a
 * stale leftover for the same URL never ends in two.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import { GroupChatTrigger } from '../../nodes/GroupChatTrigger/GroupChatTrigger.node';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { sandboxCredentials } from '../helpers/sandbox-workflow';
import { TriggerHarness } from '../helpers/trigger';

type ProviderName = 'chert' | 'linq' | 'periskope';

let sandbox: Sandbox;
const harnesses: TriggerHarness[] = [];

beforeAll(async () => {
	sandbox = await startSandbox({ webhookRetryBaseMs: 20 });
});
afterAll(async () => {
	await Promise.all(harnesses.map((harness) => harness.stop()));
	await sandbox.stop();
});
beforeEach(() => sandbox.reset());

const EVENTS: Record<ProviderName, string[]> = {
	chert: ['message.received'],
	linq: ['participant.added', 'participant.removed', 'change.failed'],
	periskope: ['participant.added', 'group.renamed', 'message.received'],
};

async function harness(
	provider: ProviderName,
	extra: Record<string, unknown> = {},
	mode: 'webhook' | 'manual' = 'webhook',
) {
	const created = await TriggerHarness.start({
		provider,
		parameters: { events: EVENTS[provider], ...extra },
		credentials: sandboxCredentials(sandbox),
		mode,
	});
	harnesses.push(created);
	return created;
}

const subscriptionRequests = (provider: ProviderName, method: string) =>
	sandbox.requests.filter(
		(request) =>
			request.provider === provider && request.method === method && /webhook/.test(request.path),
	);

describe.each<ProviderName>(['chert', 'linq', 'periskope'])(
	'%s subscription lifecycle',
	(provider) => {
		test('create → checkExists → delete, one subscription for the webhook URL, secret only in static data', async () => {
			const trigger = await harness(provider);
			expect(await trigger.checkExists()).toBe(false);
			const { existed } = await trigger.activate();
			expect(existed).toBe(false);

			const subscriptions = sandbox.subscriptions(provider);
			expect(subscriptions.length).toBeGreaterThanOrEqual(1);
			const urls = new Set(subscriptions.map((sub) => sub.url.split('?')[0]));
			expect([...urls]).toEqual([trigger.webhookUrl]);

			const stored = trigger.staticData.subscription as Record<string, unknown>;
			expect(stored.ids).toEqual(subscriptions.map((sub) => sub.id));
			if (provider === 'periskope') {
				// One subscription per event type; each URL carries the token this node chose.
				expect(subscriptions.map((sub) => sub.events[0]).sort()).toEqual([
					'chat.notification.created',
					'message.created',
				]);
				expect(typeof stored.token).toBe('string');
				expect((stored.token as string).length).toBeGreaterThanOrEqual(40);
				expect(
					subscriptions.every(
						(sub) => sub.url === `${trigger.webhookUrl}?token=${stored.token as string}`,
					),
				).toBe(true);
				expect(stored.secret).toBeUndefined();
			} else {
				expect(stored.secret).toBe(subscriptions[0].secret);
			}

			// The exact request body the provider received (raw bytes on the wire).
			const [createRequest] = subscriptionRequests(provider, 'POST');
			const body = JSON.parse(createRequest.bodyText) as Record<string, unknown>;
			if (provider === 'chert')
				expect(body).toEqual({ url: trigger.webhookUrl, events: ['message.received'] });
			if (provider === 'linq') {
				expect(body).toEqual({
					target_url: trigger.webhookUrl,
					subscribed_events: [
						'participant.added',
						'participant.removed',
						'chat.group_name_update_failed',
						'chat.group_icon_update_failed',
					],
				});
			}
			if (provider === 'periskope') {
				expect(Object.keys(body).sort()).toEqual(['hookUrl', 'integrationName']);
				expect(body.integrationName).toEqual(['chat.notification.created', 'message.created']);
			}
			expect(createRequest.status).toBe(provider === 'periskope' ? 201 : 200);

			expect(await trigger.checkExists()).toBe(true);
			expect(await trigger.deactivate()).toBe(true);
			expect(sandbox.subscriptions(provider)).toEqual([]);
			expect(trigger.staticData.subscription).toBeUndefined();
			expect(await trigger.checkExists()).toBe(false);
		});

		test('reactivation and a stale subscription for the same URL never leave two', async () => {
			const trigger = await harness(provider);
			await trigger.activate();
			const first = (trigger.staticData.subscription as unknown as { ids: string[] }).ids;

			// The node's memory is lost (e.g. the workflow was re-imported) but the provider still
			// has the old subscription: the next activation must replace it, not add one.
			delete trigger.staticData.subscription;
			await trigger.activate();
			const second = (trigger.staticData.subscription as unknown as { ids: string[] }).ids;
			expect(second).not.toEqual(first);
			expect(
				sandbox
					.subscriptions(provider)
					.map((sub) => sub.id)
					.sort(),
			).toEqual([...second].sort());

			// Changing the events makes checkExists false; activation replaces it again.
			expect(await trigger.checkExists()).toBe(true);
			if (provider !== 'chert') {
				trigger.node.parameters.events = ['participant.added'];
				expect(await trigger.checkExists()).toBe(false);
				await trigger.activate();
				const third = (trigger.staticData.subscription as unknown as { ids: string[] }).ids;
				expect(sandbox.subscriptions(provider).map((sub) => sub.id)).toEqual(third);
				expect(third).not.toEqual(second);
			}

			await trigger.deactivate();
			expect(sandbox.subscriptions(provider)).toEqual([]);
		});

		test('test URL in manual mode works the same way', async () => {
			const trigger = await harness(provider, {}, 'manual');
			await trigger.activate();
			expect(trigger.webhookUrl).toMatch(/\/webhook-test\//);
			expect(
				sandbox.subscriptions(provider).every((sub) => sub.url.startsWith(trigger.webhookUrl)),
			).toBe(true);
			await trigger.deactivate();
			expect(sandbox.subscriptions(provider)).toEqual([]);
		});
	},
);

test('Linq: a sender filter becomes phone_numbers; an unknown sender line is refused by Linq', async () => {
	const trigger = await harness('linq', { senders: '(415) 555-0150' });
	await trigger.activate();
	const [createRequest] = subscriptionRequests('linq', 'POST');
	expect(JSON.parse(createRequest.bodyText).phone_numbers).toEqual(['+14155550150']);
	await trigger.deactivate();

	const foreign = await harness('linq', { senders: '+1 415 555 0199' });
	await expect(foreign.activate()).rejects.toThrow(/Linq/);
	expect(sandbox.subscriptions('linq')).toEqual([]);
});

test('Chert: a non-HTTPS webhook URL is refused with a clear message unless both ends are loopback', async () => {
	const trigger = await TriggerHarness.start({
		provider: 'chert',
		parameters: { events: ['message.received'] },
		credentials: {
			...sandboxCredentials(sandbox),
			chertApi: {
				...sandboxCredentials(sandbox).chertApi,
				baseUrl: 'https://console.trychert.com',
			},
		},
	});
	harnesses.push(trigger);
	await expect(trigger.activate()).rejects.toThrow(
		/Chert only delivers webhooks to HTTPS URLs.*WEBHOOK_URL/,
	);
	expect(sandbox.requests.filter((request) => request.provider === 'chert')).toHaveLength(0);
});

describe('promotions, demotions and invite-link resets: Periskope only', () => {
	const NEW_EVENTS = ['participant.promoted', 'participant.demoted', 'group.invite_link_reset'];
	/** Trigger On's choices per provider, as the editor shows them. */
	const offered = Object.fromEntries(
		new GroupChatTrigger().description.properties
			.filter((property) => property.name === 'events')
			.map((property) => [
				(property.displayOptions?.show?.provider as string[])[0],
				(property.options as INodePropertyOptions[]).map((option) => option.value),
			]),
	) as Record<ProviderName, string[]>;

	test('Trigger On offers them on Periskope, with names and descriptions, and not on Chert or Linq', () => {
		expect(Object.keys(offered).sort()).toEqual(['chert', 'linq', 'periskope']);
		expect(offered.periskope).toEqual(expect.arrayContaining(NEW_EVENTS));
		for (const provider of ['chert', 'linq'] as const) {
			expect(offered[provider].filter((event) => NEW_EVENTS.includes(event))).toEqual([]);
		}
		const periskope = new GroupChatTrigger().description.properties.find(
			(property) =>
				property.name === 'events' &&
				(property.displayOptions?.show?.provider as string[])[0] === 'periskope',
		);
		const options = (periskope?.options as INodePropertyOptions[]).filter((option) =>
			NEW_EVENTS.includes(option.value as string),
		);
		expect(options.map((option) => option.name).sort()).toEqual([
			'Invite Link Reset',
			'Participant Made Admin',
			'Participant No Longer Admin',
		]);
		for (const option of options) expect(option.description).toMatch(/WhatsApp/);
	});

	test('Periskope: activating on only these subscribes once, to chat.notification.created', async () => {
		const trigger = await harness('periskope', { events: NEW_EVENTS });
		await trigger.activate();
		const [createRequest] = subscriptionRequests('periskope', 'POST');
		expect(JSON.parse(createRequest.bodyText).integrationName).toEqual([
			'chat.notification.created',
		]);
		expect(sandbox.subscriptions('periskope').map((sub) => sub.events)).toEqual([
			['chat.notification.created'],
		]);
		expect((trigger.staticData.subscription as { events: string[] }).events).toEqual(NEW_EVENTS);
		await trigger.deactivate();
		expect(sandbox.subscriptions('periskope')).toEqual([]);
	});

	test('Linq: a saved workflow naming them (e.g. after switching Provider) subscribes only to what Linq delivers', async () => {
		const trigger = await harness('linq', { events: ['participant.added', ...NEW_EVENTS] });
		await trigger.activate();
		const [createRequest] = subscriptionRequests('linq', 'POST');
		expect(JSON.parse(createRequest.bodyText).subscribed_events).toEqual(['participant.added']);
		expect((trigger.staticData.subscription as { events: string[] }).events).toEqual([
			'participant.added',
		]);
		await trigger.deactivate();

		const only = await harness('linq', { events: NEW_EVENTS });
		await expect(only.activate()).rejects.toThrow(
			'Linq does not deliver the events chosen in "Trigger On" (Participant Made Admin, Participant No Longer Admin, Invite Link Reset): choose from ',
		);
		const odd = await harness('linq', { events: ['toString', 'x'.repeat(5000)] });
		const oddError = await odd.activate().then(
			() => new Error('activated'),
			(error: Error) => error,
		);
		expect(oddError.message).toMatch(
			/^Linq does not deliver the events chosen in "Trigger On" \("toString", "x{59}…\): choose from /,
		);
		expect(oddError.message.length).toBeLessThan(400);
		const none = await harness('linq', { events: [] });
		await expect(none.activate()).rejects.toThrow(
			/^Choose at least one event in "Trigger On" \(Linq delivers: Participant Added, /,
		);
		expect(sandbox.subscriptions('linq')).toEqual([]);
		expect(subscriptionRequests('linq', 'POST')).toHaveLength(1);
	});
});
