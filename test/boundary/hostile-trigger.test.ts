/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling: a hostile loopback provider, crypto to sign deliveries */
/**
 * The Group Chat Trigger against a hostile provider and hostile deliveries, at the real
 * boundary: activation and deactivation run the real webhookMethods through n8n-core's
 * HookContext against a scripted loopback provider (every request it received is checked), and
 * deliveries go over HTTP to the real node's webhook() through n8n-core's WebhookContext
 * (test/helpers/trigger.ts).
 *
 * - Activation is all or nothing: a subscription is kept only when the provider's answer names
 *   it and carries a secret that can verify deliveries; otherwise what was created is deleted
 *   (the DELETE is asserted) and the message says what the answer lacked, or that an orphan may
 *   remain and where to find it. Redirects are not followed; echoes of the credential never
 *   reach an error or a log line.
 * - A verified delivery is recorded as seen only once its items exist: a failure after
 *   verification answers 500 and the provider's retry starts exactly one execution; a signed body
 *   that cannot become an item (too deep, not an object, not JSON) answers 422 and is logged.
 */
import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import type { IDataObject } from 'n8n-workflow';

import { entryFor } from '../../src/providers';
import { drip, startHostile, type Hit, type Hostile } from '../helpers/hostile';
import { captureN8nLog, serialize, stopN8nLogCapture } from '../helpers/n8n-log';
import { TriggerHarness } from '../helpers/trigger';

type ProviderName = 'chert' | 'linq' | 'periskope';
const PROVIDERS: ProviderName[] = ['chert', 'linq', 'periskope'];

const CANARY = {
	chert: 'c0ffee11c0ffee11c0ffee11c0ffee11',
	linq: 'linq-TRIGGER-CANARY-5e6f7a',
	periskope: 'periskope-TRIGGER-CANARY-4d3c',
};
const CHERT_SECRET = 'ab'.repeat(32);
const LINQ_KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const LINQ_SECRET = `whsec_${LINQ_KEY.toString('base64')}`;

let provider: Hostile;
let elsewhere: Hostile;
const open: TriggerHarness[] = [];

beforeAll(async () => {
	provider = await startHostile();
	elsewhere = await startHostile();
	elsewhere.handle((_hit, response) =>
		json(response, 200, { id: 'sub_STOLEN', signing_secret: LINQ_SECRET }),
	);
});
afterAll(async () => {
	await Promise.all(open.map((harness) => harness.stop()));
	await provider.close();
	await elsewhere.close();
});
beforeEach(() => {
	provider.reset();
	elsewhere.reset();
});

