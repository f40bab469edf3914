/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test, not shipped in dist */
/**
 * The trigger's webhook handler at the real boundary: the sandbox applies changes and delivers
 * its signed webhooks over HTTP to a loopback receiver that hands each request (raw body
 * included) to the real node through n8n-core's WebhookContext. Every event of every provider
 * becomes the normalized item; forged, tampered, replayed and expired deliveries get 401 and
 * start nothing; redeliveries get 200 and start nothing.
 */
import { createHmac } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox, type DeliveryRecord, type Sandbox } from '../../src/sandbox';
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { sandboxCredentials } from '../helpers/sandbox-workflow';
import { linq, periskope } from '../sandbox/helpers';
import { TriggerHarness } from '../helpers/trigger';

type ProviderName = 'chert' | 'linq' | 'periskope';

let sandbox: Sandbox;
const open: TriggerHarness[] = [];

beforeAll(async () => {
	// With the linked-ids group (members WhatsApp knows only as …@lid) for the Periskope cases.
	sandbox = await startSandbox({
		webhookRetryBaseMs: 5,
		linqApplyDelayMs: 20,
		seedLinkedIds: true,
	});
});
afterAll(async () => {
	await Promise.all(open.map((harness) => harness.stop()));
	await sandbox.stop();
});
beforeEach(() => sandbox.reset());

const ALL: Record<ProviderName, string[]> = {
	chert: ['message.received'],
	linq: [
		'participant.added',
		'participant.removed',
		'group.renamed',
		'group.icon_changed',
		'group.created',
		'change.failed',
		'message.received',
	],
	periskope: [
		'participant.added',
		'participant.removed',
		'participant.promoted',
		'participant.demoted',
		'group.renamed',
		'group.icon_changed',
		'group.invite_link_reset',
		'group.created',
		'message.received',
	],
};

async function activated(provider: ProviderName, parameters: Record<string, unknown> = {}) {
	const trigger = await TriggerHarness.start({
		provider,
		parameters: { events: ALL[provider], ...parameters },
		credentials: sandboxCredentials(sandbox),
	});
	open.push(trigger);
	await trigger.activate();
	return trigger;
}

/** One change straight at the sandbox's API, then its webhooks delivered (items in a known order). */
async function change(
	provider: 'linq' | 'periskope',
	method: string,
	path: string,
	body?: unknown,
) {
	const response = await (provider === 'linq' ? linq : periskope)(sandbox, method, path, body);
	expect(response.status).toBeLessThan(300);
	await sandbox.webhooksIdle();
	return response.json as Record<string, unknown>;
}

/**
 * Runs one Group Chat (action node) step through the engine against the sandbox, then waits
 * until its webhooks are delivered (so items arrive in a known order).
 */
async function act(provider: ProviderName, parameters: Record<string, unknown>) {
	const run = await runWorkflow({
		nodes: [groupChatNode('Step', { provider, ...parameters })],
		credentials: sandboxCredentials(sandbox),
	});
	if (run.error) throw run.error;
	await sandbox.webhooksIdle();
	return run.output('Step')[0].json as Record<string, unknown>;
}

const items = (trigger: TriggerHarness) => trigger.executions.flat();
const obj = (value: unknown) => (value ?? {}) as Record<string, unknown>;
const secretOf = (trigger: TriggerHarness) =>
	(trigger.staticData.subscription as { secret?: string }).secret ?? '';
const tokenOf = (trigger: TriggerHarness) =>
	(trigger.staticData.subscription as { token?: string }).token ?? '';

function expectNoSecrets(trigger: TriggerHarness) {
	const text = JSON.stringify(trigger.executions);
	const secret = secretOf(trigger);
	const token = tokenOf(trigger);
	if (secret) expect(text).not.toContain(secret);
	if (token) expect(text).not.toContain(token);
	expect(text).not.toMatch(/v1,[A-Za-z0-9+/=]{40,}|t=\d+,v1=[0-9a-f]{64}/);
}

