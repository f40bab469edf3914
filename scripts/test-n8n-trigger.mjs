// The Group Chat Trigger phase of `npm run test:n8n`, in the real n8n:
//  1. import + activate examples/group-chat-trigger.workflow.json (CLI), then `n8n start`:
//     activation must create one subscription per trigger at the sandbox (Periskope: one per event);
//  2. run the lifecycle example through the editor's REST /run and post a message to a Chert group
//     (the lifecycle's welcome messages are our own sends: they start nothing);
//  3. every sandbox delivery is answered 200 and n8n has one successful trigger execution per
//     event, with the normalized item (event, chatId, participant);
//  4. a forged delivery to the production webhook URL (wrong signature, no token) gets 401 and
//     starts nothing; a replay of a real delivery gets 200 and starts nothing;
//  5. one execution per event across a restart (issue 18): a new event is answered
//     {"received":true} and runs; n8n restarts (watched every 25 ms: how long its webhook route
//     answers 404 after it reports ready), creating no subscription; a redelivery of that event
//     is answered 200 and the event still continued past the trigger only once;
//  6. deactivating (REST) deletes every subscription; activating again creates each once.
import { createRequire } from 'node:module';
import { join } from 'node:path';

import {
	info,
	restApi as rest,
	runFromEditor,
	sleep,
	startN8n,
	step,
	waitForExecution,
} from './harness.mjs';
import { signIn, waitForN8n } from './n8n-runtime.mjs';
import {
	linqDeliveries,
	postDelivery,
	probeDelivery,
	readTriggerExecution,
	restartWindow,
	watchRestart,
} from './trigger-deliveries.mjs';
import {
	importTriggerExample,
	readTriggerWorkflow,
	triggerWebhookUrl,
} from './trigger-example.mjs';

const PROVIDERS = ['chert', 'linq', 'periskope'];
/** Subscriptions per provider at the sandbox. */
const subscriptionCounts = (sandbox) =>
	Object.fromEntries(
		PROVIDERS.map((provider) => [provider, sandbox.subscriptions(provider).length]),
	);
/** Every trigger has its subscriptions: Chert 1, Linq 1, Periskope 3 (one per event type). */
const allSubscribed = (sandbox) => {
	const counts = subscriptionCounts(sandbox);
	return counts.chert >= 1 && counts.linq >= 1 && counts.periskope >= 3;
};

/** The first item of the trigger node's output in a stored execution (n8n stores it flatted). */
function triggerItem(execution, flatted) {
	const data = typeof execution.data === 'string' ? flatted.parse(execution.data) : execution.data;
	const runData = data?.resultData?.runData ?? {};
	for (const [name, runs] of Object.entries(runData)) {
		if (!/group events|group messages/.test(name)) continue;
		return { node: name, json: runs?.[0]?.data?.main?.[0]?.[0]?.json };
	}
	return { node: undefined, json: undefined };
}

