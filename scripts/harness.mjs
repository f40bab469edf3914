// The harness of the real-n8n runs (test-n8n.mjs with its trigger phase test-n8n-trigger.mjs,
// test-editor.mjs, test-queue.mjs): checks printed and counted as they run, one summary at the
// end (CI reads its last line, `<label>: N passed, M failed`), the build as a check, `n8n start`
// as a child process, and n8n's REST API as the editor calls it.
// Node built-ins only: these scripts run before (and without) the project's dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = dirname(fileURLToPath(import.meta.url));

export const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A heading: `▸ message`. */
export const step = (message) => console.log(`\n▸ ${message}`);
/** A line under a heading. */
export const info = (message) => console.log(`  ${message}`);
export const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
export const sorted = (list) => [...list].sort();

/** The JSON value of a text, or undefined when it is not JSON. */
export function parseJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * The checks of one run. `check(name, ok, detail)` prints ✓ or ✗ (with the detail, indented)
 * and counts; it returns ok. `run(main)` runs the script's main: an exception is one failed
 * check, "test run completed". `finish(label)` prints the failures' first lines, the total
 * time and `<label>: N passed, M failed`, and exits with 1 on any failure.
 */
export function createChecks() {
	const started = Date.now();
	let passed = 0;
	let failed = 0;
	const failures = [];
	function check(name, ok, detail = '') {
		if (ok) {
			passed++;
			console.log(`  ✓ ${name}`);
		} else {
			failed++;
			failures.push(`${name}${detail ? `: ${detail}` : ''}`);
			console.log(
				`  ✗ ${name}${detail ? `\n      ${String(detail).split('\n').join('\n      ')}` : ''}`,
			);
		}
		return ok;
	}
	return {
		check,
		/** How many checks failed so far. */
		get failed() {
			return failed;
		},
		async run(main) {
			try {
				await main();
			} catch (error) {
				check('test run completed', false, error.stack ?? String(error));
			}
		},
		finish(label) {
			console.log(
				`\n${failures.length ? `Failures:\n${failures.map((f) => `  - ${f.split('\n')[0]}`).join('\n')}\n\n` : ''}Total time ${secs(Date.now() - started)}`,
			);
			console.log(`${label}: ${passed} passed, ${failed} failed`);
			process.exit(failed > 0 ? 1 : 0);
		},
	};
}

/** `npm run build` (scripts/build.mjs) as the check "npm run build"; returns whether it passed. */
export function checkBuild(check) {
	step('build');
	const t = Date.now();
	const build = spawnSync(process.execPath, [join(SCRIPTS, 'build.mjs')], {
		cwd: join(SCRIPTS, '..'),
		stdio: 'inherit',
	});
	if (!check('npm run build', build.status === 0, `exit ${build.status}`)) return false;
	info(`built in ${secs(Date.now() - t)}`);
	return true;
}

/**
 * `n8n start` in `env` (its user folder as working directory), output kept in memory.
 * `stop()` sends SIGTERM, SIGKILL after 15 s, and resolves once it has exited.
 */
export function startN8n(runtime, env) {
	const child = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], {
		env,
		cwd: env.N8N_USER_FOLDER,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const output = [];
	child.stdout.on('data', (d) => output.push(d));
	child.stderr.on('data', (d) => output.push(d));
	const text = () => Buffer.concat(output).toString('utf8');
	return {
		child,
		/** Everything it printed so far. */
		output: text,
		/** Its last `lines` lines. */
		tail: (lines = 30) => text().split('\n').slice(-lines).join('\n'),
		stop() {
			child.kill('SIGTERM');
			return new Promise((resolveExit) => {
				if (child.exitCode !== null) return resolveExit();
				const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
				child.on('exit', () => {
					clearTimeout(timer);
					resolveExit();
				});
			});
		},
	};
}

/**
 * One call to n8n's REST API as the editor makes it (session cookie, browser-id): GET without a
 * body, POST with one. Returns the answer's `data`; throws on an HTTP error.
 */
export async function restApi(
	baseUrl,
	cookie,
	path,
	body,
	{ browserId = 'test-n8n', timeoutMs } = {},
) {
	const res = await fetch(`${baseUrl}${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { cookie, 'content-type': 'application/json', 'browser-id': browserId },
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
	return parseJson(text)?.data;
}

/**
 * The editor's "Execute workflow" from `triggerName` (REST /rest/workflows/:id/run). n8n 1.x
 * takes the workflow in the request, as its editor sends it (runtime.runSendsWorkflow).
 * Returns the execution id.
 */
export async function runFromEditor(baseUrl, cookie, runtime, workflowId, triggerName) {
	const body = { triggerToStartFrom: { name: triggerName } };
	if (runtime.runSendsWorkflow) {
		body.workflowData = await restApi(baseUrl, cookie, `/rest/workflows/${workflowId}`);
	}
	const result = await restApi(baseUrl, cookie, `/rest/workflows/${workflowId}/run`, body);
	if (!result?.executionId)
		throw new Error(
			`/rest/workflows/${workflowId}/run answered without an execution id: ${JSON.stringify(result)}`,
		);
	return result.executionId;
}

/** Polls /rest/executions/:id until it has finished (or `timeoutMs` passed); returns it. */
export async function waitForExecution(baseUrl, cookie, executionId, { timeoutMs = 120_000 } = {}) {
	let execution;
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		execution = await restApi(baseUrl, cookie, `/rest/executions/${executionId}`);
		if (
			execution?.finished ||
			['success', 'error', 'crashed', 'canceled'].includes(execution?.status)
		)
			break;
		await sleep(300);
	}
	return execution;
}

/**
 * The credential's "Test connection" as the editor sends it: the stored data with secrets
 * redacted (n8n fills them in). Returns `{ stored, result }`; result.status is 'OK' on success.
 */
export async function testCredential(baseUrl, cookie, id) {
	const stored = await restApi(baseUrl, cookie, `/rest/credentials/${id}?includeData=true`);
	const result = await restApi(baseUrl, cookie, '/rest/credentials/test', {
		credentials: { id, name: stored.name, type: stored.type, data: stored.data },
	});
	return { stored, result };
}
