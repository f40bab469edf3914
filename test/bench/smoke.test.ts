/**
 * A tiny run of the bench scenarios (test/bench/scenarios.ts): correctness only — every item
 * answered in input order with its pairedItem, every address reported and applied, no
 * failures, Periskope lists in chunks; and the trigger scenarios on a small scale, every delivery
 * verified and turned into its items — never timing (that is `npm run bench`).
 */
import { PERISKOPE_CHUNK } from '../../src/providers/periskope/constants';
import { runScenario, type BenchProvider } from './scenarios';
import { runTriggerScenario } from './trigger-scenarios';

const providers: BenchProvider[] = ['chert', 'linq', 'periskope'];

test.each(providers)(
	'%s: 40 items over 4 groups with latency and a rate limit, concurrency 10',
	async (provider) => {
		const figures = await runScenario(
			{
				name: 'smoke',
				provider,
				items: 40,
				groups: 4,
				addressesPerItem: 1,
				latencyMs: 5,
				ratePerSecond: 25,
				concurrency: 10,
			},
			10,
		);
		expect(figures).toMatchObject({
			ordered: true,
			applied: true,
			failures: 0,
			rateLimitFailures: 0,
		});
		expect(figures.requests).toBeGreaterThanOrEqual(40);
	},
);

test.each(providers)(
	'%s: one item adding 120 addresses keeps every outcome in order',
	async (provider) => {
		const figures = await runScenario(
			{
				name: 'smoke-one-item',
				provider,
				items: 1,
				groups: 1,
				addressesPerItem: 120,
				latencyMs: 0,
				concurrency: 10,
			},
			10,
		);
		expect(figures).toMatchObject({ ordered: true, applied: true, failures: 0 });
		expect(figures.requests).toBe(
			provider === 'periskope' ? Math.ceil(120 / PERISKOPE_CHUNK) : 120,
		);
	},
);

test.each(providers)(
	'%s trigger: 30 signed small deliveries and one naming 300 participants, every one verified and turned into its items',
	async (provider) => {
		const small = await runTriggerScenario(provider, 't-10000-deliveries', 30);
		expect(small).toMatchObject({ ok: true, deliveries: 30, items: 30 });
		const large = await runTriggerScenario(provider, 't-10000-participants', 300, { repeat: 1 });
		expect(large).toMatchObject({ ok: true, items: provider === 'periskope' ? 300 : 1 });
		expect(large.largestRaw).toBeLessThan(provider === 'periskope' ? 1000 : 17_000);
	},
);