/** `check` counts for the caller's run (test-n8n.mjs). */
export async function checkTriggerPhase({ runtime, env, port, sandbox, DEMO, lifecycle, check }) {
	const trigger = readTriggerWorkflow();
	const flatted = createRequire(join(runtime.n8nDir, 'node_modules', 'n8n', 'package.json'))(
		'flatted',
	);
	const activate = runtime.activateCommand(trigger.id)[0];

	step('Group Chat Trigger: import + activate the events example (CLI)');
	try {
		await importTriggerExample(runtime, env, { log: info });
		check(`import:workflow + ${activate} for the trigger example succeed`, true);
	} catch (error) {
		check(`import:workflow + ${activate} for the trigger example succeed`, false, error.message);
		return;
	}
	sandbox.reset();

	step(`Group Chat Trigger: n8n start (port ${port}) activates it`);
	const baseUrl = `http://127.0.0.1:${port}`;
	let n8n = startN8n(runtime, env);
	try {
		await waitForN8n(baseUrl, { child: n8n.child, timeoutMs: 180_000 });
		let { cookie } = await signIn(baseUrl);
		// Activation runs during start-up and may still be under way: wait for all three triggers.
		for (let i = 0; i < 100 && !allSubscribed(sandbox); i++) await sleep(100);
		const subs = Object.fromEntries(
			PROVIDERS.map((provider) => [provider, sandbox.subscriptions(provider)]),
		);
		const urls = {
			linq: triggerWebhookUrl(`http://localhost:${port}`, 'Linq: group events'),
			periskope: triggerWebhookUrl(`http://localhost:${port}`, 'Periskope: group events'),
			chert: triggerWebhookUrl(`http://localhost:${port}`, 'Chert: group messages'),
		};
		check(
			'activation created one subscription per trigger for its production webhook URL (Periskope: one per event type, 3)',
			subs.chert.length === 1 &&
				subs.chert[0].url === urls.chert &&
				subs.linq.length === 1 &&
				subs.linq[0].url === urls.linq &&
				subs.periskope.length === 3 &&
				subs.periskope.every((sub) => sub.url.startsWith(`${urls.periskope}?token=`)),
			JSON.stringify(
				Object.fromEntries(Object.entries(subs).map(([k, v]) => [k, v.map((s) => s.url)])),
			),
		);

		step(
			'Group Chat Trigger: run the lifecycle example (REST /run) and post a Chert group message',
		);
		const manual = lifecycle.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger').name;
		const executionId = await runFromEditor(baseUrl, cookie, runtime, lifecycle.id, manual);
		const run = await waitForExecution(baseUrl, cookie, executionId);
		check(
			`lifecycle execution ${executionId} ends in success`,
			run?.status === 'success',
			`status ${run?.status}`,
		);
		const chertChat = sandbox.listChats('chert').find((chat) => chat.id === DEMO.groups.chert.trio);
		sandbox.postMessage(
			'chert',
			chertChat.id,
			chertChat.participants.find((p) => p !== chertChat.self),
			'See you at 3',
		);
		await sandbox.webhooksIdle();

		const deliveries = sandbox.deliveries;
		// Periskope also delivers the welcome message (from_me: true, which starts nothing) and the
		// promotion; Linq's message.sent for the welcome is not among the subscribed events.
		const expected = { linq: 5, periskope: 7, chert: 1 };
		const byProvider = (provider) => deliveries.filter((d) => d.provider === provider);
		check(
			'the sandbox delivered every change signed, and n8n answered each with 200',
			Object.entries(expected).every(
				([provider, count]) => byProvider(provider).length === count,
			) && deliveries.every((d) => d.status === 200),
			deliveries.map((d) => `${d.provider} ${d.eventType} → ${d.status}`).join('\n'),
		);

		let executions = [];
		for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(500)) {
			const list = await rest(
				baseUrl,
				cookie,
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: trigger.id }))}&limit=100`,
			);
			executions = list?.results ?? [];
			if (executions.length >= 12 && executions.every((e) => e.status === 'success')) break;
		}
		check(
			`n8n lists 12 successful "${trigger.name}" executions (Linq 5, Periskope 6, Chert 1) in mode webhook`,
			executions.length === 12 &&
				executions.every((e) => e.status === 'success' && e.mode === 'webhook'),
			executions.map((e) => `${e.id} ${e.mode} ${e.status}`).join(', '),
		);
		const items = [];
		for (const summary of executions) {
			const full = await rest(baseUrl, cookie, `/rest/executions/${summary.id}`);
			items.push(triggerItem(full, flatted));
		}
		const seen = (provider, event) =>
			items.filter((i) => i.json?.provider === provider && i.json?.event === event).length;
		// The lifecycle example: create, add one, rename, remove one, and our line leaves (a removal too).
		const lifecycleSeen = (provider) =>
			seen(provider, 'group.created') === 1 &&
			seen(provider, 'participant.added') === 1 &&
			seen(provider, 'group.renamed') === 1 &&
			seen(provider, 'participant.removed') === 2;
		check(
			'Linq: created, participant added (the queued add confirmed), renamed, removed, line left',
			lifecycleSeen('linq'),
			JSON.stringify(items.map((i) => [i.json?.provider, i.json?.event, i.json?.participant])),
		);
		const linqAdd = items.find(
			(i) => i.json?.provider === 'linq' && i.json?.event === 'participant.added',
		)?.json;
		check(
			'Linq participant.added item: E.164 participant and the lifecycle chat',
			linqAdd?.participant === '+14155550174' && typeof linqAdd?.chatId === 'string',
			JSON.stringify(linqAdd),
		);
		check('Periskope: created, added, renamed, removed, line left', lifecycleSeen('periskope'));
		const promoted = items
			.filter((i) => i.json?.provider === 'periskope' && i.json?.event === 'participant.promoted')
			.map((i) => i.json);
		check(
			'Periskope: Promote Admins reported as participant.promoted for the new member (14155550187), nothing for the welcome message',
			promoted.length === 1 &&
				promoted[0].participant === '14155550187' &&
				seen('periskope', 'message.received') === 0,
			JSON.stringify(promoted),
		);
		check('Chert: the group message', seen('chert', 'message.received') === 1);

		step('Group Chat Trigger: forged and replayed deliveries to the production URL');
		const before = executions.length;
		const forgedBody = JSON.stringify({
			event_id: 'forged-1',
			event_type: 'participant.added',
			created_at: new Date().toISOString(),
			data: { chat_id: DEMO.groups.linq.five, handle: '+14155550199' },
		});
		const ts = String(Math.floor(Date.now() / 1000));
		const forged = await fetch(urls.linq.replace('localhost', '127.0.0.1'), {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'webhook-id': 'forged-1',
				'webhook-timestamp': ts,
				'webhook-signature': `v1,${Buffer.alloc(32, 7).toString('base64')}`,
			},
			body: forgedBody,
		});
		check(
			'a forged Linq delivery (wrong signature) gets 401',
			forged.status === 401,
			`HTTP ${forged.status}`,
		);
		const noToken = await fetch(urls.periskope.replace('localhost', '127.0.0.1'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				event: 'message.created',
				data: { chat_id: '1@g.us', message_id: 'x' },
			}),
		});
		check(
			'a Periskope delivery without the token gets 401',
			noToken.status === 401,
			`HTTP ${noToken.status}`,
		);
		const real = byProvider('linq').find((d) => d.eventType === 'participant.added');
		if (check('a real Linq participant.added delivery exists to replay', Boolean(real))) {
			const replay = await fetch(real.url.replace('localhost', '127.0.0.1'), {
				method: 'POST',
				headers: real.headers,
				body: real.body,
			});
			check(
				'a replay of a real Linq delivery gets 200 (deduplicated)',
				replay.status === 200,
				`HTTP ${replay.status}`,
			);
		}
		await sleep(1500);
		const after = await rest(
			baseUrl,
			cookie,
			`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: trigger.id }))}&limit=100`,
		);
		check(
			'the forged, token-less and replayed deliveries started no execution',
			(after?.results ?? []).length === before,
			`${before} → ${(after?.results ?? []).length}`,
		);

		step('Group Chat Trigger: one execution per event across a restart (regular mode)');
		const linqNode = trigger.nodes.find((node) => node.name === 'Linq: group events');
		const path = `${linqNode.webhookId}/webhook`;
		const linqUrl = `${baseUrl}/webhook/${path}`;
		const template = byProvider('linq').find((d) => d.eventType === 'participant.added');
		const make = linqDeliveries(
			sandbox.subscriptions('linq')[0]?.secret ?? '',
			template?.body ?? '{}',
		);
		const event = make(`evt-restart-${Date.now().toString(36)}`);
		const workflowExecutions = async () =>
			(
				await rest(
					baseUrl,
					cookie,
					`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: trigger.id }))}&limit=250`,
				)
			)?.results ?? [];
		const countBefore = (await workflowExecutions()).length;
		const firstAnswer = await postDelivery(linqUrl, event);
		check(
			`a new Linq event is answered 200 with exactly {"received":true} (${firstAnswer.ms} ms)`,
			firstAnswer.status === 200 && firstAnswer.text === '{"received":true}',
			`HTTP ${firstAnswer.status} ${firstAnswer.text.slice(0, 200)}`,
		);
		for (
			let i = 0;
			i < 60 &&
			(await workflowExecutions()).filter((e) => e.status === 'success').length < countBefore + 1;
			i++
		)
			await sleep(250);
		const subscriptionCreates = () =>
			sandbox.requests.filter(
				(r) => r.method === 'POST' && /\/(webhook-subscriptions|webhooks)$/.test(r.path),
			).length;
		const createsBefore = subscriptionCreates();
		const watcher = watchRestart(baseUrl, path, { everyMs: 25 });
		await sleep(200);
		await n8n.stop();
		n8n = startN8n(runtime, env);
		await waitForN8n(baseUrl, { child: n8n.child, timeoutMs: 180_000 });
		for (let i = 0; i < 2400 && (await probeDelivery(baseUrl, path)).status !== 401; i++)
			await sleep(25);
		await sleep(300);
		const window = restartWindow(await watcher.stop());
		const spanText = (span) =>
			span ? `+${span.from}…+${span.to} ms (${span.samples} probes)` : 'none';
		info(
			`restart, what a delivery got (ms after n8n stopped routing it):\n      ${window.timeline.join('\n      ')}`,
		);
		info(
			`answers a provider does not retry (404, or n8n's 200 "starting up"): ${spanText(window.lost)}; after readiness: ${spanText(window.afterReady)}`,
		);
		check(
			`n8n restarted: ready at +${window.readyAt} ms, the trigger routed again at +${window.routedAt} ms; unretried answers ${spanText(window.lost)}`,
			window.readyAt !== undefined && window.routedAt !== undefined,
			JSON.stringify(window),
		);
		({ cookie } = await signIn(baseUrl));
		check(
			'the restart created no subscription (activation found the stored ones)',
			subscriptionCreates() === createsBefore,
			`${subscriptionCreates() - createsBefore} created`,
		);
		const redelivery = await postDelivery(linqUrl, event, { headers: event.headers(3) });
		info(
			`redelivery of ${event.eventId} after the restart → ${redelivery.status} ${redelivery.text}`,
		);
		check(
			'the redelivery after the restart is answered 200',
			redelivery.status === 200,
			redelivery.text,
		);
		await sleep(1500);
		let about = [];
		for (let i = 0; i < 40; i++) {
			const list = await workflowExecutions();
			about = [];
			for (const summary of list.filter(
				(e) => Number(e.id) > 0 && e.status !== 'running' && e.status !== 'new',
			)) {
				const full = await rest(baseUrl, cookie, `/rest/executions/${summary.id}`);
				const data = typeof full.data === 'string' ? flatted.parse(full.data) : full.data;
				const read = readTriggerExecution(data, {
					trigger: 'Linq: group events',
					next: 'Linq: add confirmed?',
					customData: full.customData,
				});
				if (read.recorded === event.eventId || read.continued.includes(event.eventId))
					about.push({ id: summary.id, ...read });
			}
			if (about.length >= (redelivery.json?.duplicate ? 1 : 2)) break;
			await sleep(500);
		}
		const continued = about.reduce(
			(sum, e) => sum + e.continued.filter((id) => id === event.eventId).length,
			0,
		);
		check(
			`the event continued past the trigger exactly once across the restart (${about.length} execution(s): ${about.map((e) => e.once).join(', ')}; the redelivery was ${redelivery.json?.duplicate ? 'answered duplicate from the saved static data' : 'stopped at the trigger by n8n’s database'})`,
			continued === 1 &&
				about.length === (redelivery.json?.duplicate ? 1 : 2) &&
				about.filter((e) => e.once === 'first').length === 1 &&
				about.filter((e) => e.once === 'duplicate').length === about.length - 1,
			JSON.stringify(about),
		);

		step('Group Chat Trigger: deactivate, then activate again (REST)');
		const all = () => PROVIDERS.flatMap((provider) => sandbox.subscriptions(provider));
		await rest(baseUrl, cookie, `/rest/workflows/${trigger.id}/deactivate`, {});
		for (let i = 0; i < 50 && all().length > 0; i++) await sleep(200);
		const deletes = sandbox.requests.filter((r) => r.method === 'DELETE' && /webhook/.test(r.path));
		check(
			'deactivation deleted every subscription at the sandbox',
			all().length === 0,
			`left: ${all()
				.map((sub) => sub.url)
				.join(
					', ',
				)}; DELETE requests: ${deletes.map((r) => `${r.provider} ${r.path} → ${r.status}`).join(', ')}`,
		);
		const { versionId } = await rest(baseUrl, cookie, `/rest/workflows/${trigger.id}`);
		await rest(baseUrl, cookie, `/rest/workflows/${trigger.id}/activate`, { versionId });
		for (let i = 0; i < 75 && !allSubscribed(sandbox); i++) await sleep(200);
		const again = subscriptionCounts(sandbox);
		const chertCalls = sandbox.requests.filter(
			(r) => r.provider === 'chert' && /webhook/.test(r.path),
		);
		check(
			'reactivation created them again, once each (Chert 1, Linq 1, Periskope 3)',
			again.chert === 1 && again.linq === 1 && again.periskope === 3,
			`${JSON.stringify(again)}; Chert subscription requests: ${chertCalls.map((r) => `${r.method} ${r.path} → ${r.status}`).join(', ')}`,
		);
	} catch (error) {
		check('Group Chat Trigger phase completed', false, `${error.stack}\n${n8n.tail(30)}`);
	} finally {
		await n8n.stop();
	}
}
