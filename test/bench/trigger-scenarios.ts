/* eslint-disable @n8n/community-nodes/no-restricted-imports -- benchmark tooling: crypto to sign deliveries, node:http to send them, never shipped */
/**
 * Trigger scenarios for `npm run bench` (the `t-` family) and its smoke test: signed deliveries
 * over loopback HTTP to the real Group Chat Trigger's webhook() through n8n-core's WebhookContext
 * (test/helpers/trigger.ts), after a real activation against the provider sandbox, with real
 * signatures (Linq Standard Webhooks, Chert HMAC, Periskope's URL token).
 *
 * - t-10000-deliveries: 10,000 small deliveries in a row, each a new event (one execution each).
 * - t-10000-participants: one large delivery naming 10,000 participants. Periskope: a
 *   chat.notification.created "add" with 10,000 recipientids (≈190 kB; 10,000 items). Linq and
 *   Chert have no event that lists participants per item; their largest realistic signed bodies
 *   are used instead: Linq chat.created with 10,000 handles (as Linq's chat object lists them),
 *   Chert message.received in a chat whose handles list has 10,000 entries (one item each).
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

import type { IDataObject } from 'n8n-workflow';

import { DEMO, startSandbox } from '../../src/sandbox';
import type { StoredSubscription } from '../../src/events';
import { sandboxCredentials } from '../helpers/sandbox-workflow';
import { TriggerHarness } from '../helpers/trigger';

export type TriggerProvider = 'chert' | 'linq' | 'periskope';
export type TriggerScenarioName = 't-10000-deliveries' | 't-10000-participants';
export const TRIGGER_SCENARIOS: TriggerScenarioName[] = [
	't-10000-deliveries',
	't-10000-participants',
];

export interface TriggerFigures {
	provider: TriggerProvider;
	scenario: TriggerScenarioName;
	deliveries: number;
	/** Size of one delivery's body (the largest, for t-10000-participants). */
	bodyBytes: number;
	items: number;
	ms: number;
	/** RSS when the measured phase started, and the highest RSS seen during it (MB). */
	rssStartMb: number;
	rssPeakMb: number;
	/** Every delivery answered 200 and started one execution with the expected items. */
	ok: boolean;
	/** The largest `raw` of any item, in JSON characters (never the whole list). */
	largestRaw: number;
	problem?: string;
}

const EVENTS: Record<TriggerProvider, string[]> = {
	chert: ['message.received'],
	linq: ['participant.added', 'group.created'],
	periskope: ['participant.added'],
};

/** A distinct, valid US number per index (the bench's phone() scheme). */
const phone = (index: number) =>
	`+1415${5560000 + Math.floor(index / 8000) * 10_000 + (index % 8000)}`;
const iso = () => new Date().toISOString();

interface Signed {
	body: string;
	headers: Record<string, string>;
	query: string;
}

function signer(provider: TriggerProvider, stored: StoredSubscription) {
	return (body: string, id: string): Signed => {
		const ts = Math.floor(Date.now() / 1000);
		if (provider === 'linq') {
			const key = Buffer.from((stored.secret ?? '').replace(/^whsec_/, ''), 'base64');
			const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
			return {
				body,
				headers: {
					'webhook-id': id,
					'webhook-timestamp': String(ts),
					'webhook-signature': `v1,${signature}`,
				},
				query: '',
			};
		}
		if (provider === 'chert') {
			const hex = createHmac('sha256', stored.secret ?? '')
				.update(`${ts}.${body}`)
				.digest('hex');
			return {
				body,
				headers: { 'x-webhook-signature': `t=${ts},v1=${hex}`, 'x-webhook-event-id': id },
				query: '',
			};
		}
		return { body, headers: {}, query: `?token=${encodeURIComponent(stored.token ?? '')}` };
	};
}

