// Linq deliveries made by the tests themselves, for the trigger phases of test:n8n and
// test:queue: the same bytes to several n8n processes at once, a provider's retry after a restart,
// and probes of when n8n's production webhook route exists. Signed exactly as Linq signs
// (Standard Webhooks: HMAC-SHA256 keyed with the base64-decoded `whsec_` secret over
// "<webhook-id>.<timestamp>.<body>"), with the secret the sandbox issued to the subscription.
// Node built-ins only.
import { createHmac } from 'node:crypto';

/**
 * A maker of signed Linq deliveries shaped like `template` (a real delivery body the sandbox
 * sent, so the event is one the trigger accepts): `make(eventId)` gives `{ eventId, body,
 * headers(tsOffsetSeconds = 0) }`; the body is fixed per event id, each `headers()` call signs it
 * anew for "now" (a provider's retry: same event, same webhook-id, new timestamp).
 * `make(eventId, exactBody)` re-signs bytes the provider sent before (its retry of them).
 */
export function linqDeliveries(secret, template) {
	const key = Buffer.from(String(secret).replace(/^whsec_/, ''), 'base64');
	const base = JSON.parse(template);
	return function make(eventId, exactBody) {
		let body = exactBody;
		if (body === undefined) {
			const payload = structuredClone(base);
			payload.event_id = eventId;
			payload.created_at = new Date().toISOString();
			if (payload.data && typeof payload.data === 'object' && 'id' in payload.data)
				payload.data.id = `msg-${eventId}`;
			body = JSON.stringify(payload);
		}
		return {
			eventId,
			body,
			headers(tsOffsetSeconds = 0) {
				const ts = Math.floor(Date.now() / 1000) + tsOffsetSeconds;
				const signature = createHmac('sha256', key)
					.update(`${eventId}.${ts}.${body}`)
					.digest('base64');
				return {
					'content-type': 'application/json',
					'webhook-id': eventId,
					'webhook-timestamp': String(ts),
					'webhook-signature': `v1,${signature}`,
				};
			},
		};
	};
}

/** POSTs one delivery (fresh signature unless `headers` are given); `{ status, text, json, ms }`. */
export async function postDelivery(url, delivery, { headers, timeoutMs = 30_000 } = {}) {
	const started = Date.now();
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers: headers ?? delivery.headers(),
			body: delivery.body,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: res.status, text, json, ms: Date.now() - started };
	} catch (error) {
		return { status: 0, text: error.message, json: undefined, ms: Date.now() - started };
	}
}

/**
 * Whether n8n routes `path` as a production webhook right now: a CORS preflight with an Origin
 * (204 registered, 404 not; n8n answers every preflight without Origin with 204). 0 when nothing
 * answers (process down). Touches no node and starts nothing.
 */
export async function routeStatus(baseUrl, path) {
	try {
		const res = await fetch(`${baseUrl}/webhook/${path}`, {
			method: 'OPTIONS',
			headers: { origin: 'http://localhost', 'access-control-request-method': 'POST' },
			signal: AbortSignal.timeout(2000),
		});
		await res.arrayBuffer();
		return res.status;
	} catch {
		return 0;
	}
}

/**
 * What a provider's delivery to `path` gets right now, without starting anything: an unsigned
 * POST, which the trigger refuses with 401 once n8n routes the URL to it. Other answers: 404 (n8n
 * has no such webhook yet), 200 with "n8n is starting up" (n8n's database middleware while it
 * starts), 503, or 0 when nothing answers. `{ status, text }` (text: the first 60 characters).
 */
export async function probeDelivery(baseUrl, path) {
	try {
		const res = await fetch(`${baseUrl}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
			signal: AbortSignal.timeout(2000),
		});
		return { status: res.status, text: (await res.text()).slice(0, 60) };
	} catch {
		return { status: 0, text: '' };
	}
}

/**
 * Watches an n8n process restart from the outside, every `everyMs`: its readiness endpoint and
 * what a delivery to the trigger's URL gets (probeDelivery), there and on `others` (processes that
 * keep running). `stop()` ends it and returns the samples `{ t, ready, route: {status, text},
 * others: [{status, text}] }`.
 */
export function watchRestart(baseUrl, path, { everyMs = 25, others = [] } = {}) {
	const samples = [];
	let running = true;
	const done = (async () => {
		while (running) {
			const t = Date.now();
			const [ready, route, ...rest] = await Promise.all([
				fetch(`${baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) })
					.then(async (res) => {
						await res.arrayBuffer();
						return res.status;
					})
					.catch(() => 0),
				probeDelivery(baseUrl, path),
				...others.map((other) => probeDelivery(other, path)),
			]);
			samples.push({ t, ready, route, others: rest });
			const wait = everyMs - (Date.now() - t);
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		}
	})();
	return {
		async stop() {
			running = false;
			await done;
			return samples;
		},
	};
}