describe('valid deliveries from the sandbox become normalized items', () => {
	test('close the loop: Group Chat (Linq, add) answers "accepted", the trigger confirms the add', async () => {
		const trigger = await activated('linq', { events: ['participant.added'] });
		const chatId = DEMO.groups.linq.five;
		const added = await act('linq', {
			operation: 'addParticipants',
			chatId,
			participants: '(415) 555-0177',
		});
		expect(added.status).toBe('accepted');
		expect(added.participants).toEqual([
			expect.objectContaining({ address: '+14155550177', outcome: 'queued' }),
		]);
		expect(trigger.executions).toEqual([
			[
				expect.objectContaining({
					provider: 'linq',
					event: 'participant.added',
					chatId,
					participant: '+14155550177',
				}),
			],
		]);
	});

	test('Linq: every event, including the queued changes and a refused one', async () => {
		const trigger = await activated('linq');
		const chatId = DEMO.groups.linq.five;
		const chat = `/v3/chats/${chatId}`;

		expect(
			(await change('linq', 'POST', `${chat}/participants`, { handle: '+14155550177' })).status,
		).toBe('accepted');
		await change('linq', 'DELETE', `${chat}/participants`, { handle: '+14155550163' });
		await change('linq', 'PUT', chat, { display_name: 'Renamed' });
		await change('linq', 'PUT', chat, { group_chat_icon: 'https://example.com/icon.png' });
		sandbox.refuseQueued(1);
		await change('linq', 'PUT', chat, { display_name: 'Refused' });
		await change('linq', 'POST', `${chat}/leave`);
		const created = {
			chatId: obj(
				(
					await change('linq', 'POST', '/v3/chats', {
						from: DEMO.linq.senders[0],
						to: ['+14155550178', '+14155550179'],
						message: { parts: [{ type: 'text', value: 'Hello group' }] },
					})
				).chat,
			).id,
		};
		sandbox.postMessage('linq', DEMO.groups.linq.trio, '+14155550161', 'Hi all');
		await sandbox.webhooksIdle();

		const got = items(trigger).map(({ provider, event, chatId: id, participant, name }) => ({
			provider,
			event,
			chatId: id,
			participant,
			name,
		}));
		expect(got).toEqual([
			{
				provider: 'linq',
				event: 'participant.added',
				chatId,
				participant: '+14155550177',
				name: null,
			},
			{
				provider: 'linq',
				event: 'participant.removed',
				chatId,
				participant: '+14155550163',
				name: null,
			},
			{ provider: 'linq', event: 'group.renamed', chatId, participant: null, name: 'Renamed' },
			{ provider: 'linq', event: 'group.icon_changed', chatId, participant: null, name: null },
			{ provider: 'linq', event: 'change.failed', chatId, participant: null, name: null },
			// the line itself leaving
			{
				provider: 'linq',
				event: 'participant.removed',
				chatId,
				participant: DEMO.linq.senders[0],
				name: null,
			},
			{
				provider: 'linq',
				event: 'group.created',
				chatId: created.chatId,
				participant: null,
				name: expect.any(String),
			},
			{
				provider: 'linq',
				event: 'message.received',
				chatId: DEMO.groups.linq.trio,
				participant: '+14155550161',
				name: null,
			},
		]);
		// Each item carries the provider's payload byte for byte, its event id and time.
		const deliveries = sandbox.deliveries.filter((delivery) => delivery.status === 200);
		expect(deliveries).toHaveLength(items(trigger).length);
		for (const item of items(trigger)) {
			const delivery = deliveries.find((entry) => entry.eventId === item.eventId);
			expect(delivery).toBeDefined();
			expect(item.raw).toEqual(JSON.parse(delivery!.body));
			expect(item.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
			expect(Object.keys(item).sort()).toEqual(
				[
					'provider',
					'event',
					'chatId',
					'participant',
					'name',
					'occurredAt',
					'eventId',
					'raw',
					...('actor' in item ? ['actor'] : []),
				].sort(),
			);
		}
		expect(items(trigger)[2].actor).toBe(DEMO.linq.senders[0]);
		expectNoSecrets(trigger);
	});

	test('Chert: a message in a group; a direct message starts nothing', async () => {
		const trigger = await activated('chert');
		sandbox.postMessage('chert', DEMO.groups.chert.trio, '+14155550111', 'Sure, what time?');
		sandbox.postMessage('chert', DEMO.groups.chert.dm, '+14155550131', 'just us');
		await sandbox.webhooksIdle();
		expect(sandbox.deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
		expect(trigger.executions).toHaveLength(1);
		const [item] = items(trigger);
		expect(item).toMatchObject({
			provider: 'chert',
			event: 'message.received',
			chatId: DEMO.groups.chert.trio,
			participant: '+14155550111',
			name: 'Demo trio',
		});
		expect(item.raw).toEqual(JSON.parse(sandbox.deliveries[0].body));
		expectNoSecrets(trigger);
	});

	test('Periskope: every event, addresses as digits like the action node', async () => {
		const trigger = await activated('periskope');
		const chatId = DEMO.groups.periskope.five;
		const chat = `/chats/${chatId}`;
		await change('periskope', 'POST', `${chat}/add`, { participants: ['14155550187'] });
		await change('periskope', 'POST', `${chat}/remove`, { participants: ['14155550183'] });
		await change('periskope', 'POST', `${chat}/settings`, { name: 'Renamed' });
		sandbox.postMessage('periskope', chatId, '14155550184', 'Hola');
		await sandbox.webhooksIdle();
		await change('periskope', 'POST', `${chat}/leave`);
		const created = {
			chatId: (
				await change('periskope', 'POST', '/chats/create', {
					group_name: 'New one',
					participants: ['14155550181', '14155550182'],
				})
			).chat_id,
		};

		expect(
			items(trigger).map(({ event, chatId: id, participant, name }) => ({
				event,
				chatId: id,
				participant,
				name,
			})),
		).toEqual([
			{ event: 'participant.added', chatId, participant: '14155550187', name: null },
			{ event: 'participant.removed', chatId, participant: '14155550183', name: null },
			{ event: 'group.renamed', chatId, participant: null, name: 'Renamed' },
			{ event: 'message.received', chatId, participant: '14155550184', name: null },
			{ event: 'participant.removed', chatId, participant: DEMO.periskope.orgPhone, name: null },
			{ event: 'group.created', chatId: created.chatId, participant: null, name: 'New one' },
		]);
		expect(items(trigger)[0].actor).toBe(DEMO.periskope.orgPhone);
		expectNoSecrets(trigger);
	});

	test('filters: Chat IDs and event choice start nothing for other events (200, no execution)', async () => {
		const trigger = await activated('linq', {
			events: ['participant.added'],
			chatIds: DEMO.groups.linq.five,
		});
		await change('linq', 'POST', `/v3/chats/${DEMO.groups.linq.trio}/participants`, {
			handle: '+14155550177',
		});
		await change('linq', 'POST', `/v3/chats/${DEMO.groups.linq.five}/participants`, {
			handle: '+14155550178',
		});
		expect(sandbox.deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
		expect(items(trigger).map((item) => item.participant)).toEqual(['+14155550178']);
	});
});

// ---- what the new operations cause (Periskope), and members known only by a linked id ------

const ORG = `${DEMO.periskope.orgPhone}@c.us`;
let notificationCount = 0;

/**
 * A WhatsApp group notification as Periskope's webhook delivers it (`chat.notification.created`,
 * the `tbl_chat_notifications` row of @periskope/types), for shapes the sandbox does not emit:
 * one notification naming several members, members known only by a linked id (…@lid).
 */
function periskopeNotification(chatId: string, type: string, recipientids: string[], author = ORG) {
	const unique = `N${String(++notificationCount).padStart(6, '0')}`;
	const serialized = `true_${chatId}_${unique}_${recipientids[0] ?? author}_${type}`;
	const timestamp = new Date().toISOString();
	return JSON.stringify({
		event: 'chat.notification.created',
		data: {
			org_id: 'org-test',
			notification_id: serialized,
			chat_id: chatId,
			author,
			body: null,
			id: { id: unique, fromMe: author === ORG, remote: chatId, serialized },
			recipientids,
			type,
			timestamp,
			org_phone: ORG,
			unique_id: unique,
			metadata: null,
		},
		org_id: 'org-test',
		previous_attributes: null,
		timestamp,
	});
}

const summary = (item: IDataObject) => ({
	event: item.event,
	chatId: item.chatId,
	participant: item.participant,
	actor: item.actor,
});
/** The member ids a (per-member) item's raw notification names. */
const rawRecipients = (item: IDataObject) => obj(obj(item.raw).data).recipientids;

describe('Periskope: what Promote Admins, Demote Admins and Invite Link cause', () => {
	test('through the Group Chat node: one participant.promoted / participant.demoted item per member, group.invite_link_reset with the new link in raw', async () => {
		const trigger = await activated('periskope');
		const chatId = DEMO.groups.periskope.five;

		const promoted = await act('periskope', {
			operation: 'promoteAdmins',
			chatId,
			participants: '+1 415 555 0183\n(415) 555-0184',
		});
		expect(promoted).toMatchObject({ status: 'done', chatId });
		expect(promoted.participants).toEqual([
			expect.objectContaining({ address: '14155550183', outcome: 'promoted' }),
			expect.objectContaining({ address: '14155550184', outcome: 'promoted' }),
		]);
		const demoted = await act('periskope', {
			operation: 'demoteAdmins',
			chatId,
			participants: '14155550184',
		});
		expect(demoted.participants).toEqual([
			expect.objectContaining({ address: '14155550184', outcome: 'demoted' }),
		]);
		const link = await act('periskope', {
			operation: 'inviteLink',
			chatId,
			inviteLinkAction: 'reset',
		});
		expect(link.inviteLink).toMatch(/^https:\/\/chat\.whatsapp\.com\//);

		expect(items(trigger).map(summary)).toEqual([
			{
				event: 'participant.promoted',
				chatId,
				participant: '14155550183',
				actor: DEMO.periskope.orgPhone,
			},
			{
				event: 'participant.promoted',
				chatId,
				participant: '14155550184',
				actor: DEMO.periskope.orgPhone,
			},
			{
				event: 'participant.demoted',
				chatId,
				participant: '14155550184',
				actor: DEMO.periskope.orgPhone,
			},
			{
				event: 'group.invite_link_reset',
				chatId,
				participant: null,
				actor: DEMO.periskope.orgPhone,
			},
		]);
		expect(items(trigger).map((item) => obj(obj(item.raw).data).type)).toEqual([
			'promote',
			'promote',
			'demote',
			'revoke_invite',
		]);
		expect(items(trigger).map((item) => item.name)).toEqual([null, null, null, null]);
		// The reset's notification carries the new link: the one the node output.
		expect(obj(obj(items(trigger)[3].raw).data).body).toBe(link.inviteLink);
		// One delivery and one execution per change, each with its own event id.
		expect(sandbox.deliveries.map((delivery) => [delivery.eventType, delivery.status])).toEqual(
			Array.from({ length: 4 }, () => ['chat.notification.created', 200]),
		);
		expect(trigger.executions).toHaveLength(4);
		expect(new Set(items(trigger).map((item) => item.eventId)).size).toBe(4);
		expectNoSecrets(trigger);
	});

	test('a trigger not listening for them answers the same deliveries 200 and starts nothing', async () => {
		const trigger = await activated('periskope', {
			events: ['participant.added', 'participant.removed', 'group.renamed'],
		});
		const chatId = DEMO.groups.periskope.five;
		await act('periskope', { operation: 'promoteAdmins', chatId, participants: '14155550183' });
		await act('periskope', { operation: 'demoteAdmins', chatId, participants: '14155550183' });
		await act('periskope', { operation: 'inviteLink', chatId, inviteLinkAction: 'reset' });
		expect(sandbox.deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
		expect(trigger.executions).toHaveLength(0);
	});

	test('one notification naming several members (phones and linked ids): one item per member, each with its own event id and raw', async () => {
		const trigger = await activated('periskope');
		const chatId = DEMO.groups.periskope.linked;
		const members = ['14155550187@c.us', '205519000000001@lid', '205519000000002@lid'];
		for (const type of ['promote', 'demote']) {
			const received = await trigger.post(
				periskopeNotification(chatId, type, members),
				{},
				`?token=${tokenOf(trigger)}`,
			);
			expect(received.status).toBe(200);
		}
		expect(
			trigger.executions.map((run) => run.map((item) => [item.event, item.participant])),
		).toEqual([
			[
				['participant.promoted', '14155550187'],
				['participant.promoted', '205519000000001@lid'],
				['participant.promoted', '205519000000002@lid'],
			],
			[
				['participant.demoted', '14155550187'],
				['participant.demoted', '205519000000001@lid'],
				['participant.demoted', '205519000000002@lid'],
			],
		]);
		expect(new Set(items(trigger).map((item) => item.eventId)).size).toBe(6);
		expect(items(trigger).map(rawRecipients)).toEqual(
			[...members, ...members].map((member) => [member]),
		);
		// A redelivery of the same notification starts nothing.
		const again = periskopeNotification(chatId, 'promote', members);
		expect((await trigger.post(again, {}, `?token=${tokenOf(trigger)}`)).status).toBe(200);
		expect((await trigger.post(again, {}, `?token=${tokenOf(trigger)}`)).status).toBe(200);
		expect(trigger.executions).toHaveLength(3);
	});
});

describe('Periskope: members known only by a linked id (…@lid) pass through unchanged', () => {
	test('promote, demote and remove of linked ids through the Group Chat node: the items name the same …@lid', async () => {
		const trigger = await activated('periskope');
		const chatId = DEMO.groups.periskope.linked;
		const [first, second] = DEMO.periskope.linkedIds;
		const promoted = await act('periskope', {
			operation: 'promoteAdmins',
			chatId,
			participants: first,
		});
		expect(promoted.participants).toEqual([
			expect.objectContaining({ address: first, outcome: 'promoted' }),
		]);
		await act('periskope', { operation: 'demoteAdmins', chatId, participants: second });
		const removed = await act('periskope', {
			operation: 'removeParticipants',
			chatId,
			participants: first,
		});
		expect(removed.participants).toEqual([
			expect.objectContaining({ address: first, outcome: 'removed' }),
		]);
		expect(sandbox.getChat('periskope', chatId)?.participants).not.toContain(first);

		expect(items(trigger).map(summary)).toEqual([
			{ event: 'participant.promoted', chatId, participant: first, actor: DEMO.periskope.orgPhone },
			{ event: 'participant.demoted', chatId, participant: second, actor: DEMO.periskope.orgPhone },
			{ event: 'participant.removed', chatId, participant: first, actor: DEMO.periskope.orgPhone },
		]);
		expect(items(trigger).map(rawRecipients)).toEqual([[first], [second], [first]]);
	});

	test('add, joined by invite, remove and leave notifications naming linked ids', async () => {
		const trigger = await activated('periskope');
		const chatId = DEMO.groups.periskope.linked;
		const token = `?token=${tokenOf(trigger)}`;
		const deliveries: Array<[string, string[], string?]> = [
			['add', ['205519000000003@lid']],
			['invite', ['205519000000004@lid']],
			['remove', ['205519000000003@lid', '14155550187@c.us']],
			['leave', ['205519000000004@lid'], '205519000000004@lid'],
			// WhatsApp may name nobody on a leave: the author is who left.
			['leave', [], '205519000000002@lid'],
		];
		for (const [type, recipients, author] of deliveries) {
			expect(
				(await trigger.post(periskopeNotification(chatId, type, recipients, author), {}, token))
					.status,
			).toBe(200);
		}
		expect(items(trigger).map(summary)).toEqual([
			{
				event: 'participant.added',
				chatId,
				participant: '205519000000003@lid',
				actor: DEMO.periskope.orgPhone,
			},
			{
				event: 'participant.added',
				chatId,
				participant: '205519000000004@lid',
				actor: DEMO.periskope.orgPhone,
			},
			{
				event: 'participant.removed',
				chatId,
				participant: '205519000000003@lid',
				actor: DEMO.periskope.orgPhone,
			},
			{
				event: 'participant.removed',
				chatId,
				participant: '14155550187',
				actor: DEMO.periskope.orgPhone,
			},
			{
				event: 'participant.removed',
				chatId,
				participant: '205519000000004@lid',
				actor: '205519000000004@lid',
			},
			{
				event: 'participant.removed',
				chatId,
				participant: '205519000000002@lid',
				actor: '205519000000002@lid',
			},
		]);
		// Never read as a phone number: a linked id's digits are not one.
		for (const item of items(trigger)) {
			if (String(item.participant).startsWith('2055'))
				expect(item.participant).toMatch(/^205519\d+@lid$/);
		}
		expect(items(trigger).map((item) => obj(obj(item.raw).data).type)).toEqual([
			'add',
			'invite',
			'remove',
			'remove',
			'leave',
			'leave',
		]);
	});
});

// ---- forged, tampered, replayed and expired deliveries --------------------------------------

function linqHeaders(secret: string, id: string, ts: number, body: string) {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
	return {
		'webhook-id': id,
		'webhook-timestamp': String(ts),
		'webhook-signature': `v1,${signature}`,
	};
}

function chertSignature(secret: string, ts: number, body: string) {
	return createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
}

const now = () => Math.floor(Date.now() / 1000);

type Row = [string, (secret: string, body: string) => Record<string, string>, number, number];
/** Test titles that say what each case expects. */
const titled = (rows: Row[]): Row[] =>
	rows.map(([label, headers, status, executions]) => [
		`${label} → ${status}${executions ? '' : ', no execution'}`,
		headers,
		status,
		executions,
	]);

function linqBody(eventId: string) {
	return JSON.stringify({
		api_version: 'v3',
		webhook_version: '2026-02-03',
		event_id: eventId,
		event_type: 'participant.added',
		created_at: new Date().toISOString(),
		partner_id: 'p',
		trace_id: 't',
		data: {
			chat_id: DEMO.groups.linq.five,
			handle: '+14155550177',
			participant: { handle: '+14155550177', is_me: false },
		},
	});
}

function chertBody(eventId: string) {
	return JSON.stringify({
		event: 'message.received',
		event_id: eventId,
		timestamp: new Date().toISOString(),
		event_type: 'message.received',
		data: {
			chat: {
				id: 'ch_demo_trio',
				is_group: true,
				owner_handle: { handle: '+14155550100', is_me: true },
			},
			message: {
				id: 'm1',
				sender_handle: { handle: '+14155550111' },
				parts: [{ type: 'text', value: 'hi' }],
			},
		},
	});
}

describe('Linq verification', () => {
	let trigger: TriggerHarness;
	beforeEach(async () => {
		trigger = await activated('linq');
	});

	test.each(
		titled([
			['a valid signature', (s: string, b: string) => linqHeaders(s, 'msg_1', now(), b), 200, 1],
			[
				'a tampered body',
				(s: string, b: string) => linqHeaders(s, 'msg_1', now(), b.replace('0177', '0178')),
				401,
				0,
			],
			[
				'a wrong secret',
				(_s: string, b: string) =>
					linqHeaders(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`, 'msg_1', now(), b),
				401,
				0,
			],
			[
				'a timestamp 301 s old',
				(s: string, b: string) => linqHeaders(s, 'msg_1', now() - 301, b),
				401,
				0,
			],
			[
				'a timestamp 301 s ahead',
				(s: string, b: string) => linqHeaders(s, 'msg_1', now() + 301, b),
				401,
				0,
			],
			[
				'a timestamp 290 s old (inside the window)',
				(s: string, b: string) => linqHeaders(s, 'msg_1', now() - 290, b),
				200,
				1,
			],
			['no signature headers', () => ({}), 401, 0],
			[
				'a signature without webhook-id',
				(s: string, b: string) => {
					const headers: Record<string, string> = linqHeaders(s, 'msg_1', now(), b);
					delete headers['webhook-id'];
					return headers;
				},
				401,
				0,
			],
			[
				'a signature list with one valid entry',
				(s: string, b: string) => {
					const headers = linqHeaders(s, 'msg_1', now(), b);
					return {
						...headers,
						'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`,
					};
				},
				200,
				1,
			],
			[
				'legacy headers only (fallback, key = secret as issued)',
				(s: string, b: string) => {
					const ts = now();
					return {
						'x-webhook-timestamp': String(ts),
						'x-webhook-signature': createHmac('sha256', s).update(`${ts}.${b}`).digest('hex'),
					};
				},
				200,
				1,
			],
			[
				'legacy headers signed with the decoded key',
				(s: string, b: string) => {
					const ts = now();
					const key = Buffer.from(s.replace(/^whsec_/, ''), 'base64');
					return {
						'x-webhook-timestamp': String(ts),
						'x-webhook-signature': createHmac('sha256', key).update(`${ts}.${b}`).digest('hex'),
					};
				},
				401,
				0,
			],
		]),
	)('%s', async (_label, headersFor, status, executions) => {
		const body = linqBody('evt_forge_1');
		const received = await trigger.post(body, headersFor(secretOf(trigger), body));
		expect(received.status).toBe(status);
		expect(trigger.executions).toHaveLength(executions);
		if (status === 401)
			expect(JSON.stringify(received.body)).not.toMatch(/whsec_|signature does not match/);
	});

	test('a body without event_id: the item carries the signed webhook-id it was deduplicated by, never an empty eventId', async () => {
		const body = JSON.stringify({ ...JSON.parse(linqBody('x')), event_id: undefined });
		const received = await trigger.post(
			body,
			linqHeaders(secretOf(trigger), 'msg_no_event_id', now(), body),
		);
		expect(received).toMatchObject({ status: 200, body: { received: true } });
		expect(received.items).toEqual([
			expect.objectContaining({ event: 'participant.added', eventId: 'msg_no_event_id' }),
		]);
	});

	test('a redelivery (same signed event_id, even under a new webhook-id and timestamp) → 200, no execution', async () => {
		const body = linqBody('evt_dup_1');
		// The first delivery starts the execution and gets a body a provider can read, never n8n's
		// placeholder "firstEntryJson" (the webhook description's responseData is '').
		expect(await trigger.post(body, linqHeaders(secretOf(trigger), 'msg_a', now(), body))).toEqual({
			status: 200,
			body: { received: true },
			items: [expect.objectContaining({ eventId: 'evt_dup_1' })],
		});
		const again = await trigger.post(
			body,
			linqHeaders(secretOf(trigger), 'msg_b', now() + 5, body),
		);
		expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
		expect(trigger.executions).toHaveLength(1);
	});

	test('the sandbox’s own delivery replayed byte for byte → 200, no second execution; the window survives a restart', async () => {
		await change('linq', 'POST', `/v3/chats/${DEMO.groups.linq.five}/participants`, {
			handle: '+14155550177',
		});
		const [delivery] = sandbox.deliveries as DeliveryRecord[];
		expect(trigger.executions).toHaveLength(1);
		expect((await trigger.post(delivery.body, delivery.headers)).status).toBe(200);
		expect(trigger.executions).toHaveLength(1);

		// n8n saved the static data: another process (another workflow object, same saved data)
		// starting from it still knows the event.
		const restarted = await TriggerHarness.start({
			provider: 'linq',
			parameters: { events: ALL.linq },
			credentials: sandboxCredentials(sandbox),
			staticData: JSON.parse(JSON.stringify(trigger.workflow.staticData)) as IDataObject,
		});
		open.push(restarted);
		const replay = await fetch(`${restarted.webhookUrl}`, {
			method: 'POST',
			headers: delivery.headers,
			body: delivery.body,
		});
		expect(replay.status).toBe(200);
		expect(await replay.json()).toEqual({ received: true, duplicate: true });
		expect(restarted.executions).toHaveLength(0);
	});

	test('n8n did not save the window (a delivery that started an execution): the same process still deduplicates', async () => {
		await change('linq', 'POST', `/v3/chats/${DEMO.groups.linq.five}/participants`, {
			handle: '+14155550177',
		});
		const [delivery] = sandbox.deliveries as DeliveryRecord[];
		expect(trigger.executions).toHaveLength(1);
		// What n8n 2.40 (regular mode) leaves in its database in that case: no `seen` at all.
		const saved = JSON.parse(JSON.stringify(trigger.workflow.staticData)) as Record<
			string,
			IDataObject
		>;
		for (const entry of Object.values(saved)) delete entry.seen;
		const reloaded = await TriggerHarness.start({
			provider: 'linq',
			parameters: { events: ALL.linq },
			credentials: sandboxCredentials(sandbox),
			staticData: saved,
			workflowId: trigger.workflow.id,
		});
		open.push(reloaded);
		const replay = await fetch(reloaded.webhookUrl, {
			method: 'POST',
			headers: delivery.headers,
			body: delivery.body,
		});
		expect(await replay.json()).toEqual({ received: true, duplicate: true });
		expect(reloaded.executions).toHaveLength(0);
	});

	test('after deactivation the old secret no longer opens the door', async () => {
		const secret = secretOf(trigger);
		await trigger.deactivate();
		const body = linqBody('evt_after');
		expect((await trigger.post(body, linqHeaders(secret, 'msg_z', now(), body))).status).toBe(401);
		expect(trigger.executions).toHaveLength(0);
	});
});

describe('Chert verification', () => {
	let trigger: TriggerHarness;
	beforeEach(async () => {
		trigger = await activated('chert');
	});

	test.each(
		titled([
			[
				't=,v1= (current)',
				(s: string, b: string) => ({
					'x-webhook-signature': `t=${now()},v1=${chertSignature(s, now(), b)}`,
				}),
				200,
				1,
			],
			[
				'legacy v1,ts,hex',
				(s: string, b: string) => ({
					'x-webhook-signature': `v1,${now()},${chertSignature(s, now(), b)}`,
				}),
				200,
				1,
			],
			[
				'x-chert-signature header name',
				(s: string, b: string) => ({
					'x-chert-signature': `t=${now()},v1=${chertSignature(s, now(), b)}`,
				}),
				200,
				1,
			],
			[
				'two v1 entries, one valid',
				(s: string, b: string) => ({
					'x-webhook-signature': `t=${now()},v1=${'0'.repeat(64)},v1=${chertSignature(s, now(), b)}`,
				}),
				200,
				1,
			],
			[
				'a tampered body',
				(s: string, b: string) => ({
					'x-webhook-signature': `t=${now()},v1=${chertSignature(s, now(), b.replace('hi', 'ho'))}`,
				}),
				401,
				0,
			],
			[
				'a wrong secret',
				(_s: string, b: string) => ({
					'x-webhook-signature': `t=${now()},v1=${chertSignature('f'.repeat(64), now(), b)}`,
				}),
				401,
				0,
			],
			[
				'301 s old',
				(s: string, b: string) => ({
					'x-webhook-signature': `t=${now() - 301},v1=${chertSignature(s, now() - 301, b)}`,
				}),
				401,
				0,
			],
			[
				'301 s ahead',
				(s: string, b: string) => ({
					'x-webhook-signature': `t=${now() + 301},v1=${chertSignature(s, now() + 301, b)}`,
				}),
				401,
				0,
			],
			['no signature header', () => ({}), 401, 0],
			['a malformed header', () => ({ 'x-webhook-signature': 'v1=abc' }), 401, 0],
		]),
	)('%s', async (_label, headersFor, status, executions) => {
		const body = chertBody('chert:msg:forge');
		const received = await trigger.post(body, headersFor(secretOf(trigger), body));
		expect(received.status).toBe(status);
		expect(trigger.executions).toHaveLength(executions);
	});

	test('the dedup key is the signed event_id, not the unsigned X-Webhook-Event-Id header', async () => {
		const body = chertBody('chert:msg:same');
		const sign = () => ({
			'x-webhook-signature': `t=${now()},v1=${chertSignature(secretOf(trigger), now(), body)}`,
		});
		expect((await trigger.post(body, { ...sign(), 'x-webhook-event-id': 'one' })).status).toBe(200);
		expect((await trigger.post(body, { ...sign(), 'x-webhook-event-id': 'two' })).status).toBe(200);
		expect(trigger.executions).toHaveLength(1);
	});
});

describe('Periskope: the token this node chose, not an invented signature', () => {
	test('missing or wrong token → 401; right token → item; redelivery → 200 without execution', async () => {
		const trigger = await activated('periskope');
		const body = JSON.stringify({
			event: 'message.created',
			data: {
				message_id: 'false_120363415555018005@g.us_abc_14155550184@c.us',
				chat_id: DEMO.groups.periskope.five,
				sender_phone: '14155550184@c.us',
				body: 'Hola',
				from_me: false,
				org_phone: '14155550180@c.us',
			},
			org_id: 'org',
			previous_attributes: null,
			timestamp: new Date().toISOString(),
		});
		expect((await trigger.post(body, {})).status).toBe(401);
		expect((await trigger.post(body, {}, '?token=guess')).status).toBe(401);
		expect((await trigger.post(body, {}, `?token=${tokenOf(trigger).slice(0, -1)}`)).status).toBe(
			401,
		);
		expect(trigger.executions).toHaveLength(0);
		expect((await trigger.post(body, {}, `?token=${tokenOf(trigger)}`)).status).toBe(200);
		expect(trigger.executions).toHaveLength(1);
		expect(await trigger.post(body, {}, `?token=${tokenOf(trigger)}`)).toMatchObject({
			status: 200,
			body: { duplicate: true },
		});
		expect(trigger.executions).toHaveLength(1);
		expectNoSecrets(trigger);
	});
});

describe('sandbox delivery retries follow each provider', () => {
	test.each<[ProviderName, number]>([
		['chert', 4],
		['linq', 11],
		['periskope', 1],
	])(
		'%s: a receiver that keeps answering 503 gets %i attempts; a 401 is not retried',
		async (provider, attempts) => {
			const trigger = await activated(provider);
			const receiver = await import('node:http').then(({ createServer }) => {
				const server = createServer((req, res) => {
					req.resume();
					req.on('end', () => {
						res.statusCode = 503;
						res.end();
					});
				});
				return new Promise<typeof server>((resolve) =>
					server.listen(0, '127.0.0.1', () => resolve(server)),
				);
			});
			const port = (receiver.address() as { port: number }).port;
			// Point the registered subscriptions at the failing receiver.
			for (const sub of sandbox.subscriptions(provider)) sub.url = `http://127.0.0.1:${port}/hook`;
			const chat = {
				chert: DEMO.groups.chert.trio,
				linq: DEMO.groups.linq.trio,
				periskope: DEMO.groups.periskope.trio,
			}[provider];
			const from = { chert: '+14155550111', linq: '+14155550161', periskope: '14155550181' }[
				provider
			];
			sandbox.postMessage(provider, chat, from, 'retry me');
			await sandbox.webhooksIdle();
			const tried = sandbox.deliveries.filter((delivery) =>
				delivery.eventType.startsWith('message'),
			);
			expect(tried).toHaveLength(attempts);
			expect(new Set(tried.map((delivery) => delivery.eventId)).size).toBe(1);
			await new Promise<void>((resolve) => receiver.close(() => resolve()));

			// Back to the trigger, with a tampered secret in the node's memory: 401, never retried.
			for (const sub of sandbox.subscriptions(provider))
				sub.url = sub.url.replace(/^http:\/\/127\.0\.0\.1:\d+\/hook/, trigger.webhookUrl);
			const stored = trigger.staticData.subscription as { secret?: string; token?: string };
			if (stored.secret) stored.secret = `${stored.secret.slice(0, -2)}AA`;
			else stored.token = 'changed';
			sandbox.deliveries.length = 0;
			sandbox.postMessage(provider, chat, from, 'refused');
			await sandbox.webhooksIdle();
			expect(sandbox.deliveries.map((delivery) => delivery.status)).toEqual([401]);
			expect(trigger.executions).toHaveLength(0);
		},
	);
});