/** One small, realistic delivery (a new event per index). */
function smallBody(provider: TriggerProvider, index: number): string {
	if (provider === 'linq') {
		return JSON.stringify({
			api_version: 'v3',
			webhook_version: '2026-02-03',
			event_id: `evt_bench_${index}`,
			event_type: 'participant.added',
			created_at: iso(),
			partner_id: 'bench-partner',
			trace_id: `trace_${index}`,
			data: {
				chat_id: DEMO.groups.linq.five,
				handle: phone(index),
				participant: { handle: phone(index), is_me: false },
				added_at: iso(),
			},
		});
	}
	if (provider === 'chert') {
		return JSON.stringify({
			event: 'message.received',
			event_id: `chert:msg:bench${index}`,
			event_type: 'message.received',
			timestamp: iso(),
			data: {
				chat: {
					id: DEMO.groups.chert.trio,
					is_group: true,
					display_name: 'Demo trio',
					handles: [DEMO.chert.senders[0], '+14155550111', '+14155550112'].map((handle, n) => ({
						handle,
						service: 'imessage',
						is_me: n === 0,
					})),
					owner_handle: { handle: DEMO.chert.senders[0], service: 'imessage', is_me: true },
				},
				message: {
					id: `M${index}`,
					direction: 'inbound',
					sender_handle: { handle: '+14155550111' },
					parts: [{ type: 'text', value: `hello ${index}` }],
					created_at: iso(),
				},
			},
		});
	}
	return notification(index, [phone(index).slice(1)]);
}

function notification(index: number, recipients: string[]): string {
	const chat = DEMO.groups.periskope.five;
	const org = `${DEMO.periskope.orgPhone}@c.us`;
	const unique = `BENCH${index}`;
	return JSON.stringify({
		event: 'chat.notification.created',
		data: {
			org_id: 'bench-org',
			notification_id: `true_${chat}_${unique}_${org}_add`,
			chat_id: chat,
			author: org,
			body: null,
			id: {
				id: unique,
				fromMe: true,
				remote: chat,
				serialized: `true_${chat}_${unique}_${org}_add`,
			},
			recipientids: recipients.map((digits) => `${digits}@c.us`),
			type: 'add',
			timestamp: iso(),
			org_phone: org,
			unique_id: unique,
			metadata: null,
		},
		org_id: 'bench-org',
		previous_attributes: null,
		timestamp: iso(),
	});
}

/** The large delivery naming `count` participants (see the file's comment for what each provider sends). */
function largeBody(provider: TriggerProvider, index: number, count: number): string {
	const people = Array.from({ length: count }, (_, n) => phone(n));
	if (provider === 'periskope')
		return notification(
			1_000_000 + index,
			people.map((number) => number.slice(1)),
		);
	if (provider === 'linq') {
		return JSON.stringify({
			api_version: 'v3',
			webhook_version: '2026-02-03',
			event_id: `evt_bench_big_${index}`,
			event_type: 'chat.created',
			created_at: iso(),
			partner_id: 'bench-partner',
			trace_id: `trace_big_${index}`,
			data: {
				id: `7d4c1a20-0000-4b5e-9c6d-${String(index).padStart(12, '0')}`,
				display_name: 'Everyone',
				handles: [DEMO.linq.senders[0], ...people].map((handle, n) => ({
					id: `h-${n}`,
					handle,
					service: 'iMessage',
					joined_at: iso(),
					is_me: n === 0,
					status: 'active',
				})),
				is_group: true,
				service: 'iMessage',
			},
		});
	}
	return JSON.stringify({
		event: 'message.received',
		event_id: `chert:msg:benchbig${index}`,
		event_type: 'message.received',
		timestamp: iso(),
		data: {
			chat: {
				id: DEMO.groups.chert.trio,
				is_group: true,
				display_name: 'Everyone',
				handles: [DEMO.chert.senders[0], ...people].map((handle, n) => ({
					handle,
					service: 'imessage',
					is_me: n === 0,
				})),
				owner_handle: { handle: DEMO.chert.senders[0], service: 'imessage', is_me: true },
			},
			message: {
				id: `MBIG${index}`,
				direction: 'inbound',
				sender_handle: { handle: people[0] },
				parts: [{ type: 'text', value: 'hello everyone' }],
				created_at: iso(),
			},
		},
	});
}

/**
 * Posts one delivery to the trigger's webhook URL as a provider would, over one kept-alive
 * connection (node:http: lighter than fetch, so the figures are the receiver's); resolves with
 * the HTTP status once the answer has been read.
 */
function deliver(agent: Agent, url: string, signed: Signed): Promise<number> {
	return new Promise((resolve, reject) => {
		const outgoing = request(
			`${url}${signed.query}`,
			{
				method: 'POST',
				agent,
				headers: {
					'content-type': 'application/json',
					...signed.headers,
					'content-length': Buffer.byteLength(signed.body),
				},
			},
			(incoming) => {
				incoming.resume();
				incoming.on('end', () => resolve(incoming.statusCode ?? 0));
				incoming.on('error', reject);
			},
		);
		outgoing.on('error', reject);
		outgoing.end(signed.body);
	});
}

