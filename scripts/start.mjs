// `npm start`: a local n8n with this package installed, wired to the provider sandbox.
//
//  0. checks all three ports at once, before anything is installed, and names every busy one;
//  1. installs the dependencies when needed (scripts/ensure-deps.mjs) and builds dist/;
//  2. ensures the cached n8n 2.40.5 on Node 24 (scripts/n8n-runtime.mjs; ~8 min the first time);
//  3. starts the provider sandbox (Chert, Linq, Periskope emulators) on 127.0.0.1:5680;
//  4. installs the package into .n8n-runtime/home/.n8n/nodes/node_modules/n8n-nodes-group-chat
//     and imports the sandbox credentials + examples/group-chat-lifecycle.workflow.json (n8n CLI);
//  5. runs `n8n start` on http://localhost:5678 (owner pre-provisioned from env: sign in, no setup form).
// Ctrl-C, SIGTERM or SIGHUP (to this process or to the `npm start` around it) stops n8n, its task
// runner and the sandbox; so does the parent process going away.
//
// Env: N8N_PORT (5678), SANDBOX_PORT (5680), N8N_RUNNERS_BROKER_PORT (5681).
// Flags: --no-build, --reimport (import the example again even if unchanged; overwrites edits
//        made to it in the editor), --reset (start from an empty n8n user folder), --verbose (n8n log to the console).
//
// Also a module: `startStack()` starts the same stack for tests (scripts/test-editor.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	createWriteStream,
	existsSync,
	mkdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
	EXAMPLE_WORKFLOW,
	importExample,
	loadSandboxModule,
	readExampleWorkflow,
	sandboxCredentials,
} from './n8n-example.mjs';
import { TRIGGER_WORKFLOW, importTriggerExample, readTriggerWorkflow } from './trigger-example.mjs';
import {
	DEMO_ENCRYPTION_KEY,
	DEMO_OWNER,
	NODE_TYPE,
	ROOT,
	RUNTIME_DIR,
	ensureN8n,
	installPackageInto,
	isPortFree,
	login,
	n8nEnv,
	waitForN8n,
} from './n8n-runtime.mjs';

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (message) => console.log(`[start] ${message}`);

export const DEFAULT_PORTS = Object.freeze({
	N8N_PORT: 5678,
	SANDBOX_PORT: 5680,
	N8N_RUNNERS_BROKER_PORT: 5681,
});

/** The three ports from env (defaults above); every invalid value is named in one error. */
export function portsFromEnv(env = process.env) {
	const ports = {};
	const problems = [];
	for (const [name, fallback] of Object.entries(DEFAULT_PORTS)) {
		const raw = env[name];
		if (raw === undefined || raw === '') {
			ports[name] = fallback;
			continue;
		}
		const port = Number(raw);
		if (!Number.isInteger(port) || port <= 0 || port > 65535)
			problems.push(`${name}=${raw} is not a valid port`);
		else ports[name] = port;
	}
	if (problems.length) throw new Error(problems.join('; '));
	return ports;
}

/**
 * Checks every port at once; throws one error naming all busy ones (and duplicates).
 * @param {Record<string, number>} ports e.g. { N8N_PORT: 5678, SANDBOX_PORT: 5680, … }
 */
export async function checkPorts(ports) {
	const entries = Object.entries(ports);
	const byPort = new Map();
	for (const [name, port] of entries) byPort.set(port, [...(byPort.get(port) ?? []), name]);
	const duplicates = [...byPort.entries()].filter(([, names]) => names.length > 1);
	if (duplicates.length) {
		throw new Error(
			`${duplicates.map(([port, names]) => `${names.join(' and ')} are both ${port}`).join('; ')}: each needs its own port`,
		);
	}
	const free = await Promise.all(entries.map(([, port]) => isPortFree(port)));
	const busy = entries.filter((_, index) => !free[index]);
	if (busy.length) {
		const list = busy.map(([name, port]) => `${port} (${name})`).join(', ');
		const fix = busy.map(([name]) => `${name}=<another port>`).join(' ');
		throw new Error(
			`${busy.length === 1 ? 'port' : 'ports'} ${list} ${busy.length === 1 ? 'is' : 'are'} already in use: ` +
				`stop what runs there, or start with ${fix} npm start`,
		);
	}
}