/** A delivery answer's label: its status, and "starting up" for n8n's 200 while it starts. */
const label = (answer) =>
	answer.status === 200 && /starting up/i.test(answer.text)
		? '200 "n8n is starting up"'
		: answer.status === 404 || answer.status >= 500
			? `${answer.status} ${JSON.stringify(answer.text.slice(0, 50))}`
			: String(answer.status);

/**
 * What the samples of watchRestart say about the restart, in ms from the moment the process
 * stopped routing deliveries to the trigger (`downAt`: the first answer other than 401):
 * `timeline` lists each change of what a delivery got and of readiness; `readyAt` (readiness 200
 * again) and `routedAt` (401 again, for good) are offsets; `lost` is the span in which a delivery
 * got an answer a provider does not retry (404, or n8n's 200 "starting up"), from its first to
 * its last such sample, and `afterReady` the part of it after readiness; `others` are the labels
 * the other processes answered with meanwhile.
 */
export function restartWindow(samples) {
	const downIndex = samples.findIndex((s) => s.route.status !== 401);
	if (downIndex === -1) return { samples: samples.length, timeline: [], others: [] };
	const downAt = samples[downIndex].t;
	const offset = (sample) => (sample ? sample.t - downAt : undefined);
	const timeline = [];
	let lastRoute;
	let lastReady;
	for (const sample of samples.slice(downIndex)) {
		const route = label(sample.route);
		if (route !== lastRoute) timeline.push(`+${sample.t - downAt} ms delivery → ${route}`);
		if (sample.ready !== lastReady)
			timeline.push(`+${sample.t - downAt} ms readiness → ${sample.ready}`);
		lastRoute = route;
		lastReady = sample.ready;
	}
	let routedIndex = -1;
	for (let i = samples.length - 1; i > downIndex && samples[i].route.status === 401; i--)
		routedIndex = i;
	const readyIndex = samples.findIndex((s, i) => i > downIndex && s.ready === 200);
	const unretried = samples.filter(
		(s, i) => i >= downIndex && (s.route.status === 404 || /starting up/i.test(label(s.route))),
	);
	const afterReady = unretried.filter((s) => readyIndex !== -1 && s.t >= samples[readyIndex].t);
	const span = (list) =>
		list.length
			? { from: offset(list[0]), to: offset(list.at(-1)), samples: list.length }
			: undefined;
	return {
		samples: samples.length,
		timeline,
		readyAt: offset(samples[readyIndex]),
		routedAt: offset(samples[routedIndex]),
		lost: span(unretried),
		afterReady: span(afterReady),
		others: [...new Set(samples.flatMap((s) => s.others.map(label)))],
	};
}

/**
 * One stored execution of the trigger example, from its (flatted) execution data: what the
 * trigger recorded (customData groupChatEvent / groupChatOnce, from the data or `customData`), what the trigger passed on, and
 * the event ids of the items the next node received (the proof an execution ran the workflow).
 */
export function readTriggerExecution(data, { trigger, next, customData }) {
	const runData = data?.resultData?.runData ?? {};
	// n8n 2.x keeps customData in the execution data too; 1.x only in execution_metadata (REST: customData).
	const metadata = { ...(customData ?? {}), ...(data?.resultData?.metadata ?? {}) };
	const items = (node, output) =>
		(runData[node]?.[0]?.data?.main?.[output] ?? []).map((entry) => entry?.json ?? {});
	const nextOutputs = runData[next]?.[0]?.data?.main ?? [];
	const continued = nextOutputs.flatMap((_, output) =>
		items(next, output).map((json) => String(json.eventId)),
	);
	const run = runData[trigger]?.[0];
	return {
		/** When the trigger's step ran in this execution (ms since epoch) and for how long. */
		triggerStart: run?.startTime,
		triggerMs: run?.executionTime,
		recorded:
			typeof metadata.groupChatEvent === 'string'
				? metadata.groupChatEvent.replace(/^[a-z]+:/, '')
				: undefined,
		once: metadata.groupChatOnce,
		passed: items(trigger, 0).map((json) => String(json.eventId)),
		continued,
		error: data?.resultData?.error?.message,
	};
}