/** An activated trigger (real activation against the sandbox, which is then stopped). */
async function activatedTrigger(provider: TriggerProvider, retain: boolean) {
	const sandbox = await startSandbox({});
	try {
		const harness = await TriggerHarness.start({
			provider,
			parameters: { events: EVENTS[provider] },
			credentials: sandboxCredentials(sandbox),
			retain,
		});
		await harness.activate();
		return harness;
	} finally {
		await sandbox.stop();
	}
}

/**
 * Runs one trigger scenario in this process. `count` is the number of deliveries
 * (t-10000-deliveries) or of participants (t-10000-participants); `repeat` large deliveries are
 * sent one after another, the previous one's items released in between (the time is the median,
 * the peak RSS the highest).
 */
export async function runTriggerScenario(
	provider: TriggerProvider,
	scenario: TriggerScenarioName,
	count: number,
	options: { repeat?: number; sample?: (phase: 'start' | 'tick' | 'between') => void } = {},
): Promise<Omit<TriggerFigures, 'rssStartMb' | 'rssPeakMb'>> {
	const small = scenario === 't-10000-deliveries';
	const harness = await activatedTrigger(provider, !small);
	const sign = signer(provider, harness.staticData.subscription as unknown as StoredSubscription);
	let problem: string | undefined;
	let largestRaw = 0;
	let bodyBytes = 0;
	const expected = small ? 1 : provider === 'periskope' ? count : 1;
	const agent = new Agent({ keepAlive: true, maxSockets: 1 });
	try {
		if (small) {
			// Bodies signed just before sending (the window is 300 s), not all up front.
			options.sample?.('start');
			const started = performance.now();
			for (let index = 0; index < count; index++) {
				const signed = sign(smallBody(provider, index), `msg_bench_${index}`);
				bodyBytes = Math.max(bodyBytes, signed.body.length);
				const status = await deliver(agent, harness.webhookUrl, signed);
				if (status !== 200 && !problem)
					problem = `delivery ${index}: HTTP ${status} ${JSON.stringify(harness.received.at(-1)?.body).slice(0, 160)}`;
				if (index % 100 === 0) options.sample?.('tick');
			}
			const ms = performance.now() - started;
			if (harness.executionCount !== count && !problem)
				problem = `${harness.executionCount} executions for ${count} deliveries`;
			if (harness.itemCount !== count && !problem)
				problem = `${harness.itemCount} items for ${count} deliveries`;
			return {
				provider,
				scenario,
				deliveries: count,
				bodyBytes,
				items: harness.itemCount,
				ms,
				ok: !problem,
				largestRaw,
				problem,
			};
		}
		const times: number[] = [];
		const repeat = options.repeat ?? 3;
		let items = 0;
		for (let round = 0; round < repeat; round++) {
			const signed = sign(largeBody(provider, round, count), `msg_bench_big_${round}`);
			bodyBytes = signed.body.length;
			// The previous delivery's items are gone (its execution ended) before the next arrives.
			harness.executions.length = 0;
			options.sample?.(round === 0 ? 'start' : 'between');
			const started = performance.now();
			const status = await deliver(agent, harness.webhookUrl, signed);
			times.push(performance.now() - started);
			options.sample?.('tick');
			const produced = harness.executions[0] ?? [];
			items = produced.length;
			if (status !== 200 && !problem)
				problem = `HTTP ${status} ${JSON.stringify(harness.received.at(-1)?.body).slice(0, 160)}`;
			if (produced.length !== expected && !problem)
				problem = `${produced.length} items, expected ${expected}`;
			for (const item of produced) {
				const raw = JSON.stringify(item.raw);
				largestRaw = Math.max(largestRaw, raw.length);
				const listed = ((item.raw as IDataObject | undefined)?.data as IDataObject | undefined)
					?.recipientids;
				if (
					provider === 'periskope' &&
					!(Array.isArray(listed) && listed.length === 1) &&
					!problem
				) {
					problem = `an item's raw does not name exactly its own recipient (${raw.slice(0, 80)}…)`;
				}
			}
		}
		times.sort((a, b) => a - b);
		return {
			provider,
			scenario,
			deliveries: repeat,
			bodyBytes,
			items,
			ms: times[Math.floor(times.length / 2)],
			ok: !problem,
			largestRaw,
			problem,
		};
	} finally {
		agent.destroy();
		await harness.stop();
	}
}
