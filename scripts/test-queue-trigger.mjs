// The Group Chat Trigger phase of `npm run test:queue`: issue 18, "one verified event, one
// execution", with the real processes (main, two workers, an `n8n webhook` process, PostgreSQL,
// Redis) and the trigger example (examples/group-chat-trigger.workflow.json).
//
//  1. activation through main creates each subscription once; starting the webhook process and
//     restarting main create none;
//  2. a delivery that starts an execution is answered {"received":true} (main and the webhook
//     process alike);
//  3. within a process: a replay and a provider retry (same event, new signature) are answered
//     "duplicate" and start nothing; a copy to the other process starts an execution that ends at
//     the trigger;
//  4. many pairs: the same signed bytes to main and the webhook process at the same moment;
//  5. main restarts (watched every 25 ms: readiness and the trigger's route, on main and on the
//     webhook process): how long a delivery to main is answered 404 after it reports ready; then a
//     redelivery of an event that ran before the restart, and a new event;
//  6. counts from PostgreSQL: executions per event id (execution_entity, execution_data; the
//     trigger's customData and the items the next node received) — every event continued past
//     the trigger exactly once, every started execution is accounted for, all ran on workers.
import { info, secs, sleep, step } from './harness.mjs';
import {
	linqDeliveries,
	postDelivery,
	probeDelivery,
	readTriggerExecution,
	restartWindow,
	routeStatus,
	watchRestart,
} from './trigger-deliveries.mjs';
import { readTriggerWorkflow } from './trigger-example.mjs';

const LINQ_TRIGGER = 'Linq: group events';
const LINQ_NEXT = 'Linq: add confirmed?';

/**
 * The control: the same Linq trigger with its database check off (History Size 0) followed by n8n's
 * own Remove Duplicates node ("Remove Items Processed in Previous Executions", on eventId) — n8n's
 * deduplication store used the way n8n offers it, without the trigger's lock. The same pairs are
 * sent to it, to see what the store alone does with them.
 */
export const CONTROL_WORKFLOW = Object.freeze({
	id: 'gcQueueControl01',
	name: 'Group chat events (control: Remove Duplicates)',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '5d2e3f40-0000-4000-8000-000000000001',
			name: 'Control: Linq events',
			type: 'n8n-nodes-group-chat.groupChatTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: '5d2e3f40-aaaa-4000-8000-00000000001a',
			parameters: {
				provider: 'linq',
				events: ['message.received'],
				senders: '',
				chatIds: '',
				options: { historySize: 0 },
			},
			credentials: { linqApi: { id: 'gcLinqSandbox001', name: 'Linq (sandbox)' } },
		},
		{
			id: '5d2e3f40-0000-4000-8000-000000000002',
			name: 'Control: Remove Duplicates',
			type: 'n8n-nodes-base.removeDuplicates',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				operation: 'removeItemsSeenInPreviousExecutions',
				logic: 'removeItemsWithAlreadySeenKeyValues',
				dedupeValue: '={{ $json.eventId }}',
				options: {},
			},
		},
		{
			id: '5d2e3f40-0000-4000-8000-000000000003',
			name: 'Control: next',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [440, 0],
			parameters: {},
		},
	],
	connections: {
		'Control: Linq events': {
			main: [[{ node: 'Control: Remove Duplicates', type: 'main', index: 0 }]],
		},
		'Control: Remove Duplicates': { main: [[{ node: 'Control: next', type: 'main', index: 0 }]] },
	},
});
const PROVIDERS = ['chert', 'linq', 'periskope'];
const RECEIVED = '{"received":true}';

/** POSTs to a provider's subscription endpoint (the sandbox's record of what activation created). */
const isSubscriptionCreate = (r) =>
	r.method === 'POST' && /\/(webhook-subscriptions|webhooks)$/.test(r.path) && r.status < 300;

async function until(predicate, timeoutMs, everyMs = 200) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await predicate();
		if (value || Date.now() > deadline) return value;
		await sleep(everyMs);
	}
}

