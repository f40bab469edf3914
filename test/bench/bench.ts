/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- benchmark tooling: process.argv and a printed table, never shipped */
/**
 * `npm run bench`: bulk throughput of the real Group Chat node through n8n-core's engine
 * against the provider sandbox (loopback HTTP, injected latency, the sandbox's rate limits).
 * Each scenario runs twice in the same process: Concurrency 1 (the sequential baseline) and
 * the default Concurrency 10; the floor is `max(requests × latency / concurrency, requests / rate)`.
 *
 *   npm run bench                      all providers, all scenarios (≈ 22 min on 2 cores)
 *   npm run bench -- --quick           a tenth of the items (≈ 1–2 min)
 *   npm run bench -- linq b-rate       one provider and/or scenario
 *
 * Not a test: nothing here is asserted or timed in `npm test` (test/bench/smoke.test.ts runs a
 * tiny version for correctness only).
 */
import { floorMs, runScenario, scenarios, type BenchProvider } from './scenarios';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const providers = (['chert', 'linq', 'periskope'] as BenchProvider[]).filter(
	(name) => !args.some((arg) => ['chert', 'linq', 'periskope'].includes(arg)) || args.includes(name),
);
const only = args.filter((arg) => /^[a-d]-/.test(arg));

const rows: string[] = [];
const closing: string[] = [];
const pad = (value: string | number, width: number) => String(value).padStart(width);

async function main() {
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
				concurrent.failures === 0 ? 'no failures' : `${concurrent.failures} FAILED (${concurrent.firstError?.slice(0, 160)})`,
			].join(', ');
			const row = `${provider.padEnd(10)}${spec.name.padEnd(16)}${pad(spec.items, 7)}${pad(concurrent.requests, 7)}${pad((sequential.ms / 1000).toFixed(1), 9)}${pad((concurrent.ms / 1000).toFixed(1), 9)}${pad((floor / 1000).toFixed(2), 9)}${pad(`${speedup.toFixed(1)}x`, 9)}${pad(Number.isNaN(ofFloor) ? '-' : ofFloor.toFixed(2), 8)}${pad(concurrent.rateLimitFailures, 8)}${pad(`+${Math.max(0, Math.round(concurrent.rssDeltaMb))}`, 8)}  ${checks}`;
			console.log(row);
			rows.push(row);
			closing.push(
				`bench ${provider} ${spec.name}: ${speedup.toFixed(1)}x vs sequential, ${Number.isNaN(ofFloor) ? '-' : ofFloor.toFixed(2)}x the floor, 429s surfaced ${concurrent.rateLimitFailures}, rss +${Math.max(0, Math.round(concurrent.rssDeltaMb))} MB`,
			);
		}
	}
	console.log('');
	for (const line of closing) console.log(line);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
