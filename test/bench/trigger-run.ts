/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark tooling: process.argv, memory figures and IPC, never shipped */
/**
 * One trigger scenario in a fresh process (started by test/bench/bench.ts), so its peak RSS is
 * its own: the highest of the RSS sampled while it runs and of the process's maximum resident
 * set once it is done (which also catches a peak inside one synchronous delivery).
 * Answers with TriggerFigures over IPC.
 */
import {
	runTriggerScenario,
	type TriggerFigures,
	type TriggerProvider,
	type TriggerScenarioName,
} from './trigger-scenarios';

const [provider, scenario, count, repeat] = process.argv.slice(2);
const mb = (bytes: number) => bytes / 1024 / 1024;

async function main() {
	let rssStart = 0;
	let maxRssAtStart = 0;
	let peak = 0;
	const sample = (phase: 'start' | 'tick' | 'between') => {
		if (phase === 'between') global.gc?.();
		if (phase === 'start') {
			global.gc?.();
			rssStart = process.memoryUsage().rss;
			maxRssAtStart = process.resourceUsage().maxRSS * 1024;
			peak = rssStart;
		} else if (rssStart) peak = Math.max(peak, process.memoryUsage().rss);
	};
	const timer = setInterval(() => sample('tick'), 5);
	const figures = await runTriggerScenario(
		provider as TriggerProvider,
		scenario as TriggerScenarioName,
		Number(count),
		{
			repeat: Number(repeat),
			sample: (phase) => sample(phase),
		},
	);
	clearInterval(timer);
	peak = Math.max(peak, process.memoryUsage().rss);
	const maxRss = process.resourceUsage().maxRSS * 1024;
	// The process's own maximum counts only when the scenario raised it (setup may have peaked higher).
	if (maxRss > maxRssAtStart) peak = Math.max(peak, maxRss);
	const result: TriggerFigures = { ...figures, rssStartMb: mb(rssStart), rssPeakMb: mb(peak) };
	process.send?.(result);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.send?.({
			error: error instanceof Error ? (error.stack ?? error.message) : String(error),
		});
		process.exit(1);
	},
);