/** 5 pairs at a time = 10 executions: both workers' 5 slots, so both copies of a pair start at once. */
const WAVE = 5;

/** Each delivery to both URLs at the same moment (the same signed bytes), `WAVE` pairs at a time. */
async function sendPairs(deliveries, urlA, urlB, note = () => {}) {
	const answered = [];
	for (let i = 0; i < deliveries.length; i += WAVE) {
		const wave = deliveries.slice(i, i + WAVE);
		const results = await Promise.all(
			wave.map(async (delivery) => {
				const headers = delivery.headers();
				const [atMain, atWebhook] = await Promise.all([
					postDelivery(urlA, delivery, { headers }),
					postDelivery(urlB, delivery, { headers }),
				]);
				note(delivery.eventId, 'main', atMain);
				note(delivery.eventId, 'webhook process', atWebhook);
				return { eventId: delivery.eventId, atMain, atWebhook };
			}),
		);
		answered.push(...results);
	}
	return answered;
}

/** Whether two runs of a step overlapped in time (both were inside it at once). */
const overlapped = (a, b) =>
	a?.start !== undefined &&
	b?.start !== undefined &&
	a.start < b.start + b.ms &&
	b.start < a.start + a.ms;

const percentile = (values, p) => {
	if (!values.length) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/**
 * ctx: { check, sandbox, DEMO, pairs, cluster: { main, webhook, workers, startWebhook(),
 * restartMain() }, api(path, body), sql(query) → rows, unflatten, ranOn(ids) → Map id → worker }
 */
export async function checkQueueTriggerPhase(ctx) {
	const { check, sandbox, DEMO, cluster, pairs } = ctx;
	const workflow = readTriggerWorkflow();
	const linqNode = workflow.nodes.find((node) => node.name === LINQ_TRIGGER);
	const path = `${linqNode.webhookId}/webhook`;
	const urlOf = (proc) => `${proc.baseUrl}/webhook/${path}`;
	const creates = () => sandbox.requests.filter(isSubscriptionCreate).length;
	const tag = Date.now().toString(36);
	/** Every answer to a delivery we sent or replayed, by event id (each "received" started an execution). */
	const answers = [];
	const note = (eventId, where, answer) => {
		answers.push({ eventId, where, ...answer });
		return answer;
	};

	// ---- 1. activation ---------------------------------------------------------------------
	step('trigger: activate "Group chat events" through main (the subscriptions are created once)');
	const createsBefore = creates();
	try {
		const { versionId } = await ctx.api(`/rest/workflows/${workflow.id}`);
		await ctx.api(`/rest/workflows/${workflow.id}/activate`, { versionId });
	} catch (error) {
		check(`"${workflow.name}" activated through main's REST API`, false, error.message);
		return;
	}
	const subscribed = () => {
		const counts = Object.fromEntries(PROVIDERS.map((p) => [p, sandbox.subscriptions(p).length]));
		return counts.chert === 1 && counts.linq === 1 && counts.periskope === 3 ? counts : undefined;
	};
	await until(subscribed, 30_000);
	const linqSubs = sandbox.subscriptions('linq');
	check(
		'activation made one create request per trigger (3) and the providers list one subscription per trigger (Chert 1, Linq 1, Periskope 3, one per event type) for main’s webhook URL',
		Boolean(subscribed()) &&
			creates() - createsBefore === 3 &&
			linqSubs[0]?.url.endsWith(`/webhook/${path}`),
		`${creates() - createsBefore} created: ${sandbox.requests
			.filter(isSubscriptionCreate)
			.slice(createsBefore)
			.map((r) => `${r.provider} ${r.method} ${r.path} → ${r.status}`)
			.join(
				', ',
			)}; listed ${JSON.stringify(Object.fromEntries(PROVIDERS.map((p) => [p, sandbox.subscriptions(p).map((s) => s.url)])))}`,
	);
	const createsAfterActivation = creates();

	// ---- the webhook process ---------------------------------------------------------------
	step('trigger: an `n8n webhook` process next to main');
	let t = Date.now();
	try {
		await cluster.startWebhook();
	} catch (error) {
		check('the `n8n webhook` process starts', false, error.message);
		return;
	}
	const webhookProc = cluster.webhook;
	const routed = await until(
		async () => (await routeStatus(webhookProc.baseUrl, path)) === 204,
		30_000,
		100,
	);
	check(
		`the webhook process (:${webhookProc.port}) is ready and routes the trigger's URL (${secs(Date.now() - t)})`,
		routed,
	);
	check(
		'starting the webhook process created no subscription',
		creates() === createsAfterActivation,
		`${creates() - createsAfterActivation} created`,
	);

	// ---- 2. the answer ---------------------------------------------------------------------
	step('trigger: a delivery that starts an execution is answered {"received":true}');
	const chat = sandbox.getChat('linq', DEMO.groups.linq.five);
	const member = chat?.participants.find((p) => p !== chat.self);
	const first = sandbox.postMessage('linq', DEMO.groups.linq.five, member, 'Hello from test:queue');
	await sandbox.webhooksIdle();
	const firstDelivery = sandbox.deliveries.find((d) => d.eventId === first.eventId);
	check(
		`the sandbox's own Linq delivery (message.received ${first.eventId}) was answered 200 by main`,
		firstDelivery?.status === 200,
		JSON.stringify(
			firstDelivery && { status: firstDelivery.status, attempt: firstDelivery.attempt },
		),
	);
	if (!firstDelivery) return;
	answers.push({
		eventId: first.eventId,
		where: 'main',
		status: firstDelivery.status,
		text: RECEIVED,
		ms: 0,
	});
	const make = linqDeliveries(linqSubs[0].secret, firstDelivery.body);
	for (const [where, proc] of [
		['main', cluster.main],
		['webhook process', webhookProc],
	]) {
		const delivery = make(`evt-${tag}-answer-${where.split(' ')[0]}`);
		const answer = note(delivery.eventId, where, await postDelivery(urlOf(proc), delivery));
		check(
			`${where}: a new event is answered 200 with exactly ${RECEIVED} (${answer.ms} ms)`,
			answer.status === 200 && answer.text === RECEIVED,
			`HTTP ${answer.status} ${answer.text.slice(0, 200)}`,
		);
	}

	// ---- 3. replays and retries within a process ---------------------------------------------
	step('trigger: replays and retries within a process, and a copy to the other process');
	const replay = note(
		first.eventId,
		'main',
		await postDelivery(
			urlOf(cluster.main),
			{ body: firstDelivery.body },
			{ headers: firstDelivery.headers },
		),
	);
	check(
		'main: the exact bytes replayed → 200 {"received":true,"duplicate":true}',
		replay.status === 200 && replay.json?.duplicate === true,
		replay.text,
	);
	// A retry carries the provider's original bytes, signed again.
	const firstAgain = make(first.eventId, firstDelivery.body);
	const retry = note(
		first.eventId,
		'main',
		await postDelivery(urlOf(cluster.main), firstAgain, { headers: firstAgain.headers(5) }),
	);
	check(
		'main: a provider retry (same event and webhook-id, new timestamp and signature) → duplicate',
		retry.status === 200 && retry.json?.duplicate === true,
		retry.text,
	);
	const copy = note(
		first.eventId,
		'webhook process',
		await postDelivery(urlOf(webhookProc), firstAgain),
	);
	// The webhook process never saw it; main saved the seen ids into the workflow's static data
	// when it answered the duplicates, and the webhook process reads static data per request.
	info(`a copy to the webhook process, which never saw it in memory → ${copy.status} ${copy.text}`);
	check(
		'the webhook process: the copy is answered 200 (duplicate through the static data main saved, or an execution that must end at the trigger)',
		copy.status === 200 && (copy.text === RECEIVED || copy.json?.duplicate === true),
		copy.text,
	);
	const copyAgain = note(
		first.eventId,
		'webhook process',
		await postDelivery(urlOf(webhookProc), firstAgain, { headers: firstAgain.headers(10) }),
	);
	check(
		'the webhook process: its own retry of that copy → duplicate',
		copyAgain.status === 200 && copyAgain.json?.duplicate === true,
		copyAgain.text,
	);

	// ---- 4. simultaneous pairs -------------------------------------------------------------
	step(
		`trigger: ${pairs} pairs, the same signed bytes to main and to the webhook process at the same moment`,
	);
	const pairEvents = Array.from({ length: pairs }, (_, i) =>
		make(`evt-${tag}-pair-${String(i).padStart(3, '0')}`),
	);
	t = Date.now();
	const pairAnswers = await sendPairs(pairEvents, urlOf(cluster.main), urlOf(webhookProc), note);
	const pairMs = pairAnswers.flatMap((p) => [p.atMain.ms, p.atWebhook.ms]);
	info(
		`${pairs * 2} deliveries answered in ${secs(Date.now() - t)} (waves of ${WAVE} pairs); answer time median ${percentile(pairMs, 50)} ms, p95 ${percentile(pairMs, 95)} ms, max ${Math.max(...pairMs)} ms`,
	);
	const badPairs = pairAnswers.filter((p) => p.atMain.status !== 200 || p.atWebhook.status !== 200);
	check(
		`all ${pairs * 2} copies answered 200`,
		badPairs.length === 0,
		badPairs
			.slice(0, 5)
			.map((p) => `${p.eventId}: ${p.atMain.status} ${p.atWebhook.status}`)
			.join('\n'),
	);

	// ---- 5. main restarts --------------------------------------------------------------------
	step('trigger: main restarts (watched every 25 ms); a redelivery of an event that ran before it');
	const beforeRestart = make(`evt-${tag}-before-restart`);
	const ranBefore = note(
		beforeRestart.eventId,
		'main',
		await postDelivery(urlOf(cluster.main), beforeRestart),
	);
	check(
		'an event delivered to main before the restart starts an execution',
		ranBefore.text === RECEIVED,
		ranBefore.text,
	);
	await sleep(1500); // let its execution finish before main goes down
	const watcher = watchRestart(cluster.main.baseUrl, path, {
		everyMs: 25,
		others: [webhookProc.baseUrl],
	});
	await sleep(200);
	t = Date.now();
	let restarted = true;
	try {
		await cluster.restartMain();
		await until(
			async () => (await probeDelivery(cluster.main.baseUrl, path)).status === 401,
			60_000,
			25,
		);
	} catch (error) {
		restarted = false;
		check('main restarts', false, error.message);
	}
	await sleep(300);
	const window = restartWindow(await watcher.stop());
	if (!restarted) return;
	const spanText = (span) =>
		span ? `+${span.from}…+${span.to} ms (${span.samples} probes)` : 'none';
	info(
		`main restart, what a delivery to main got (ms after main stopped routing it):\n      ${window.timeline.join('\n      ')}`,
	);
	info(
		`answers a provider does not retry (404, or n8n's 200 "starting up"): ${spanText(window.lost)}; after readiness: ${spanText(window.afterReady)}; the webhook process answered ${JSON.stringify(window.others)} meanwhile`,
	);
	ctx.measured.restart = window;
	check(
		`main's restart measured: ready at +${window.readyAt} ms, the trigger routed again at +${window.routedAt} ms; unretried answers ${spanText(window.lost)}`,
		window.readyAt !== undefined && window.routedAt !== undefined,
		JSON.stringify(window),
	);
	check(
		'the webhook process routed every delivery to the trigger throughout main’s restart (401 to every unsigned probe)',
		window.others.length === 1 && window.others[0] === '401',
		JSON.stringify(window.others),
	);
	check(
		'restarting main created no subscription',
		creates() === createsAfterActivation,
		`${creates() - createsAfterActivation} created`,
	);
	const redelivered = note(
		beforeRestart.eventId,
		'main',
		await postDelivery(urlOf(cluster.main), beforeRestart, { headers: beforeRestart.headers(3) }),
	);
	info(`redelivery after the restart → ${redelivered.status} ${redelivered.text}`);
	check(
		'main after the restart: the redelivery is answered 200',
		redelivered.status === 200,
		redelivered.text,
	);
	const afterRestart = make(`evt-${tag}-after-restart`);
	const ranAfter = note(
		afterRestart.eventId,
		'main',
		await postDelivery(urlOf(cluster.main), afterRestart),
	);
	check(
		'main after the restart: a new event starts an execution',
		ranAfter.text === RECEIVED,
		ranAfter.text,
	);

	// ---- 6. counts from PostgreSQL ------------------------------------------------------------
	step('trigger: executions per event id, from PostgreSQL (execution_entity + execution_data)');
	const started = answers.filter((a) => a.status === 200 && a.text === RECEIVED).length;
	const query = `SELECT e.id, e.status, e.mode, e."startedAt", e."stoppedAt", d.data FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = '${workflow.id}' ORDER BY e.id`;
	let rows = [];
	await until(
		() => {
			rows = ctx.sql(query);
			return (
				rows.length >= started &&
				rows.every((row) => !['new', 'running', 'waiting'].includes(row.status))
			);
		},
		180_000,
		500,
	);
	const metadataRows = ctx.sql(
		`SELECT m."executionId", m.key, m.value FROM execution_metadata m JOIN execution_entity e ON e.id = m."executionId" WHERE e."workflowId" = '${workflow.id}'`,
	);
	const customData = new Map();
	for (const { executionId, key, value } of metadataRows) {
		customData.set(String(executionId), { ...customData.get(String(executionId)), [key]: value });
	}
	const executions = rows.map((row) => ({
		...row,
		...readTriggerExecution(ctx.unflatten(row.data), {
			trigger: LINQ_TRIGGER,
			next: LINQ_NEXT,
			customData: customData.get(String(row.id)),
		}),
	}));
	info(
		`${rows.length} executions of "${workflow.name}" in execution_entity; ${started} deliveries were answered ${RECEIVED} (each starts one); execution_metadata rows: ${metadataRows.length}`,
	);
	check(
		`execution_entity holds exactly one execution per delivery answered ${RECEIVED} (${started})`,
		rows.length === started,
		`${rows.length} executions`,
	);
	const failed = executions.filter((e) => e.status !== 'success');
	check(
		'every one of them succeeded',
		failed.length === 0,
		failed.map((e) => `${e.id} ${e.status} ${e.error ?? ''}`).join('\n'),
	);
	const ranOn = await ctx.ranOn(executions.map((e) => String(e.id)));
	const notOnWorker = executions.filter((e) => !ranOn.get(String(e.id)));
	check(
		'every one ran on a worker (none on main or the webhook process)',
		notOnWorker.length === 0,
		notOnWorker.map((e) => e.id).join(', '),
	);

	const perEvent = new Map();
	const entry = (eventId) => {
		if (!perEvent.has(eventId)) perEvent.set(eventId, { executions: [], continued: 0 });
		return perEvent.get(eventId);
	};
	for (const execution of executions) {
		if (execution.recorded) entry(execution.recorded).executions.push(execution);
		for (const eventId of execution.continued) entry(eventId).continued++;
	}
	const sent = [...new Set(answers.map((a) => a.eventId))];
	const wrong = sent.filter((eventId) => perEvent.get(eventId)?.continued !== 1);
	check(
		`each of the ${sent.length} events continued past the trigger exactly once (the next node received it once)`,
		wrong.length === 0,
		wrong
			.slice(0, 10)
			.map(
				(eventId) =>
					`${eventId}: continued ${perEvent.get(eventId)?.continued ?? 0}×, ${perEvent.get(eventId)?.executions.length ?? 0} executions`,
			)
			.join('\n'),
	);
	const unknown = [...perEvent.keys()].filter((eventId) => !sent.includes(eventId));
	check(
		'no execution is about an event this phase did not send',
		unknown.length === 0,
		unknown.join(', '),
	);
	const inconsistent = executions.filter(
		(e) =>
			!e.recorded ||
			(e.once === 'first') !== e.continued.length > 0 ||
			(e.once === 'duplicate' && e.passed.length > 0) ||
			!['first', 'duplicate'].includes(e.once),
	);
	check(
		'each execution says what it did: "first" ones passed their item on, "duplicate" ones ended at the trigger with no items',
		inconsistent.length === 0,
		inconsistent
			.slice(0, 5)
			.map(
				(e) =>
					`${e.id}: ${JSON.stringify({ recorded: e.recorded, once: e.once, passed: e.passed, continued: e.continued })}`,
			)
			.join('\n'),
	);
	const pairIds = pairEvents.map((d) => d.eventId);
	const distribution = {};
	let crossWorker = 0;
	for (const eventId of pairIds) {
		const list = perEvent.get(eventId)?.executions ?? [];
		distribution[list.length] = (distribution[list.length] ?? 0) + 1;
		if (list.length === 2 && ranOn.get(String(list[0].id)) !== ranOn.get(String(list[1].id)))
			crossWorker++;
	}
	const pairsOk = pairIds.filter((eventId) => perEvent.get(eventId)?.continued === 1).length;
	// Pairs whose two executions were in the trigger's step at the same time: without the lock,
	// n8n's store would have read the same row for both.
	const concurrent = pairIds.filter((eventId) => {
		const [a, b] = (perEvent.get(eventId)?.executions ?? []).map((e) => ({
			start: e.triggerStart,
			ms: e.triggerMs,
		}));
		return overlapped(a, b);
	}).length;
	const gaps = pairIds
		.map((eventId) => perEvent.get(eventId)?.executions ?? [])
		.filter((list) => list.length === 2)
		.map((list) => Math.abs(new Date(list[0].startedAt) - new Date(list[1].startedAt)));
	const duplicates = executions.filter((e) => e.once === 'duplicate');
	const firsts = executions.filter((e) => e.once === 'first');
	const duration = (list) => list.map((e) => new Date(e.stoppedAt) - new Date(e.startedAt));
	info(
		`pairs: ${pairsOk} of ${pairs} continued exactly once; executions per pair ${JSON.stringify(distribution)}; ${crossWorker} pairs ran on the two different workers; in ${concurrent} pairs both executions were inside the trigger's step at the same time; start times of a pair's two executions ${percentile(gaps, 50)} ms apart (median), ${gaps.filter((g) => g <= 50).length} pairs within 50 ms`,
	);
	info(
		`execution time: first ${percentile(duration(firsts), 50)} ms median (p95 ${percentile(duration(firsts), 95)}), duplicate ${percentile(duration(duplicates), 50)} ms median (p95 ${percentile(duration(duplicates), 95)})`,
	);
	ctx.measured.pairs = {
		pairs,
		pairsOk,
		distribution,
		crossWorker,
		concurrent,
		gapMedianMs: percentile(gaps, 50),
	};
	check(
		`${pairs} simultaneous pairs: ${pairsOk} continued exactly once (${JSON.stringify(distribution)} executions per pair, ${crossWorker} pairs split across both workers, ${concurrent} pairs inside the trigger's step at the same time)`,
		pairsOk === pairs && crossWorker > 0 && concurrent > 0,
	);
	const restartEvent = perEvent.get(beforeRestart.eventId);
	check(
		`the event redelivered after main's restart continued once (${restartEvent?.executions.length ?? 0} executions: ${restartEvent?.executions.map((e) => e.once).join(', ')})`,
		restartEvent?.continued === 1,
	);
	const firstEvent = perEvent.get(first.eventId);
	const firstStarted = answers.filter(
		(a) => a.eventId === first.eventId && a.text === RECEIVED,
	).length;
	check(
		`the sandbox's event, replayed and retried on main and copied to the webhook process, continued once (${firstEvent?.executions.length ?? 0} executions for ${firstStarted} deliveries answered ${RECEIVED})`,
		firstEvent?.continued === 1 && firstEvent.executions.length === firstStarted,
	);

	// ---- 7. the control: n8n's Remove Duplicates instead of the trigger's check ----------------
	step(
		`trigger: control — the same ${pairs} pairs to a workflow deduplicating with n8n's Remove Duplicates (no lock)`,
	);
	try {
		const { versionId } = await ctx.api(`/rest/workflows/${CONTROL_WORKFLOW.id}`);
		await ctx.api(`/rest/workflows/${CONTROL_WORKFLOW.id}/activate`, { versionId });
	} catch (error) {
		check(`"${CONTROL_WORKFLOW.name}" activated`, false, error.message);
		return;
	}
	const controlNode = CONTROL_WORKFLOW.nodes[0];
	const controlPath = `${controlNode.webhookId}/webhook`;
	const controlSub = await until(
		() => sandbox.subscriptions('linq').find((sub) => sub.url.endsWith(`/webhook/${controlPath}`)),
		30_000,
	);
	const bothRouted = await until(
		async () =>
			(await routeStatus(cluster.main.baseUrl, controlPath)) === 204 &&
			(await routeStatus(webhookProc.baseUrl, controlPath)) === 204,
		30_000,
		100,
	);
	if (
		!check(
			'the control workflow is active and routed on main and the webhook process',
			Boolean(controlSub && bothRouted),
		)
	)
		return;
	const makeControl = linqDeliveries(controlSub.secret, firstDelivery.body);
	const controlEvents = Array.from({ length: pairs }, (_, i) =>
		makeControl(`evt-${tag}-control-${String(i).padStart(3, '0')}`),
	);
	const controlAnswers = await sendPairs(
		controlEvents,
		`${cluster.main.baseUrl}/webhook/${controlPath}`,
		`${webhookProc.baseUrl}/webhook/${controlPath}`,
	);
	const controlStarted = controlAnswers
		.flatMap((p) => [p.atMain, p.atWebhook])
		.filter((a) => a.text === RECEIVED).length;
	let controlRows = [];
	await until(
		() => {
			controlRows = ctx.sql(
				`SELECT e.id, e.status, d.data FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = '${CONTROL_WORKFLOW.id}'`,
			);
			return (
				controlRows.length >= controlStarted &&
				controlRows.every((row) => !['new', 'running', 'waiting'].includes(row.status))
			);
		},
		180_000,
		500,
	);
	const controlRuns = controlRows.map((row) => {
		const data = ctx.unflatten(row.data);
		const read = readTriggerExecution(data, {
			trigger: 'Control: Remove Duplicates',
			next: 'Control: next',
		});
		return { ...row, ...read, error: read.error };
	});
	const controlContinued = new Map();
	for (const run of controlRuns)
		for (const eventId of run.continued)
			controlContinued.set(eventId, (controlContinued.get(eventId) ?? 0) + 1);
	const twice = controlEvents.filter((d) => (controlContinued.get(d.eventId) ?? 0) > 1).length;
	const never = controlEvents.filter((d) => !controlContinued.get(d.eventId)).length;
	const controlFailed = controlRuns.filter((run) => run.status !== 'success');
	ctx.measured.control = {
		pairs,
		twice,
		never,
		failed: controlFailed.length,
		executions: controlRows.length,
	};
	info(
		`control (Remove Duplicates, n8n's store without a lock): ${controlRows.length} executions for ${controlStarted} deliveries; ${twice} of ${pairs} events ran the workflow twice, ${never} never (${controlFailed.length} executions failed${controlFailed.length ? `: ${[...new Set(controlFailed.map((run) => String(run.error).slice(0, 80)))].join('; ')}` : ''})`,
	);
	check(
		`control measured: with n8n's Remove Duplicates alone, ${twice} of ${pairs} simultaneous pairs ran the workflow twice (the trigger's check: 0)`,
		controlRows.length === controlStarted,
		`${controlRows.length} executions for ${controlStarted} deliveries`,
	);
}
