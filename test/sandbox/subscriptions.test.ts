/**
 * The webhook-subscription endpoints of the three emulators (one implementation in
 * src/sandbox/subscriptions.ts, each provider's paths, bodies and answers): create, list, get,
 * delete, the provider's errors for refused bodies and unknown ids, and deterministic ids.
 */
import { DEMO, startSandbox, type ProviderName, type Sandbox } from '../../src/sandbox';
import { chert, linq, periskope, type Json, type Res } from './helpers';

const HOOK = 'http://127.0.0.1:9/hook';
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Spec {
	send(sb: Sandbox, method: string, path: string, body?: unknown): Promise<Res>;
	path: string;
	/** A valid create body for HOOK, and one with an extra field `x`. */
	body: Record<string, unknown>;
	/** The created subscription(s) as the answer shows them, with the status. */
	created: { status: number; views(json: Json): Json[] };
	listed(json: Json): Json[];
	found(json: Json): Json;
	deleted: { status: number; json(id: string): Json };
	/** The provider's error envelope: status, code, message. */
	error(json: Json): { code: unknown; message: unknown };
	codes: { notAnObject: unknown; badRequest: unknown; notFound: unknown };
	notFoundMessage(id: string): string;
	secret: RegExp | undefined;
}

const SPECS: Record<ProviderName, Spec> = {
	chert: {
		send: (sb, method, path, body) => chert(sb, method, path, body),
		path: '/api/v1/webhook-subscriptions',
		body: { url: HOOK, events: ['message.received'] },
		created: { status: 200, views: (json) => [json.subscription] },
		listed: (json) => json.subscriptions,
		found: (json) => json.subscription,
		deleted: { status: 200, json: (id) => ({ id, deleted: true }) },
		error: (json) => ({ code: json.error?.code, message: json.error?.message }),
		codes: { notAnObject: 1004, badRequest: 1001, notFound: 2002 },
		notFoundMessage: () => 'Webhook subscription not found',
		secret: HEX64,
	},
	linq: {
		send: (sb, method, path, body) => linq(sb, method, path, body),
		path: '/v3/webhook-subscriptions',
		body: { target_url: HOOK, subscribed_events: ['participant.added'] },
		created: { status: 200, views: (json) => [json] },
		listed: (json) => json.subscriptions,
		found: (json) => json,
		deleted: { status: 204, json: () => undefined },
		error: (json) => ({ code: json.error?.code, message: json.error?.message }),
		codes: { notAnObject: 1004, badRequest: 1001, notFound: 2001 },
		notFoundMessage: () => 'Resource not found',
		secret: /^whsec_[A-Za-z0-9+/]{43}=$/,
	},
	periskope: {
		send: (sb, method, path, body) => periskope(sb, method, path, body),
		path: '/webhooks',
		body: { hookUrl: HOOK, integrationName: 'message.created' },
		created: { status: 201, views: (json) => json },
		listed: (json) => json,
		found: (json) => json,
		deleted: { status: 200, json: (id) => ({ id, deleted: true }) },
		error: (json) => ({ code: json.code, message: json.message }),
		codes: {
			notAnObject: 'invalid_json',
			badRequest: 'invalid_request',
			notFound: 'webhook_not_found',
		},
		notFoundMessage: (id) => `Webhook ${id} not found`,
		secret: undefined,
	},
};

const secretOf = (view: Json): unknown => view.secret ?? view.signing_secret;

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox();
});
afterAll(() => sb.stop());
beforeEach(() => sb.reset());

