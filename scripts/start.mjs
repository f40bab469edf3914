// `npm start`: a local n8n with this package installed, wired to the provider sandbox.
//
//  1. builds dist/ (scripts/build.mjs);
//  2. ensures the cached n8n 2.40.5 on Node 24 (scripts/n8n-runtime.mjs; ~8 min the first time);
//  3. starts the provider sandbox (Chert, Linq, Periskope emulators) on 127.0.0.1:5680;
//  4. installs the package into .n8n-runtime/home/.n8n/nodes/node_modules/n8n-nodes-group-chat
//     and imports the sandbox credentials + examples/group-chat-lifecycle.workflow.json (n8n CLI);
//  5. runs `n8n start` on http://localhost:5678 (owner pre-provisioned from env: sign in, no setup form).
// Ctrl-C stops n8n and the sandbox.
//
// Env: N8N_PORT (5678), SANDBOX_PORT (5680), N8N_RUNNERS_BROKER_PORT (5681).
// Flags: --no-build, --reimport (import the example again even if unchanged; overwrites edits
//        made to it in the editor), --reset (start from an empty n8n user folder), --verbose (n8n log to the console).
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
import { join } from 'node:path';

import {
	EXAMPLE_WORKFLOW,
	importExample,
	loadSandboxModule,
	readExampleWorkflow,
	sandboxCredentials,
} from './n8n-example.mjs';
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

const args = new Set(process.argv.slice(2));
const started = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (message) => console.log(`[start] ${message}`);

function intFromEnv(name, fallback) {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port <= 0 || port > 65535)
		throw new Error(`${name}=${raw} is not a valid port`);
	return port;
}

const n8nPort = intFromEnv('N8N_PORT', 5678);
const sandboxPort = intFromEnv('SANDBOX_PORT', 5680);
const brokerPort = intFromEnv('N8N_RUNNERS_BROKER_PORT', 5681);
const userFolder = join(RUNTIME_DIR, 'home');
const logDir = join(RUNTIME_DIR, 'logs');
const logFile = join(logDir, 'n8n.log');

let sandbox;
let n8n;
let shuttingDown = false;

async function shutdown(code, reason) {
	if (shuttingDown) return;
	shuttingDown = true;
	if (reason) say(reason);
	if (n8n && n8n.exitCode === null && n8n.signalCode === null) {
		say('stopping n8n …');
		n8n.kill('SIGTERM');
		await new Promise((resolveExit) => {
			const timer = setTimeout(() => {
				n8n.kill('SIGKILL');
				resolveExit();
			}, 20_000);
			n8n.once('exit', () => {
				clearTimeout(timer);
				resolveExit();
			});
		});
	}
	if (sandbox) {
		say('stopping the sandbox …');
		await sandbox.stop().catch(() => {});
	}
	process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, () => void shutdown(0, `${signal} received`));
}

function tail(file, lines = 40) {
	try {
		return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

async function main() {
	if (!args.has('--no-build')) {
		const t = Date.now();
		say('building the package (scripts/build.mjs) …');
		const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
			cwd: ROOT,
			stdio: 'inherit',
		});
		if (build.status !== 0) throw new Error(`build failed (exit ${build.status})`);
		say(`build done in ${secs(Date.now() - t)}`);
	}

	let t = Date.now();
	const runtime = await ensureN8n({ log: (m) => say(m) });
	say(`n8n ${runtime.version} on Node ${runtime.nodeVersion} (${secs(Date.now() - t)})`);

	for (const [name, port] of [
		['N8N_PORT', n8nPort],
		['N8N_RUNNERS_BROKER_PORT', brokerPort],
		['SANDBOX_PORT', sandboxPort],
	]) {
		if (!(await isPortFree(port))) {
			throw new Error(
				`port ${port} (${name}) is already in use: stop what runs there or set ${name}=<another port>`,
			);
		}
	}
	if (new Set([n8nPort, brokerPort, sandboxPort]).size !== 3) {
		throw new Error(
			'N8N_PORT, N8N_RUNNERS_BROKER_PORT and SANDBOX_PORT must be three different ports',
		);
	}

	t = Date.now();
	const { startSandbox, DEMO } = await loadSandboxModule();
	sandbox = await startSandbox({ port: sandboxPort, host: '127.0.0.1' });
	say(`provider sandbox on ${sandbox.url} (${secs(Date.now() - t)})`);

	if (args.has('--reset')) {
		say(`--reset: removing ${userFolder}`);
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
		.digest('hex');
	const dbExists = existsSync(join(userFolder, '.n8n', 'database.sqlite'));
	if (
		args.has('--reimport') ||
		!dbExists ||
		!existsSync(importStamp) ||
		readFileSync(importStamp, 'utf8') !== digest
	) {
		t = Date.now();
		say('importing the sandbox credentials and the example workflow (n8n CLI) …');
		await importExample(runtime, env, { sandbox, DEMO, log: (m) => say(`  ${m}`) });
		writeFileSync(importStamp, digest);
		say(`import done in ${secs(Date.now() - t)}`);
	} else {
		say('example workflow and credentials already imported (unchanged; --reimport to force)');
	}

	t = Date.now();
	mkdirSync(logDir, { recursive: true });
	const log = createWriteStream(logFile, { flags: 'w' });
	say(`starting n8n on port ${n8nPort} (log: ${logFile}) …`);
	n8n = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], {
		env,
		cwd: userFolder,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	for (const stream of [n8n.stdout, n8n.stderr]) {
		stream.pipe(log, { end: false });
		if (args.has('--verbose')) stream.pipe(process.stdout, { end: false });
	}
	n8n.on('exit', (code, signal) => {
		if (shuttingDown) return;
		console.error(
			`\n[start] n8n exited (${signal ?? `code ${code}`}). Last lines of ${logFile}:\n${tail(logFile)}`,
		);
		void shutdown(1);
	});

	const baseUrl = `http://127.0.0.1:${n8nPort}`;
	await waitForN8n(baseUrl, { child: n8n, timeoutMs: 240_000 });
	say(`n8n ready in ${secs(Date.now() - t)}`);

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
	if (nodeListed !== 'yes') {
		console.warn(`[start] warning: n8n does not list ${NODE_TYPE} (${nodeListed}); see ${logFile}`);
	}

	const editor = `http://localhost:${n8nPort}`;
	const workflow = readExampleWorkflow();
	console.log(`
────────────────────────────────────────────────────────────────────────────
 n8n ${runtime.version} with n8n-nodes-group-chat is running   (ready in ${secs(Date.now() - started)})

 Editor     ${editor}
 Sign in    ${DEMO_OWNER.email}  /  ${DEMO_OWNER.password}
 Example    ${editor}/workflow/${workflow.id}   ("${workflow.name}")
 Node       "Group Chat" (${NODE_TYPE}), listed: ${nodeListed}

 Run the example: open the link above, click "Execute workflow", then open any
 node to see its output (chatId, status, participants, roster). The three
 credentials point at the provider sandbox:
   Chert      ${sandbox.baseUrls.chert}
   Linq       ${sandbox.baseUrls.linq}
   Periskope  ${sandbox.baseUrls.periskope}
 Every run creates new groups in the sandbox (its state resets when you stop).

 n8n log    ${logFile}
 Press Ctrl-C to stop n8n and the sandbox.
────────────────────────────────────────────────────────────────────────────`);
}

main().catch((error) => {
	console.error(`[start] ${error.message}`);
	void shutdown(1);
});