function tail(file, lines = 40) {
	try {
		return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

function alive(child) {
	return Boolean(child) && child.exitCode === null && child.signalCode === null;
}

/** Signals n8n's whole process group (n8n and its task runner); ignores a group already gone. */
function killGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch {
		// the group has exited
	}
}

/**
 * Starts the sandbox and n8n with the package, its credentials and the example workflow, the
 * way `npm start` does. `stop()` may be called at any moment (also while starting): it stops
 * n8n (SIGTERM to n8n, then SIGKILL to its process group after `stopTimeoutMs`) and the sandbox.
 *
 * @param {object} options
 * @param {number} options.n8nPort
 * @param {number} options.sandboxPort
 * @param {number} options.brokerPort
 * @param {string} [options.userFolder] N8N_USER_FOLDER (default .n8n-runtime/home)
 * @param {string} [options.logFile] where n8n's output goes (default <runtime>/logs/n8n.log)
 * @param {boolean} [options.build] build dist/ first (default true)
 * @param {boolean} [options.reset] empty the user folder first
 * @param {boolean} [options.reimport] import the example even if unchanged
 * @param {boolean} [options.verbose] also copy n8n's output to this process's stdout
 * @param {(message: string) => void} [options.log]
 * @param {(code: number|null, signal: string|null) => void} [options.onUnexpectedExit]
 */
export function createStack({
	n8nPort,
	sandboxPort,
	brokerPort,
	userFolder = join(RUNTIME_DIR, 'home'),
	logFile = join(RUNTIME_DIR, 'logs', 'n8n.log'),
	build = true,
	reset = false,
	reimport = false,
	verbose = false,
	log = say,
	onUnexpectedExit,
	stopTimeoutMs = 20_000,
}) {
	const state = { sandbox: undefined, n8n: undefined, stopping: false, stopped: undefined };
	const abortIfStopping = () => {
		if (state.stopping) throw new Error('stopped while starting');
	};
	// Last resort if this process exits without stop(): n8n must not outlive it.
	const onExit = () => {
		if (alive(state.n8n)) killGroup(state.n8n, 'SIGKILL');
	};
	process.on('exit', onExit);

	async function stop() {
		if (state.stopped) return state.stopped;
		state.stopping = true;
		state.stopped = (async () => {
			const { n8n, sandbox } = state;
			if (alive(n8n)) {
				log('stopping n8n …');
				const exited = new Promise((resolveExit) => n8n.once('exit', resolveExit));
				n8n.kill('SIGTERM');
				const timer = new Promise((resolveTimer) => {
					setTimeout(() => resolveTimer('timeout'), stopTimeoutMs).unref();
				});
				if ((await Promise.race([exited, timer])) === 'timeout') {
					log(`n8n did not stop within ${secs(stopTimeoutMs)}; killing it`);
				}
			}
			// The task runner (and anything else n8n started) is in n8n's process group.
			if (n8n) killGroup(n8n, 'SIGKILL');
			if (sandbox) {
				log('stopping the sandbox …');
				await sandbox.stop().catch(() => {});
			}
			process.off('exit', onExit);
		})();
		return state.stopped;
	}

	async function start() {
		if (build) {
			const t = Date.now();
			log('building the package (scripts/build.mjs) …');
			const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
				cwd: ROOT,
				stdio: 'inherit',
			});
			if (result.status !== 0) throw new Error(`build failed (exit ${result.status})`);
			log(`build done in ${secs(Date.now() - t)}`);
		}
		abortIfStopping();

		let t = Date.now();
		const runtime = await ensureN8n({ log });
		log(`n8n ${runtime.version} on Node ${runtime.nodeVersion} (${secs(Date.now() - t)})`);
		abortIfStopping();

		t = Date.now();
		const { startSandbox, DEMO } = await loadSandboxModule();
		const sandbox = await startSandbox({ port: sandboxPort, host: '127.0.0.1' });
		state.sandbox = sandbox;
		log(`provider sandbox on ${sandbox.url} (${secs(Date.now() - t)})`);
		abortIfStopping();

		if (reset) {
			log(`--reset: removing ${userFolder}`);
			rmSync(userFolder, { recursive: true, force: true });
		}
		mkdirSync(userFolder, { recursive: true });
		installPackageInto(userFolder);
		const env = n8nEnv({
			userFolder,
			port: n8nPort,
			brokerPort,
			encryptionKey: DEMO_ENCRYPTION_KEY,
			owner: DEMO_OWNER,
		});

		// Import only when the example or the sandbox URLs changed: re-runs stay fast and edits
		// made in the editor survive a restart. Imports are idempotent (fixed ids) either way.
		const importStamp = join(userFolder, 'example-import.sha256');
		const digest = createHash('sha256')
			.update(JSON.stringify(sandboxCredentials(sandbox, DEMO)))
			.update(readFileSync(EXAMPLE_WORKFLOW))
			.update(readFileSync(TRIGGER_WORKFLOW))
			.digest('hex');
		const dbExists = existsSync(join(userFolder, '.n8n', 'database.sqlite'));
		if (
			reimport ||
			!dbExists ||
			!existsSync(importStamp) ||
			readFileSync(importStamp, 'utf8') !== digest
		) {
			t = Date.now();
			log('importing the sandbox credentials and the example workflow (n8n CLI) …');
			await importExample(runtime, env, { sandbox, DEMO, log: (m) => log(`  ${m}`) });
			// The Group Chat Trigger example, published: n8n activates it at start-up, which
			// creates its webhook subscriptions at the sandbox.
			await importTriggerExample(runtime, env, { log: (m) => log(`  ${m}`) });
			writeFileSync(importStamp, digest);
			log(`import done in ${secs(Date.now() - t)}`);
		} else {
			log('example workflow and credentials already imported (unchanged; --reimport to force)');
		}
		abortIfStopping();

		t = Date.now();
		mkdirSync(dirname(logFile), { recursive: true });
		const output = createWriteStream(logFile, { flags: 'w' });
		log(`starting n8n on port ${n8nPort} (log: ${logFile}) …`);
		// Its own process group: a terminal's Ctrl-C reaches this process only, which stops n8n
		// in order, and stop() can reach n8n's task runner through the group.
		const n8n = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], {
			env,
			cwd: userFolder,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		state.n8n = n8n;
		for (const stream of [n8n.stdout, n8n.stderr]) {
			stream.pipe(output, { end: false });
			if (verbose) stream.pipe(process.stdout, { end: false });
		}
		n8n.on('exit', (code, signal) => {
			if (state.stopping) return;
			console.error(
				`\n[start] n8n exited (${signal ?? `code ${code}`}). Last lines of ${logFile}:\n${tail(logFile)}`,
			);
			onUnexpectedExit?.(code, signal);
		});

		const baseUrl = `http://127.0.0.1:${n8nPort}`;
		await waitForN8n(baseUrl, { child: n8n, timeoutMs: 240_000 });
		log(`n8n ready in ${secs(Date.now() - t)}`);

		let nodeListed = 'not checked';
		try {
			const cookie = await login(baseUrl, DEMO_OWNER);
			const nodes = await (
				await fetch(`${baseUrl}/types/nodes.json`, { headers: { cookie } })
			).json();
			nodeListed = nodes.some((n) => n.name === NODE_TYPE) ? 'yes' : 'NO';
		} catch (error) {
			nodeListed = `could not check (${error.message})`;
		}
		return {
			runtime,
			sandbox,
			n8n,
			baseUrl,
			editorUrl: `http://localhost:${n8nPort}`,
			workflow: readExampleWorkflow(),
			nodeListed,
			logFile,
			userFolder,
		};
	}

	return { start, stop, state };
}