describe.each<ProviderName>(['chert', 'linq', 'periskope'])(
	'sandbox: %s webhook subscriptions',
	(provider) => {
		const spec = SPECS[provider];

		it('create → list → get → delete, the secret shown only on create', async () => {
			expect(spec.listed((await spec.send(sb, 'GET', spec.path)).json)).toEqual([]);

			const created = await spec.send(sb, 'POST', spec.path, spec.body);
			expect(created.status).toBe(spec.created.status);
			const [view] = spec.created.views(created.json);
			expect(view.id).toMatch(UUID);
			if (spec.secret) expect(secretOf(view)).toMatch(spec.secret);
			else expect(secretOf(view)).toBeUndefined();
			const [stored] = sb.subscriptions(provider);
			expect(stored).toMatchObject({ id: view.id, provider, url: HOOK });
			expect(stored.secret).toBe(secretOf(view));

			const listed = spec.listed((await spec.send(sb, 'GET', spec.path)).json);
			expect(listed.map((v) => v.id)).toEqual([view.id]);
			expect(secretOf(listed[0])).toBeUndefined();
			const found = await spec.send(sb, 'GET', `${spec.path}/${view.id as string}`);
			expect(found.status).toBe(200);
			expect(spec.found(found.json)).toEqual(listed[0]);

			const deleted = await spec.send(sb, 'DELETE', `${spec.path}/${view.id as string}`);
			expect(deleted.status).toBe(spec.deleted.status);
			expect(deleted.json).toEqual(spec.deleted.json(view.id));
			expect(sb.subscriptions(provider)).toEqual([]);
			const again = await spec.send(sb, 'DELETE', `${spec.path}/${view.id as string}`);
			expect(again.status).toBe(404);
			expect(spec.error(again.json)).toEqual({
				code: spec.codes.notFound,
				message: spec.notFoundMessage(view.id),
			});
		});

		it('an unknown id is the provider 404; a body that is not an object or has other fields is its 400', async () => {
			const missing = await spec.send(sb, 'GET', `${spec.path}/nope`);
			expect(missing.status).toBe(404);
			expect(spec.error(missing.json)).toEqual({
				code: spec.codes.notFound,
				message: spec.notFoundMessage('nope'),
			});

			const notAnObject = await spec.send(sb, 'POST', spec.path, '[1]');
			expect(notAnObject.status).toBe(400);
			expect(spec.error(notAnObject.json).code).toBe(spec.codes.notAnObject);

			const extra = await spec.send(sb, 'POST', spec.path, { ...spec.body, x: 1 });
			expect(extra.status).toBe(400);
			expect(spec.error(extra.json)).toEqual({
				code: spec.codes.badRequest,
				message: 'Unknown field: x',
			});
			expect(sb.subscriptions(provider)).toEqual([]);
		});

		it('ids and secrets are deterministic: the same calls after reset() give the same ones', async () => {
			const first = spec.created.views((await spec.send(sb, 'POST', spec.path, spec.body)).json);
			sb.reset();
			const second = spec.created.views((await spec.send(sb, 'POST', spec.path, spec.body)).json);
			expect(second.map((v) => [v.id, secretOf(v)])).toEqual(first.map((v) => [v.id, secretOf(v)]));
		});
	},
);

describe('sandbox: provider-specific subscription rules', () => {
	it('Chert: HTTPS only, plus http on loopback; events from its list', async () => {
		const path = SPECS.chert.path;
		const http = await chert(sb, 'POST', path, { url: 'http://hooks.example/h' });
		expect(http.status).toBe(400);
		expect(http.json.error).toMatchObject({ code: 1001, message: 'url must be an HTTPS URL' });
		const events = await chert(sb, 'POST', path, { url: HOOK, events: ['participant.added'] });
		expect(events.status).toBe(400);
		expect(events.json.error.message).toMatch(/^events must be a list of: message\.received/);
		const https = await chert(sb, 'POST', path, {
			url: 'https://hooks.example/h',
			version: '2026-04-01',
		});
		expect(https.json.subscription).toMatchObject({ url: 'https://hooks.example/h', events: [] });
	});

	it('Linq: one subscription per target_url (409 / 1014); phone_numbers must be the partner’s lines', async () => {
		const path = SPECS.linq.path;
		const lines = [DEMO.linq.senders[0]];
		const first = await linq(sb, 'POST', path, { ...SPECS.linq.body, phone_numbers: lines });
		expect(first.json).toMatchObject({ target_url: HOOK, phone_numbers: lines });
		const twice = await linq(sb, 'POST', path, SPECS.linq.body);
		expect(twice.status).toBe(409);
		expect(twice.json.error.code).toBe(1014);
		const foreign = await linq(sb, 'POST', path, {
			target_url: `${HOOK}2`,
			subscribed_events: ['chat.created'],
			phone_numbers: ['+14155550999'],
		});
		expect(foreign.status).toBe(403);
		expect(foreign.json.error.code).toBe(2003);
		expect(sb.subscriptions('linq')).toHaveLength(1);
	});

	it('Periskope: one row per distinct event, answered 201', async () => {
		const names = ['chat.created', 'chat.notification.created', 'chat.created'];
		const created = await periskope(sb, 'POST', '/webhooks', {
			hookUrl: HOOK,
			integrationName: names,
		});
		expect(created.status).toBe(201);
		expect((created.json as Json[]).map((row) => row.integration_name)).toEqual([
			'chat.created',
			'chat.notification.created',
		]);
		expect(sb.subscriptions('periskope').map((sub) => sub.events)).toEqual([
			['chat.created'],
			['chat.notification.created'],
		]);
	});
});