function json(
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
) {
	response.writeHead(status, { 'content-type': 'application/json', ...headers });
	response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

// ---- a scripted provider: well-behaved unless a test overrides one call -----------------------

const PATHS: Record<ProviderName, string> = {
	chert: '/api/v1/webhook-subscriptions',
	linq: '/v3/webhook-subscriptions',
	periskope: '/webhooks',
};
const EVENTS: Record<ProviderName, string[]> = {
	chert: ['message.received'],
	linq: ['participant.added', 'message.received', 'group.created'],
	periskope: ['participant.added'],
};

interface Sub {
	id: string;
	url: string;
}

function listBody(name: ProviderName, subs: Sub[]): unknown {
	if (name === 'chert') return { subscriptions: subs.map((sub) => ({ id: sub.id, url: sub.url })) };
	if (name === 'linq')
		return { subscriptions: subs.map((sub) => ({ id: sub.id, target_url: sub.url })) };
	return subs.map((sub) => ({ id: sub.id, hook_url: sub.url }));
}

/** The create answer naming `id` (none when undefined) and carrying `secret` (none when undefined). */
function createdBody(
	name: ProviderName,
	url: string,
	id: string | undefined,
	secret: string | undefined,
): unknown {
	if (name === 'chert')
		return {
			subscription: {
				...(id ? { id } : {}),
				url,
				events: ['message.received'],
				...(secret !== undefined ? { secret } : {}),
			},
		};
	if (name === 'linq')
		return {
			...(id ? { id } : {}),
			target_url: url,
			...(secret !== undefined ? { signing_secret: secret } : {}),
		};
	return [{ ...(id ? { id } : {}), hook_url: url }];
}

const targetOf = (hit: Hit) => {
	const body = JSON.parse(hit.body || '{}') as Record<string, string>;
	return body.url ?? body.target_url ?? body.hookUrl ?? '';
};

type Override = (hit: Hit, response: ServerResponse, subs: Sub[]) => void;

/** Serves `name`'s subscription API from `subs`; an override answers that call instead. */
function serve(
	name: ProviderName,
	overrides: { list?: Override; create?: Override; remove?: Override } = {},
	options: { secret?: string; subs?: Sub[] } = {},
): Sub[] {
	const subs = options.subs ?? [];
	let next = 0;
	provider.handle((hit, response) => {
		const path = hit.url.split('?')[0];
		if (hit.method === 'GET' && path === PATHS[name]) {
			return overrides.list
				? overrides.list(hit, response, subs)
				: json(response, 200, listBody(name, subs));
		}
		if (hit.method === 'POST' && path === PATHS[name]) {
			if (overrides.create) return overrides.create(hit, response, subs);
			const id = `sub_${++next}`;
			subs.push({ id, url: targetOf(hit) });
			const secret =
				options.secret ??
				(name === 'chert' ? CHERT_SECRET : name === 'linq' ? LINQ_SECRET : undefined);
			return json(
				response,
				name === 'periskope' ? 201 : 200,
				createdBody(name, targetOf(hit), id, secret),
			);
		}
		if (hit.method === 'DELETE' && path.startsWith(`${PATHS[name]}/`)) {
			if (overrides.remove) return overrides.remove(hit, response, subs);
			const id = decodeURIComponent(path.slice(PATHS[name].length + 1));
			const index = subs.findIndex((sub) => sub.id === id);
			if (index === -1)
				return json(response, 404, {
					success: false,
					error: { status: 404, code: 2001, message: 'not found' },
				});
			subs.splice(index, 1);
			return json(response, 200, {});
		}
		json(response, 404, {
			success: false,
			error: { status: 404, code: 2001, message: `no route ${hit.method} ${path}` },
		});
	});
	return subs;
}

function credentials() {
	return {
		chertApi: {
			baseUrl: provider.baseUrl,
			signingSecret: CANARY.chert,
			tenantSlug: 'acme',
			authMode: 'hmac',
		},
		linqApi: { baseUrl: provider.baseUrl, apiToken: CANARY.linq },
		periskopeApi: { baseUrl: provider.baseUrl, apiKey: CANARY.periskope, orgPhone: '14155550300' },
	};
}

async function trigger(name: ProviderName, parameters: IDataObject = {}) {
	const harness = await TriggerHarness.start({
		provider: name,
		parameters: { events: EVENTS[name], ...parameters },
		credentials: credentials(),
	});
	open.push(harness);
	return harness;
}

const hits = (method: string) => provider.hits.filter((hit) => hit.method === method);
const deletes = () =>
	hits('DELETE').map((hit) => decodeURIComponent(hit.url.split('/').pop() ?? ''));

async function activationError(harness: TriggerHarness): Promise<Error & { description?: string }> {
	const error = await harness.activate().then(
		() => undefined,
		(failure: unknown) => failure as Error,
	);
	if (!error) throw new Error('activation succeeded');
	return error;
}

// ---- activation -----------------------------------------------------------------------------

describe('activation against a hostile provider', () => {
	test.each(PROVIDERS)(
		'%s: a usable answer activates (control), and deactivation deletes exactly that subscription',
		async (name) => {
			const subs = serve(name);
			const harness = await trigger(name);
			await harness.activate();
			expect((harness.staticData.subscription as { ids: string[] }).ids).toEqual(['sub_1']);
			expect(await harness.deactivate()).toBe(true);
			expect(deletes()).toEqual(['sub_1']);
			expect(subs).toEqual([]);
		},
	);

	test.each(
		PROVIDERS.flatMap((name) =>
			(['list', 'create'] as const).flatMap((call) =>
				[301, 307, 308].map((status) => [name, call, status] as const),
			),
		),
	)(
		'%s: a %s answered with a %i redirect is not followed; activation fails and keeps nothing',
		async (name, call, status) => {
			const redirect: Override = (_hit, response) =>
				json(response, status, '', { location: `${elsewhere.baseUrl}${PATHS[name]}` });
			serve(name, { [call]: redirect });
			const harness = await trigger(name);
			const error = await activationError(harness);
			expect(error.message).toMatch(new RegExp(`redirect \\(HTTP ${status}\\)`));
			expect(elsewhere.hits).toHaveLength(0);
			expect(harness.staticData.subscription).toBeUndefined();
			if (call === 'list') expect(hits('POST')).toHaveLength(0);
			else expect(hits('POST')).toHaveLength(1);
		},
	);

	test.each(PROVIDERS)(
		'%s: a redirect answering the DELETE of a leftover or of the subscription at deactivation is not followed',
		async (name) => {
			const redirect: Override = (_hit, response) =>
				json(response, 307, '', { location: `${elsewhere.baseUrl}/grab` });
			const harness = await trigger(name);
			serve(name, { remove: redirect }, { subs: [{ id: 'old_1', url: harness.webhookUrl }] });
			const error = await activationError(harness);
			expect(error.message).toMatch(/redirect \(HTTP 307\)/);
			expect(deletes()).toEqual(['old_1']);
			expect(hits('POST')).toHaveLength(0);

			provider.reset();
			serve(name);
			await harness.activate();
			serve(name, { remove: redirect }, { subs: [{ id: 'sub_1', url: harness.webhookUrl }] });
			expect(await harness.deactivate()).toBe(false);
			expect(deletes()).toEqual(['sub_1']);
			expect(elsewhere.hits).toHaveLength(0);
		},
	);

	test.each(PROVIDERS)(
		'%s: answers that echo the credential (refusal, and a 2xx without a usable secret) leak it nowhere',
		async (name) => {
			const echo =
				(status: number): Override =>
				(hit, response) =>
					json(
						response,
						status,
						{
							success: status === 200 ? undefined : false,
							error:
								status === 200
									? undefined
									: { status, code: 1004, message: `bad request: ${JSON.stringify(hit.headers)}` },
							id: status === 200 ? 'sub_echo' : undefined,
							subscription: status === 200 ? { id: 'sub_echo', secret: '' } : undefined,
							signing_secret: status === 200 ? 'whsec_' : undefined,
							headers: hit.headers,
							base64: Buffer.from(CANARY[name]).toString('base64'),
							plain: `your key is ${CANARY[name]}.`,
						},
						{
							'x-trace-id': String(
								hit.headers.authorization ?? hit.headers['x-chert-signature'] ?? '',
							),
						},
					);
			const log = captureN8nLog();
			const produced: string[] = [];
			try {
				// Periskope's create answer carries no secret: a 2xx naming an id is usable there.
				for (const status of name === 'periskope' ? [400, 500] : [400, 500, 200]) {
					serve(name, { create: echo(status), list: status === 500 ? echo(500) : undefined });
					const error = await activationError(await trigger(name));
					produced.push(error.message, error.description ?? '', serialize(error));
				}
			} finally {
				stopN8nLogCapture();
			}
			const everything = [
				...produced,
				...log.map((entry) => `${entry.message} ${entry.meta}`),
			].join('\n');
			expect(provider.hits.length).toBeGreaterThan(2);
			// The echo did reach the error, redacted: the test can fail.
			expect(everything).toContain('[redacted]');
			for (const secret of Object.values(CANARY)) expect(everything).not.toContain(secret);
			expect(everything).not.toContain(Buffer.from(CANARY[name]).toString('base64'));
			expect(everything).not.toMatch(/Bearer [A-Za-z0-9]/);
			expect(everything).not.toMatch(/v1,\d{9,},[0-9a-f]{64}/);
			// The 2xx without a usable secret was deleted again (Periskope has no secret: its answer is usable).
			if (name !== 'periskope') expect(deletes()).toContain('sub_echo');
		},
	);

	const unreadableLists: Array<[string, Override]> = [
		[
			'HTML',
			(_hit, response) =>
				json(response, 200, '<html><body>Login</body></html>', { 'content-type': 'text/html' }),
		],
		['empty', (_hit, response) => json(response, 200, '')],
		[
			'JSON without a list',
			(_hit, response) => json(response, 200, { data: 'nope', subscriptions: 'nope' }),
		],
		[
			'oversize',
			(_hit, response) =>
				json(response, 200, `{"subscriptions":[${'{"id":"x"},'.repeat(200_000)}{"id":"y"}]}`),
		],
		[
			'success:false',
			(_hit, response) =>
				json(response, 200, {
					success: false,
					error: { status: 403, code: 2004, message: 'no access' },
				}),
		],
	];
	test.each(
		PROVIDERS.flatMap((name) =>
			unreadableLists.map(([label, answer]) => [name, label, answer] as const),
		),
	)(
		'%s: a list answer that is %s stops activation before anything is created',
		async (name, _label, answer) => {
			serve(name, { list: answer });
			const harness = await trigger(name);
			const error = await activationError(harness);
			expect(error.message).toMatch(
				name === 'chert' ? /Chert/ : name === 'linq' ? /Linq/ : /Periskope/,
			);
			expect(hits('POST')).toHaveLength(0);
			expect(hits('DELETE')).toHaveLength(0);
			expect(harness.staticData.subscription).toBeUndefined();
		},
	);

	test.each(PROVIDERS)(
		'%s: a create answer without an ID: the subscription listed for this URL is deleted',
		async (name) => {
			const subs = serve(name, {
				create: (hit, response, list) => {
					list.push({ id: 'sub_hidden', url: targetOf(hit) });
					json(
						response,
						200,
						createdBody(
							name,
							targetOf(hit),
							undefined,
							name === 'linq' ? LINQ_SECRET : CHERT_SECRET,
						),
					);
				},
			});
			const harness = await trigger(name);
			const error = await activationError(harness);
			expect(error.message).toMatch(
				/without a subscription ID, so this trigger could not keep it and did not activate\. The subscription listed for this URL was deleted\./,
			);
			expect(deletes()).toEqual(['sub_hidden']);
			expect(subs).toEqual([]);
			expect(harness.staticData.subscription).toBeUndefined();
		},
	);

	test.each(PROVIDERS)(
		'%s: a create answer without an ID and nothing listed: the message says an orphan may remain and how to find it',
		async (name) => {
			serve(name, {
				create: (hit, response) =>
					json(response, 200, createdBody(name, targetOf(hit), undefined, undefined)),
			});
			const harness = await trigger(name);
			const error = await activationError(harness);
			expect(error.message).not.toMatch(/removed|was deleted/);
			expect(error.message).toContain(
				`an orphan subscription for ${harness.webhookUrl} may remain`,
			);
			expect(error.message).toContain(`GET ${PATHS[name]}`);
			expect(error.message).toContain(`DELETE ${PATHS[name]}/{id}`);
			expect(hits('DELETE')).toHaveLength(0);
			expect(harness.staticData.subscription).toBeUndefined();
		},
	);

	const unusable: Array<[ProviderName, string, RegExp]> = [
		['linq', 'whsec_', /"whsec_" with no key after it/],
		['linq', 'whsec_!!!', /not valid base64/],
		['linq', 'whsec_YWJjZA', /not valid base64/], // missing padding
		['linq', 'whsec_YWJjZB==', /not valid base64/], // non-zero padding bits
		['linq', `whsec_${LINQ_KEY.toString('base64url')}_-`, /not valid base64/],
		['linq', '', /no signing secret/],
		['linq', LINQ_KEY.toString('base64'), /does not start with "whsec_"/],
		['chert', '', /no signing secret/],
	];
	test.each(unusable)(
		'%s: a created subscription whose secret is %j is deleted again; activation fails naming the problem',
		async (name, secret, problem) => {
			const subs = serve(name, {}, { secret });
			const harness = await trigger(name);
			const log = captureN8nLog();
			let error: Error;
			try {
				error = await activationError(harness);
			} finally {
				stopN8nLogCapture();
			}
			expect(error.message).toMatch(
				new RegExp(`^${name === 'linq' ? 'Linq' : 'Chert'} created the webhook subscription, but `),
			);
			expect(error.message).toMatch(problem);
			expect(error.message).toMatch(
				/so no delivery could be verified and this trigger did not activate\. It was deleted again\.$/,
			);
			if (secret.length > 6)
				expect(
					[error.message, ...log.map((entry) => entry.message + entry.meta)].join('\n'),
				).not.toContain(secret.slice(6));
			expect(deletes()).toEqual(['sub_1']);
			expect(subs).toEqual([]);
			expect(harness.staticData.subscription).toBeUndefined();
			expect(await harness.checkExists()).toBe(false);
		},
	);

	test('linq: an unusable secret whose DELETE fails: the message names the subscription that remains and where to delete it', async () => {
		serve(
			'linq',
			{
				remove: (_hit, response) =>
					json(response, 500, {
						success: false,
						error: { status: 500, code: 3006, message: 'internal' },
					}),
			},
			{ secret: 'whsec_' },
		);
		const harness = await trigger('linq');
		const error = await activationError(harness);
		expect(error.message).toMatch(
			/Deleting it failed, so this subscription remains at Linq: sub_1 \(.+\)\. GET \/v3\/webhook-subscriptions lists them .* DELETE \/v3\/webhook-subscriptions\/\{id\} deletes one/,
		);
		expect(deletes()).toEqual(['sub_1']);
		expect(harness.staticData.subscription).toBeUndefined();
	});

	const ambiguous: Array<[string, Override]> = [
		[
			'HTML',
			(hit, response, list) => {
				list.push({ id: 'sub_maybe', url: targetOf(hit) });
				json(response, 200, '<html>created?</html>', { 'content-type': 'text/html' });
			},
		],
		[
			'oversize',
			(hit, response, list) => {
				list.push({ id: 'sub_maybe', url: targetOf(hit) });
				json(response, 200, `{"id":"sub_maybe","pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
			},
		],
		[
			'a 502',
			(hit, response, list) => {
				list.push({ id: 'sub_maybe', url: targetOf(hit) });
				json(response, 502, {
					success: false,
					error: { status: 502, code: 3004, message: 'upstream' },
				});
			},
		],
	];
	test.each(
		PROVIDERS.flatMap((name) => ambiguous.map(([label, answer]) => [name, label, answer] as const)),
	)(
		'%s: a create answered with %s may have created it: the one listed for this URL is deleted, the message says so',
		async (name, _label, answer) => {
			const subs = serve(name, { create: answer });
			const harness = await trigger(name);
			const error = await activationError(harness);
			expect(error.message).toMatch(
				/The subscription may have been created anyway: The subscription listed for this URL was deleted\./,
			);
			expect(hits('POST')).toHaveLength(1);
			expect(deletes()).toEqual(['sub_maybe']);
			expect(subs).toEqual([]);
			expect(harness.staticData.subscription).toBeUndefined();
		},
	);

	test('linq: a create answer that drips past the 10 s deadline: activation fails, the request is not repeated, an orphan is named', async () => {
		serve('linq', {
			create: (_hit, response) =>
				drip(
					response,
					200,
					`{"id":"sub_slow","signing_secret":"${LINQ_SECRET}","pad":"${'x'.repeat(100)}"}`,
					500,
				),
		});
		const harness = await trigger('linq');
		const started = Date.now();
		const error = await activationError(harness);
		expect(Date.now() - started).toBeLessThan(15_000);
		expect(error.message).toMatch(
			/may have been created anyway: No subscription ID came back and none is listed for this URL/,
		);
		expect(error.message).toContain('an orphan subscription for');
		expect(hits('POST')).toHaveLength(1);
		expect(harness.staticData.subscription).toBeUndefined();
	}, 30_000);
});

// ---- deliveries -----------------------------------------------------------------------------

const now = () => Math.floor(Date.now() / 1000);

function linqHeaders(id: string, body: string, ts = now()): Record<string, string> {
	const signature = createHmac('sha256', LINQ_KEY).update(`${id}.${ts}.${body}`).digest('base64');
	return {
		'webhook-id': id,
		'webhook-timestamp': String(ts),
		'webhook-signature': `v1,${signature}`,
	};
}

function chertHeaders(body: string, ts = now()): Record<string, string> {
	return {
		'x-webhook-signature': `t=${ts},v1=${createHmac('sha256', CHERT_SECRET).update(`${ts}.${body}`).digest('hex')}`,
	};
}

function linqEvent(
	eventId: string,
	type = 'participant.added',
	data: IDataObject = { chat_id: 'chat-1', participant: { handle: '+14155550177' } },
) {
	return JSON.stringify({
		api_version: 'v3',
		event_id: eventId,
		event_type: type,
		created_at: new Date().toISOString(),
		partner_id: 'p',
		trace_id: 't',
		data,
	});
}

async function activated(name: ProviderName, parameters: IDataObject = {}) {
	serve(name);
	const harness = await trigger(name, parameters);
	await harness.activate();
	return harness;
}

const seenOf = (harness: TriggerHarness) => (harness.staticData.seen as string[] | undefined) ?? [];

describe('deliveries that cannot become items', () => {
	const bodies: Array<[string, string, string]> = [
		[
			'nested 100,000 levels deep',
			`{"event_id":"evt_deep","event_type":"participant.added","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
			'the body nests deeper than 64 levels',
		],
		['a JSON array', '[{"event_id":"evt_arr"}]', 'the body is JSON but an array, not an object'],
		['a JSON string', '"evt_str"', 'the body is JSON but a string, not an object'],
		['JSON null', 'null', 'the body is JSON but null, not an object'],
		['not JSON', '{"event_id":"evt_cut",', 'the body is not valid JSON'],
		['empty', '', 'the body is empty'],
		[
			'an object without an event id (Chert)',
			'{"event_type":"message.received","data":{}}',
			'the body has no event id',
		],
	];

	test.each(bodies)(
		'a signed body that is %s → 422 with a stable answer and a log line, nothing started or recorded',
		async (_label, body, problem) => {
			const name: ProviderName = /Chert/.test(_label) ? 'chert' : 'linq';
			const harness = await activated(name);
			const log = captureN8nLog();
			let first, again;
			try {
				const headers = () =>
					name === 'chert' ? chertHeaders(body) : linqHeaders('msg_same', body);
				first = await harness.post(body, headers());
				again = await harness.post(body, headers());
			} finally {
				stopN8nLogCapture();
			}
			const answer = {
				error: 'unprocessable',
				message: `The delivery was verified but cannot start a workflow: ${problem}`,
			};
			expect(first).toEqual({ status: 422, body: answer });
			expect(again).toEqual({ status: 422, body: answer });
			expect(harness.executions).toHaveLength(0);
			expect(seenOf(harness)).toEqual([]);
			const lines = log.filter(
				(entry) => entry.level === 'warn' && /Group Chat Trigger/.test(entry.message),
			);
			expect(lines.map((entry) => entry.message)).toEqual([
				`Group Chat Trigger (${name}): verified delivery refused with 422, nothing started or recorded: ${problem}`,
				`Group Chat Trigger (${name}): verified delivery refused with 422, nothing started or recorded: ${problem}`,
			]);
			expect(JSON.stringify(log)).not.toContain(name === 'chert' ? CHERT_SECRET : LINQ_SECRET);
		},
	);

	test('an unsigned deep body is still a 401 (nothing is read before verification)', async () => {
		const harness = await activated('linq');
		const body = `{"event_id":"x","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
		expect(
			await harness.post(body, {
				'webhook-id': 'm',
				'webhook-timestamp': String(now()),
				'webhook-signature': 'v1,AAAA',
			}),
		).toMatchObject({ status: 401 });
	});

	test('a huge signed body (5 MB message text) becomes one item whose raw is bounded', async () => {
		const harness = await activated('linq');
		const body = linqEvent('evt_huge', 'message.received', {
			chat_id: 'chat-1',
			chat: { id: 'chat-1', is_group: true },
			sender_handle: { handle: '+14155550177' },
			parts: [{ type: 'text', value: 'y'.repeat(5_000_000) }],
		});
		const received = await harness.post(body, linqHeaders('msg_huge', body));
		expect(received.status).toBe(200);
		expect(harness.executions).toHaveLength(1);
		const [item] = harness.executions[0];
		expect(item).toMatchObject({
			event: 'message.received',
			participant: '+14155550177',
			eventId: 'evt_huge',
		});
		expect(JSON.stringify(item).length).toBeLessThan(20_000);
		expect(JSON.stringify(item.raw)).toContain('… (5000000 characters)');
	});

	test('periskope: a 10,000-recipient notification → 10,000 items, each raw naming only its own recipient', async () => {
		const harness = await activated('periskope');
		const token = (harness.staticData.subscription as { token: string }).token;
		const recipients = Array.from(
			{ length: 10_000 },
			(_, i) => `1415556${String(i).padStart(4, '0')}@c.us`,
		);
		const body = JSON.stringify({
			event: 'chat.notification.created',
			data: {
				notification_id: 'n_big',
				chat_id: '120363000@g.us',
				author: '14155550300@c.us',
				recipientids: recipients,
				type: 'add',
				org_phone: '14155550300@c.us',
			},
			org_id: 'org',
			previous_attributes: null,
			timestamp: new Date().toISOString(),
		});
		expect(body.length).toBeGreaterThan(180_000);
		expect((await harness.post(body, {}, `?token=${token}`)).status).toBe(200);
		const items = harness.executions[0];
		expect(items).toHaveLength(10_000);
		items.forEach((item, index) => {
			const raw = item.raw as { data: { recipientids: string[] } };
			expect(raw.data.recipientids).toEqual([recipients[index]]);
			expect(item.participant).toBe(recipients[index].replace('@c.us', ''));
		});
		expect(new Set(items.map((item) => item.eventId)).size).toBe(10_000);
		expect(items[0].raw).not.toBe(items[1].raw);
		expect(JSON.stringify(items).length).toBeLessThan(10_000 * 600);
	});

	test('periskope: ids and names 100 kB long in a notification naming 2,000 recipients → every item stays small', async () => {
		const harness = await activated('periskope');
		const token = (harness.staticData.subscription as { token: string }).token;
		const long = 'x'.repeat(100_000);
		const recipients = Array.from(
			{ length: 2_000 },
			(_, i) => `1415556${String(i).padStart(4, '0')}@c.us`,
		);
		const body = JSON.stringify({
			event: 'chat.notification.created',
			data: {
				notification_id: `n_${long}`,
				chat_id: `${long}@g.us`,
				author: `${long}@c.us`,
				recipientids: recipients,
				type: 'add',
				body: long,
			},
			timestamp: new Date().toISOString(),
		});
		expect((await harness.post(body, {}, `?token=${token}`)).status).toBe(200);
		const items = harness.executions[0];
		expect(items).toHaveLength(2_000);
		for (const item of items) expect(JSON.stringify(item).length).toBeLessThan(3_000);
		expect(items[0].chatId).toBe(`${'x'.repeat(256)}…`);
		expect(items[0].eventId).toMatch(/^sha256:[0-9a-f]{64}#14155560000$/);
		expect(new Set(items.map((item) => item.eventId)).size).toBe(2_000);
	});

	test('linq: a chat.created naming 10,000 handles → one item whose raw keeps the envelope and a bounded part of the list', async () => {
		const harness = await activated('linq');
		const handles = Array.from({ length: 10_000 }, (_, i) => ({
			id: `h${i}`,
			handle: `+1415556${String(i).padStart(4, '0')}`,
			service: 'iMessage',
			is_me: i === 0,
			status: 'active',
		}));
		const body = linqEvent('evt_big_chat', 'chat.created', {
			id: 'chat-big',
			display_name: 'Everyone',
			is_group: true,
			handles,
		});
		expect((await harness.post(body, linqHeaders('msg_big', body))).status).toBe(200);
		const [item] = harness.executions[0];
		expect(item).toMatchObject({ event: 'group.created', chatId: 'chat-big', name: 'Everyone' });
		const raw = item.raw as {
			event_id: string;
			data: { handles: unknown[]; display_name: string };
		};
		expect(raw.event_id).toBe('evt_big_chat');
		expect(raw.data.display_name).toBe('Everyone');
		expect(raw.data.handles.slice(0, 3)).toEqual(handles.slice(0, 3));
		expect(raw.data.handles[raw.data.handles.length - 1]).toMatch(/^… \d+ more$/);
		expect(JSON.stringify(item).length).toBeLessThan(20_000);
	});
});

describe('a verified delivery is recorded only once its items exist', () => {
	test('processing fails after verification → 500, not recorded; the provider’s retry starts exactly one execution', async () => {
		const harness = await activated('linq');
		const body = linqEvent('evt_retry');
		const spy = jest.spyOn(entryFor('linq').events, 'normalize').mockImplementationOnce(() => {
			throw new RangeError('Maximum call stack size exceeded');
		});
		const log = captureN8nLog();
		let failed, retried, again;
		try {
			failed = await harness.post(body, linqHeaders('msg_r1', body));
			expect(seenOf(harness)).not.toContain('evt_retry');
			// Linq's retry: the same event, a new attempt id and timestamp.
			retried = await harness.post(body, linqHeaders('msg_r2', body, now() + 1));
			again = await harness.post(body, linqHeaders('msg_r3', body, now() + 2));
		} finally {
			stopN8nLogCapture();
			spy.mockRestore();
		}
		expect(failed).toEqual({
			status: 500,
			body: {
				error: 'processing_failed',
				message:
					'The delivery could not be processed; it was not recorded, so a redelivery will be processed',
			},
		});
		expect(retried).toEqual({ status: 200, body: { received: true }, items: expect.any(Array) });
		expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
		expect(harness.executions).toHaveLength(1);
		expect(harness.executions[0]).toEqual([
			expect.objectContaining({
				event: 'participant.added',
				eventId: 'evt_retry',
				participant: '+14155550177',
			}),
		]);
		expect(seenOf(harness)).toEqual(['evt_retry']);
		const warn = log.find((entry) => /answered 500/.test(entry.message));
		expect(warn?.message).toMatch(
			/RangeError: Maximum call stack size exceeded.*not recorded, so the provider's retry is processed/,
		);
		expect(JSON.stringify(log)).not.toContain(LINQ_SECRET);
	});

	test('a Chat IDs expression that fails after verification → 500, not recorded; once fixed, the retry starts one execution', async () => {
		const harness = await activated('chert', {
			chatIds: '={{ $("No such node").item.json.chatId }}',
		});
		const body = JSON.stringify({
			event_id: 'chert:evt:expr',
			event_type: 'message.received',
			data: {
				chat: { id: 'ch_1', is_group: true },
				message: {
					id: 'm1',
					sender_handle: { handle: '+14155550111' },
					parts: [{ type: 'text', value: 'hi' }],
				},
			},
		});
		expect(await harness.post(body, chertHeaders(body))).toMatchObject({
			status: 500,
			body: { error: 'processing_failed' },
		});
		expect(harness.executions).toHaveLength(0);
		harness.node.parameters.chatIds = 'ch_1';
		expect(await harness.post(body, chertHeaders(body))).toMatchObject({ status: 200 });
		expect(await harness.post(body, chertHeaders(body))).toMatchObject({
			status: 200,
			body: { duplicate: true },
		});
		expect(harness.executions).toHaveLength(1);
	});

	test('a delivery the filters exclude is recorded: its redelivery is a duplicate', async () => {
		const harness = await activated('linq', { chatIds: 'another-chat' });
		const body = linqEvent('evt_filtered');
		expect(await harness.post(body, linqHeaders('msg_f1', body))).toMatchObject({
			status: 200,
			body: { ignored: true },
		});
		expect(await harness.post(body, linqHeaders('msg_f2', body))).toMatchObject({
			status: 200,
			body: { duplicate: true },
		});
		expect(harness.executions).toHaveLength(0);
	});
});

describe('signatures in the form the provider sends, at the boundary', () => {
	test('linq: the same signature bytes in URL-safe base64 or without padding → 401', async () => {
		const harness = await activated('linq');
		let n = 0;
		let body = '';
		let headers: Record<string, string> = {};
		do {
			body = linqEvent(`evt_form_${n++}`);
			headers = linqHeaders('msg_form', body);
		} while (!/[+/]/.test(headers['webhook-signature']));
		const canonical = headers['webhook-signature'];
		const urlSafe = canonical.replace(/\+/g, '-').replace(/\//g, '_');
		const unpadded = canonical.replace(/=+$/, '');
		expect((await harness.post(body, { ...headers, 'webhook-signature': urlSafe })).status).toBe(
			401,
		);
		expect((await harness.post(body, { ...headers, 'webhook-signature': unpadded })).status).toBe(
			401,
		);
		expect(harness.executions).toHaveLength(0);
		expect((await harness.post(body, headers)).status).toBe(200);
		expect(harness.executions).toHaveLength(1);
	});

	test('chert: an uppercase hex signature → 401; the lowercase one → 200', async () => {
		const harness = await activated('chert');
		const body = JSON.stringify({
			event_id: 'chert:evt:case',
			event_type: 'message.received',
			data: {
				chat: { id: 'ch_1', is_group: true },
				message: { id: 'm1', sender_handle: { handle: '+14155550111' }, parts: [] },
			},
		});
		const headers = chertHeaders(body);
		const upper = headers['x-webhook-signature'].replace(
			/v1=([0-9a-f]+)/,
			(_all, hex: string) => `v1=${hex.toUpperCase()}`,
		);
		expect((await harness.post(body, { 'x-webhook-signature': upper })).status).toBe(401);
		expect((await harness.post(body, headers)).status).toBe(200);
		expect(harness.executions).toHaveLength(1);
	});
});
