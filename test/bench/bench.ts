/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, no-console -- benchmark tooling: process.argv, a printed table, one child process per trigger scenario, never shipped */
/**
 * `npm run bench`: bulk throughput of the real Group Chat node through n8n-core's engine
 * against the provider sandbox (loopback HTTP, injected latency, the sandbox's rate limits).
 * Each scenario runs twice in the same process: Concurrency 1 (the sequential baseline) and
 * the default Concurrency 10; the floor is `max(requests × latency / concurrency, requests / rate)`.
 *
 *   npm run bench                      all providers, all scenarios (≈ 22 min on 2 cores)
 *   npm run bench -- --quick           a tenth of the items (≈ 1–2 min)
 *   npm run bench -- linq b-rate       one provider and/or scenario
 *   npm run bench -- t-10000-deliveries   the trigger scenarios (`t-`): signed deliveries to the
 *                                      real Group Chat Trigger (test/bench/trigger-scenarios.ts),
 *                                      each in its own process so its peak RSS is its own
 *
 * Trigger scenarios print verified deliveries per second and peak RSS (in their own process, over
 * the RSS when the measured phase started): t-10000-deliveries (10,000 small signed deliveries in
 * a row) and t-10000-participants (one large signed delivery naming 10,000 participants; per
 * provider, see test/bench/trigger-scenarios.ts).
 *
 * Not a test: nothing here is asserted or timed in `npm test` (test/bench/smoke.test.ts runs a
 * tiny version for correctness only).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';

import { floorMs, runScenario, scenarios, type BenchProvider } from './scenarios';
import {
	TRIGGER_SCENARIOS,
	type TriggerFigures,
	type TriggerScenarioName,
} from './trigger-scenarios';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const providers = (['chert', 'linq', 'periskope'] as BenchProvider[]).filter(
	(name) =>
		!args.some((arg) => ['chert', 'linq', 'periskope'].includes(arg)) || args.includes(name),
);
const only = args.filter((arg) => /^[a-dt]-/.test(arg));

const rows: string[] = [];
const closing: string[] = [];
const pad = (value: string | number, width: number) => String(value).padStart(width);

async function main() {
	if (!only.length || only.some((name) => !name.startsWith('t-'))) await bulk();
	if (!only.length || only.some((name) => name.startsWith('t-'))) await triggers();
	console.log('');
	for (const line of closing) console.log(line);
}

async function bulk() {
	console.log(
		`bench: Group Chat node through n8n-core's WorkflowExecute against the sandbox on loopback${quick ? ' (--quick: 1/10 of the items)' : ''}`,
	);
	console.log(
		`${'provider'.padEnd(10)}${'scenario'.padEnd(16)}${pad('items', 7)}${pad('reqs', 7)}${pad('seq s', 9)}${pad('conc s', 9)}${pad('floor s', 9)}${pad('speedup', 9)}${pad('/floor', 8)}${pad('429 err', 8)}${pad('rss MB', 8)}  checks`,
	);
	for (const provider of providers) {
		for (const spec of scenarios(provider, quick ? 0.1 : 1)) {
			if (only.length && !only.includes(spec.name)) continue;
			const sequential = await runScenario(spec, 1, true);
			const concurrent = await runScenario(spec, spec.concurrency, true);
			const floor = floorMs(spec, concurrent.requests);
			const speedup = sequential.ms / concurrent.ms;
			const ofFloor = floor > 0 ? concurrent.ms / floor : NaN;
			const checks = [
				concurrent.ordered && sequential.ordered ? 'order ok' : 'ORDER WRONG',
				concurrent.applied ? 'applied' : 'NOT APPLIED',
				concurrent.failures === 0
					? 'no failures'
					: `${concurrent.failures} FAILED (${concurrent.firstError?.slice(0, 160)})`,
			].join(', ');
			const row = `${provider.padEnd(10)}${spec.name.padEnd(16)}${pad(spec.items, 7)}${pad(concurrent.requests, 7)}${pad((sequential.ms / 1000).toFixed(1), 9)}${pad((concurrent.ms / 1000).toFixed(1), 9)}${pad((floor / 1000).toFixed(2), 9)}${pad(`${speedup.toFixed(1)}x`, 9)}${pad(Number.isNaN(ofFloor) ? '-' : ofFloor.toFixed(2), 8)}${pad(concurrent.rateLimitFailures, 8)}${pad(`+${Math.max(0, Math.round(concurrent.rssDeltaMb))}`, 8)}  ${checks}`;
			console.log(row);
			rows.push(row);
			closing.push(
				`bench ${provider} ${spec.name}: ${speedup.toFixed(1)}x vs sequential, ${Number.isNaN(ofFloor) ? '-' : ofFloor.toFixed(2)}x the floor, 429s surfaced ${concurrent.rateLimitFailures}, rss +${Math.max(0, Math.round(concurrent.rssDeltaMb))} MB`,
			);
		}
	}
}

/** One trigger scenario in a fresh process (test/bench/trigger-run.ts). */
function runTrigger(
	provider: BenchProvider,
	scenario: TriggerScenarioName,
	count: number,
	repeat: number,
): Promise<TriggerFigures> {
	return new Promise((resolve, reject) => {
		const child = fork(
			join(__dirname, 'trigger-run.ts'),
			[provider, scenario, String(count), String(repeat)],
			{
				execArgv: process.execArgv,
			},
		);
		let answer: TriggerFigures | { error: string } | undefined;
		child.on('message', (message) => {
			answer = message as TriggerFigures | { error: string };
		});
		child.on('error', reject);
		child.on('exit', (code) => {
			if (answer && !('error' in answer)) resolve(answer);
			else
				reject(
					new Error(
						answer && 'error' in answer ? answer.error : `trigger bench exited with ${code}`,
					),
				);
		});
	});
}