/** createStack() + start(); stops what was started when starting fails. */
export async function startStack(options) {
	const stack = createStack(options);
	try {
		return { ...(await stack.start()), stop: stack.stop };
	} catch (error) {
		await stack.stop();
		throw error;
	}
}

// ---- CLI (`npm start`) ----------------------------------------------------------------------
/** The parent pid of `pid` from /proc (Linux); undefined elsewhere or when it is gone. */
function parentOf(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// "pid (comm) state ppid …": comm may contain spaces and parentheses.
		const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
	} catch {
		return undefined;
	}
}

async function cli() {
	const args = new Set(process.argv.slice(2));
	const started = Date.now();
	let stack;
	let shuttingDown = false;

	async function shutdown(code, reason) {
		if (shuttingDown) return;
		shuttingDown = true;
		if (reason) say(reason);
		if (stack) await stack.stop();
		process.exit(code);
	}
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, () => void shutdown(0, `${signal} received`));
	}
	// `npm start` is npm → sh → node. npm forwards SIGINT/SIGTERM to sh, which dies without
	// passing them on; SIGHUP kills npm alone and leaves sh waiting. Either way an ancestor goes
	// away: this process or sh is re-parented. That means the same as a signal.
	const parent = process.ppid;
	const grandparent = parentOf(parent);
	setInterval(() => {
		if (process.ppid !== parent) void shutdown(0, `parent process ${parent} exited`);
		else if (grandparent !== undefined && parentOf(parent) !== grandparent)
			void shutdown(0, `process ${grandparent} (npm) exited`);
	}, 500).unref();

	try {
		// Before anything slow: every port, all at once, one message.
		const ports = portsFromEnv();
		await checkPorts(ports);

		const { ensureDeps } = await import('./ensure-deps.mjs');
		ensureDeps({ log: say });

		stack = createStack({
			n8nPort: ports.N8N_PORT,
			sandboxPort: ports.SANDBOX_PORT,
			brokerPort: ports.N8N_RUNNERS_BROKER_PORT,
			build: !args.has('--no-build'),
			reset: args.has('--reset'),
			reimport: args.has('--reimport'),
			verbose: args.has('--verbose'),
			onUnexpectedExit: () => void shutdown(1),
		});
		const info = await stack.start();
		if (info.nodeListed !== 'yes') {
			console.warn(
				`[start] warning: n8n does not list ${NODE_TYPE} (${info.nodeListed}); see ${info.logFile}`,
			);
		}
		const { editorUrl: editor, workflow, sandbox, runtime } = info;
		console.log(`
────────────────────────────────────────────────────────────────────────────
 n8n ${runtime.version} with n8n-nodes-group-chat is running   (ready in ${secs(Date.now() - started)})

 Editor     ${editor}
 Sign in    ${DEMO_OWNER.email}  /  ${DEMO_OWNER.password}
 Example    ${editor}/workflow/${workflow.id}   ("${workflow.name}")
 Node       "Group Chat" (${NODE_TYPE}), listed: ${info.nodeListed}
 Events     ${editor}/workflow/${readTriggerWorkflow().id}   ("${readTriggerWorkflow().name}", active)

 Run the example: open the link above, click "Execute workflow", then open any
 node to see its output (chatId, status, participants, roster). The three
 credentials point at the provider sandbox on ${sandbox.url}:
   Chert      ${sandbox.baseUrls.chert}
   Linq       ${sandbox.baseUrls.linq}
   Periskope  ${sandbox.baseUrls.periskope}
 Every run creates new groups in the sandbox (its state resets when you stop).
 Each change also reaches the active "${readTriggerWorkflow().name}" workflow as a signed
 webhook: see its Executions tab (one execution per event).

 n8n log    ${info.logFile}
 Press Ctrl-C to stop n8n and the sandbox.
────────────────────────────────────────────────────────────────────────────`);
	} catch (error) {
		if (shuttingDown) return;
		console.error(`[start] ${error.message}`);
		await shutdown(1);
	}
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	await cli();
}