async function triggers() {
	const scale = quick ? 0.1 : 1;
	const count = Math.round(10_000 * scale);
	console.log('');
	console.log(
		`bench: Group Chat Trigger's webhook() through n8n-core's WebhookContext, signed deliveries over loopback${quick ? ' (--quick: 1/10)' : ''}`,
	);
	console.log(
		`${'provider'.padEnd(10)}${'scenario'.padEnd(22)}${pad('deliv', 7)}${pad('body kB', 9)}${pad('items', 7)}${pad('s', 8)}${pad('deliv/s', 9)}${pad('rss MB', 8)}${pad('+MB', 6)}${pad('raw max', 9)}  checks`,
	);
	for (const provider of providers) {
		for (const scenario of TRIGGER_SCENARIOS) {
			if (only.length && !only.includes(scenario)) continue;
			const small = scenario === 't-10000-deliveries';
			const figures = await runTrigger(provider, scenario, count, small ? 1 : 3);
			// t-10000-deliveries: the whole run; t-10000-participants: one delivery (the median of 3).
			const seconds = figures.ms / 1000;
			const perSecond = (small ? figures.deliveries : 1) / seconds;
			const extra = Math.max(0, Math.round(figures.rssPeakMb - figures.rssStartMb));
			const checks = figures.ok ? 'all 200, items as expected' : `FAILED (${figures.problem})`;
			console.log(
				`${provider.padEnd(10)}${scenario.padEnd(22)}${pad(figures.deliveries, 7)}${pad((figures.bodyBytes / 1024).toFixed(1), 9)}${pad(figures.items, 7)}${pad(seconds.toFixed(small ? 1 : 3), 8)}${pad(Math.round(perSecond), 9)}${pad(Math.round(figures.rssPeakMb), 8)}${pad(`+${extra}`, 6)}${pad(figures.largestRaw || '-', 9)}  ${checks}`,
			);
			const what = small
				? `${figures.deliveries.toLocaleString('en-US')} signed deliveries of ≤ ${(figures.bodyBytes / 1024).toFixed(1)} kB in a row in ${seconds.toFixed(1)} s`
				: `one signed ${(figures.bodyBytes / 1024).toFixed(0)} kB delivery naming ${count.toLocaleString('en-US')} participants → ${figures.items.toLocaleString('en-US')} item${figures.items === 1 ? '' : 's'} (largest raw ${figures.largestRaw} chars) in ${seconds.toFixed(3)} s`;
			closing.push(
				`bench ${provider} ${scenario}: ${what}, ${Math.round(perSecond).toLocaleString('en-US')} verified deliveries/s, peak rss ${Math.round(figures.rssPeakMb)} MB (+${extra} MB)${figures.ok ? '' : `, FAILED: ${figures.problem}`}`,
			);
		}
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
