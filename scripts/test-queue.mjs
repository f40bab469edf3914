// `npm run test:queue`: the package in n8n's queue mode, for real.
//
//  1. builds dist/, finds PostgreSQL and Redis (Debian's packages: apt-get install -y postgresql
//     redis-server) and starts them on loopback, data in the git-ignored .queue-runtime/;
//  2. starts the provider sandbox in-process (through tsx) and ensures the cached n8n 2.40.5;
//  3. imports the sandbox credentials and three workflows through the n8n CLI: the manual
//     lifecycle example and the two queue-mode examples (production webhooks, activated through
//     main's REST API once main runs);
//  4. phase 1, the detector: main + ONE worker that lacks the package. A webhook call must come
//     back failed, dequeued by that worker with "Unrecognized node type", and the same check
//     that later passes the healthy cluster must flag it (nothing may reach the sandbox);
//  5. phase 2: that worker stops, two workers with the package start (`n8n worker`, each its
//     own user folder with the package in .n8n/nodes/node_modules). Through main: the
//     lifecycle webhook once per provider, an offloaded manual run of the lifecycle example,
//     and a bulk of concurrent webhook calls that each create + rename one Chert group;
//  6. checks: every execution was dequeued by exactly one worker (its n8nEventLog-worker.log
//     `n8n.queue.job.dequeued` and its log line "Worker started execution"), none by main,
//     all succeeded (REST /rest/executions), the bulk was split across both workers, and the
//     sandbox's final state: rosters, names, our line gone, each bulk group created once and
//     renamed once;
//  7. the trigger phase (scripts/test-queue-trigger.mjs, issue 18): the Group Chat Trigger
//     example activated through main, an `n8n webhook` process next to main, replays and retries
//     within a process, many pairs of simultaneous copies to main and the webhook process, a main
//     restart (its 404 window measured) and a redelivery after it; executions per event id counted
//     from PostgreSQL: each event continued past the trigger exactly once.
// Everything started here is stopped at the end, also on failure and on SIGINT/SIGTERM.
// Last line: `queue: N passed, M failed`; exit code 1 on any failure.
//
// Flags: --no-build, --bulk=N (default 12), --pairs=N (trigger phase, default 60), --skip-trigger;
// --sync-examples copies the manual lifecycle example's
// Group Chat nodes into examples/group-chat-queue-lifecycle.workflow.json and exits.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	appendFileSync,
	chmodSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { delimiter, join } from 'node:path';

import {
	checkBuild,
	createChecks,
	info,
	parseJson,
	restApi,
	same,
	secs,
	sleep,
	sorted,
	step,
} from './harness.mjs';
import { loadSandboxModule, readExampleWorkflow, sandboxCredentials } from './n8n-example.mjs';
import { CONTROL_WORKFLOW, checkQueueTriggerPhase } from './test-queue-trigger.mjs';
import { readTriggerWorkflow } from './trigger-example.mjs';
import {
	DEMO_OWNER,
	ROOT,
	ensureN8n,
	freePort,
	installPackageInto,
	login,
	n8nEnv,
	runN8nChecked,
	waitForN8n,
} from './n8n-runtime.mjs';

const args = process.argv.slice(2);
const BULK = Number(args.find((a) => a.startsWith('--bulk='))?.split('=')[1] ?? 12);
const PAIRS = Number(args.find((a) => a.startsWith('--pairs='))?.split('=')[1] ?? 60);
const QUEUE_DIR = join(ROOT, '.queue-runtime');
const RUN_DIR = join(QUEUE_DIR, 'run');
const LOCK_FILE = join(QUEUE_DIR, 'lock.pid');
const WORKER_CONCURRENCY = 5; // below 5 n8n warns; 5 still forces a burst of 12 onto both workers
const LIFECYCLE_WF = JSON.parse(
	readFileSync(join(ROOT, 'examples', 'group-chat-queue-lifecycle.workflow.json'), 'utf8'),
);
const BULK_WF = JSON.parse(
	readFileSync(join(ROOT, 'examples', 'group-chat-queue-bulk.workflow.json'), 'utf8'),
);
const MANUAL_WF = readExampleWorkflow();
const LIFECYCLE_FILE = join(ROOT, 'examples', 'group-chat-queue-lifecycle.workflow.json');
const GROUP_CHAT = 'n8n-nodes-group-chat.groupChat';

/**
 * The queue-mode lifecycle example is the manual lifecycle example behind a Webhook + Switch:
 * its Group Chat nodes must stay what the manual example has (names, parameters, credentials).
 * `--sync-examples` copies them over (keeping ids and positions) when the node's parameters change.
 */
function lifecycleDrift(queueWf = LIFECYCLE_WF) {
	const shape = (n) => JSON.stringify([n.name, n.typeVersion, n.parameters, n.credentials]);
	const source = MANUAL_WF.nodes.filter((n) => n.type === GROUP_CHAT);
	const copy = new Map(queueWf.nodes.filter((n) => n.type === GROUP_CHAT).map((n) => [n.name, n]));
	return source
		.filter((n) => !copy.has(n.name) || shape(copy.get(n.name)) !== shape(n))
		.map((n) => n.name);
}

function syncLifecycleExample() {
	const source = new Map(
		MANUAL_WF.nodes.filter((n) => n.type === GROUP_CHAT).map((n) => [n.name, n]),
	);
	LIFECYCLE_WF.nodes = LIFECYCLE_WF.nodes.map((n) => {
		const from = n.type === GROUP_CHAT ? source.get(n.name) : undefined;
		return from ? { ...from, id: n.id, position: n.position } : n;
	});
	writeFileSync(LIFECYCLE_FILE, `${JSON.stringify(LIFECYCLE_WF, null, '\t')}\n`);
}

const checks = createChecks();
const { check } = checks;

/** What the lifecycle workflow leaves behind per provider (same numbers as the manual example). */
const LIFECYCLE = {
	chert: { label: 'Chert', final: ['+14155550142', '+14155550143', '+14155550144'] },
	linq: { label: 'Linq', final: ['+14155550172', '+14155550173', '+14155550174'] },
	periskope: { label: 'Periskope', final: ['14155550185', '14155550186', '14155550187'] },
};

// ---- everything this run starts, and stopping it ----------------------------------------

const children = new Set(); // { name, child, exited: Promise }
let postgres; // { bin, data, asPostgres }
let cleaning;

function stopChild(entry, timeoutMs = 15_000) {
	const { child } = entry;
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	// Each n8n process is a group leader (detached): its task runner goes with it.
	try {
		process.kill(-child.pid, 'SIGTERM');
	} catch {
		child.kill('SIGTERM');
	}
	const timer = setTimeout(() => {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			child.kill('SIGKILL');
		}
	}, timeoutMs);
	return entry.exited.finally(() => clearTimeout(timer));
}

async function cleanup() {
	cleaning ??= (async () => {
		await Promise.all([...children].map((entry) => stopChild(entry)));
		if (postgres) {
			runAs(postgres, join(postgres.bin, 'pg_ctl'), ['-D', postgres.data, '-m', 'fast', 'stop']);
			postgres = undefined;
		}
		releaseLock();
	})();
	return cleaning;
}

function lastResortCleanup() {
	for (const { child } of children) {
		if (child.exitCode === null && child.signalCode === null) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// gone
			}
		}
	}
	if (postgres)
		runAs(postgres, join(postgres.bin, 'pg_ctl'), ['-D', postgres.data, '-m', 'immediate', 'stop']);
	releaseLock();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.once(signal, () => {
		console.log(`\n${signal}: stopping n8n, Redis and PostgreSQL …`);
		cleanup().finally(() => process.exit(130));
	});
}
process.once('exit', lastResortCleanup);

/** Spawns a long-running process in its own process group, its output going to `logFile`. */
function startProcess(name, cmd, cmdArgs, { env, cwd, logFile }) {
	const out = createWriteStream(logFile);
	const child = spawn(cmd, cmdArgs, {
		env,
		cwd,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const text = [];
	const collect = (d) => {
		text.push(d);
		out.write(d);
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	const exited = new Promise((resolveExit) =>
		child.on('exit', () => {
			out.end();
			resolveExit();
		}),
	);
	child.on('error', (error) => out.write(`\n[spawn error] ${error.message}\n`));
	const entry = {
		name,
		child,
		exited,
		output: () => Buffer.concat(text).toString('utf8'),
		tail: (n = 30) => Buffer.concat(text).toString('utf8').trim().split('\n').slice(-n).join('\n'),
	};
	children.add(entry);
	return entry;
}

// ---- PostgreSQL and Redis ------------------------------------------------------------------

function which(name, extraDirs = []) {
	const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
	for (const dir of dirs) {
		if (dir && existsSync(join(dir, name))) return join(dir, name);
	}
	return undefined;
}

/** Debian puts the server binaries in /usr/lib/postgresql/<major>/bin (not on PATH). */
function findPostgresBin() {
	const base = '/usr/lib/postgresql';
	if (existsSync(base)) {
		const majors = readdirSync(base)
			.filter((v) => /^\d+$/.test(v))
			.sort((a, b) => Number(b) - Number(a));
		for (const major of majors) {
			const bin = join(base, major, 'bin');
			if (['initdb', 'pg_ctl', 'psql'].every((b) => existsSync(join(bin, b)))) return bin;
		}
	}
	const initdb = which('initdb');
	return initdb && which('pg_ctl') && which('psql') ? join(initdb, '..') : undefined;
}

/** initdb and the server refuse to run as root: as root, run them as the `postgres` user. */
function runAs(pg, cmd, cmdArgs, options = {}) {
	const [file, argv] = pg.asPostgres
		? ['runuser', ['-u', 'postgres', '--', cmd, ...cmdArgs]]
		: [cmd, cmdArgs];
	return spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000, ...options });
}

async function startPostgres(bin, port) {
	const asPostgres = process.getuid?.() === 0;
	const dir = join(RUN_DIR, 'postgres');
	const data = join(dir, 'data');
	mkdirSync(dir, { recursive: true });
	const superPassword = randomBytes(18).toString('base64url');
	const pwfile = join(dir, 'pwfile');
	writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
	if (asPostgres) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
	const pg = { bin, data, asPostgres };
	const init = runAs(pg, join(bin, 'initdb'), [
		'-D',
		data,
		'-U',
		'postgres',
		`--pwfile=${pwfile}`,
		'--auth=scram-sha-256',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	rmSync(pwfile, { force: true });
	if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
	appendFileSync(
		join(data, 'postgresql.conf'),
		[
			'',
			'# scripts/test-queue.mjs: loopback only, throwaway data',
			"listen_addresses = '127.0.0.1'",
			`port = ${port}`,
			"unix_socket_directories = ''",
			'fsync = off',
			'synchronous_commit = off',
			'full_page_writes = off',
			'max_connections = 100',
			'',
		].join('\n'),
	);
	const start = runAs(pg, join(bin, 'pg_ctl'), [
		'-D',
		data,
		'-l',
		join(dir, 'postgres.log'),
		'-w',
		'-t',
		'60',
		'start',
	]);
	if (start.status !== 0)
		throw new Error(
			`pg_ctl start failed:\n${start.stdout}\n${start.stderr}\n${readIf(join(dir, 'postgres.log'))}`,
		);
	postgres = pg;
	// The database and role n8n uses, the way a self-hosted setup has them.
	const n8nPassword = randomBytes(18).toString('base64url');
	const sql = [
		`CREATE ROLE n8n LOGIN PASSWORD '${n8nPassword}';`,
		'CREATE DATABASE n8n OWNER n8n;',
	].join('\n');
	const psql = spawnSync(
		join(bin, 'psql'),
		[
			'-h',
			'127.0.0.1',
			'-p',
			String(port),
			'-U',
			'postgres',
			'-d',
			'postgres',
			'-v',
			'ON_ERROR_STOP=1',
		],
		{ input: sql, encoding: 'utf8', env: { ...process.env, PGPASSWORD: superPassword } },
	);
	if (psql.status !== 0) throw new Error(`creating the n8n database failed:\n${psql.stderr}`);
	return { user: 'n8n', password: n8nPassword, database: 'n8n' };
}

function readIf(file) {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

function redisPing(port) {
	return new Promise((resolvePing) => {
		const socket = new Socket();
		let answer = '';
		const done = (ok) => {
			socket.destroy();
			resolvePing(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.once('error', () => done(false));
		socket.on('data', (d) => {
			answer += d.toString('utf8');
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
		socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
	});
}

async function startRedis(redisBin, port) {
	const dir = join(RUN_DIR, 'redis');
	mkdirSync(dir, { recursive: true });
	const redis = startProcess(
		'redis',
		redisBin,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--daemonize',
			'no',
		],
		{ env: process.env, cwd: dir, logFile: join(dir, 'redis.log') },
	);
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		if (redis.child.exitCode !== null) throw new Error(`redis-server exited:\n${redis.tail()}`);
		if (await redisPing(port)) return redis;
		await sleep(100);
	}
	throw new Error(`redis-server did not answer PING on 127.0.0.1:${port}\n${redis.tail()}`);
}

// ---- n8n processes ----------------------------------------------------------------------

/**
 * The environment every n8n process (and CLI import) shares in queue mode: same encryption key,
 * same database, same Redis; only the user folder and the per-process ports differ.
 */
function queueEnv(base, { userFolder, port, brokerPort, healthPort, owner }) {
	const env = n8nEnv({
		userFolder,
		port,
		brokerPort,
		encryptionKey: base.encryptionKey,
		owner,
		baseEnv: base.processEnv,
	});
	Object.assign(env, {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(base.redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(base.pgPort),
		DB_POSTGRESDB_DATABASE: base.db.database,
		DB_POSTGRESDB_USER: base.db.user,
		DB_POSTGRESDB_PASSWORD: base.db.password,
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
	});
	if (healthPort) {
		Object.assign(env, {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		});
	}
	return env;
}

async function startMain(runtime, base, logName = 'main') {
	const userFolder = join(RUN_DIR, 'main');
	const env = queueEnv(base, {
		userFolder,
		port: base.mainPort,
		brokerPort: await freePort(),
		owner: DEMO_OWNER,
	});
	const proc = startProcess(logName, runtime.nodeBin, [runtime.n8nBin, 'start'], {
		env,
		cwd: userFolder,
		logFile: join(RUN_DIR, `${logName}.log`),
	});
	return { ...proc, userFolder, baseUrl: `http://127.0.0.1:${base.mainPort}` };
}

/** `n8n webhook`: production webhooks only, on its own port and user folder, with the package. */
async function startWebhookProcess(runtime, base) {
	const userFolder = join(RUN_DIR, 'webhook');
	mkdirSync(userFolder, { recursive: true });
	installPackageInto(userFolder);
	const port = await freePort();
	const env = queueEnv(base, { userFolder, port, brokerPort: await freePort(), owner: false });
	const proc = startProcess('webhook', runtime.nodeBin, [runtime.n8nBin, 'webhook'], {
		env,
		cwd: userFolder,
		logFile: join(RUN_DIR, 'webhook.log'),
	});
	return { ...proc, userFolder, port, baseUrl: `http://127.0.0.1:${port}` };
}

/** Runs `query` in n8n's PostgreSQL database as n8n's role; returns its rows as objects. */
function sqlRows(base, pgBin, query) {
	const result = spawnSync(
		join(pgBin, 'psql'),
		[
			'-h',
			'127.0.0.1',
			'-p',
			String(base.pgPort),
			'-U',
			base.db.user,
			'-d',
			base.db.database,
			'-At',
			'-v',
			'ON_ERROR_STOP=1',
			'-c',
			`SELECT coalesce(json_agg(t), '[]'::json) FROM (${query}) t`,
		],
		{
			encoding: 'utf8',
			env: { ...process.env, PGPASSWORD: base.db.password },
			maxBuffer: 512 * 1024 * 1024,
		},
	);
	if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
	return JSON.parse(result.stdout);
}

async function startWorker(runtime, base, name, { withPackage }) {
	const userFolder = join(RUN_DIR, name);
	mkdirSync(userFolder, { recursive: true });
	if (withPackage) installPackageInto(userFolder);
	const healthPort = await freePort();
	const env = queueEnv(base, {
		userFolder,
		port: healthPort, // unused by a worker, kept distinct from the broker port
		brokerPort: await freePort(),
		healthPort,
		owner: false,
	});
	const proc = startProcess(
		name,
		runtime.nodeBin,
		[runtime.n8nBin, 'worker', `--concurrency=${WORKER_CONCURRENCY}`],
		{ env, cwd: userFolder, logFile: join(RUN_DIR, `${name}.log`) },
	);
	return {
		...proc,
		userFolder,
		withPackage,
		baseUrl: `http://127.0.0.1:${healthPort}`,
	};
}

/** Executions this worker took from the queue: its event log and its own log lines. */
function dequeuedBy(worker) {
	const fromEvents = new Set();
	const dir = join(worker.userFolder, '.n8n');
	const files = existsSync(dir)
		? readdirSync(dir).filter((f) => /^n8nEventLog.*\.log$/.test(f))
		: [];
	for (const file of files) {
		for (const line of readIf(join(dir, file)).split('\n')) {
			if (!line.includes('n8n.queue.job.dequeued')) continue;
			try {
				const event = JSON.parse(line);
				if (event.eventName === 'n8n.queue.job.dequeued' && event.payload?.executionId)
					fromEvents.add(String(event.payload.executionId));
			} catch {
				// a line being written
			}
		}
	}
	const fromLog = new Set(
		[...worker.output().matchAll(/Worker started execution (\d+) \(job/g)].map((m) => m[1]),
	);
	return { fromEvents, fromLog, eventLogs: files };
}

// ---- REST ------------------------------------------------------------------------------

const api = (baseUrl, cookie, path, body) =>
	restApi(baseUrl, cookie, path, body, { browserId: 'test-queue', timeoutMs: 30_000 });

/**
 * Polls a CORS preflight for the production webhook until n8n has registered it (204). Without
 * an Origin header n8n answers every OPTIONS with 204, registered or not: it proves nothing.
 */
async function waitForWebhook(baseUrl, path, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		try {
			const res = await fetch(`${baseUrl}/webhook/${path}`, {
				method: 'OPTIONS',
				headers: { origin: 'http://localhost', 'access-control-request-method': 'POST' },
			});
			last = res.status;
			if (res.status === 204) return true;
		} catch (error) {
			last = error.message;
		}
		await sleep(200);
	}
	throw new Error(`production webhook /webhook/${path} not registered (last answer ${last})`);
}

/**
 * One production webhook call. n8n 2.40.5's main now and then never answers a "When Last Node
 * Finishes" call in queue mode although the execution succeeded on a worker (seen once in
 * about ten runs: main logged "Execution N finished", the caller waited 120 s). Such a call
 * comes back as `lost`, and `recoverLostAnswers` reads what n8n should have answered from the
 * execution itself, so the checks still see the node's output.
 */
async function postWebhook(baseUrl, path, body, timeoutMs = 60_000) {
	const t = Date.now();
	let res;
	try {
		res = await fetch(`${baseUrl}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
		});
	} catch (error) {
		if (error?.name !== 'TimeoutError') throw error;
		return {
			status: 0,
			lost: true,
			request: body,
			json: undefined,
			text: `no HTTP answer within ${timeoutMs / 1000} s`,
			ms: Date.now() - t,
		};
	}
	const text = await res.text();
	return { status: res.status, request: body, json: parseJson(text), text, ms: Date.now() - t };
}

/**
 * For calls n8n main never answered: the webhook body and the last node's first output item of
 * each given execution (what "When Last Node Finishes" answers with), matched by `key` of the
 * body. Returns how many lost calls were matched.
 */
async function recoverLostAnswers(baseUrl, cookie, calls, executions, key) {
	const lost = calls.filter((call) => call.lost);
	if (!lost.length || !unflatten) return 0;
	let matched = 0;
	for (const execution of executions) {
		let data;
		try {
			data = unflatten((await api(baseUrl, cookie, `/rest/executions/${execution.id}`))?.data);
		} catch {
			continue;
		}
		const runData = data?.resultData?.runData ?? {};
		const first = (node) => runData[node]?.[0]?.data?.main?.[0]?.[0]?.json;
		const trigger = Object.keys(runData).find((node) => first(node)?.headers && first(node)?.body);
		const body = trigger ? first(trigger).body : undefined;
		const call = lost.find((c) => !c.recoveredFrom && body && c.request?.[key] === body[key]);
		if (!call) continue;
		call.recoveredFrom = execution.id;
		call.json = first(data.resultData.lastNodeExecuted);
		matched++;
	}
	return matched;
}

let unflatten;
function loadFlatted(runtime) {
	try {
		const require = createRequire(join(runtime.n8nDir, 'node_modules', 'n8n', 'package.json'));
		unflatten = require('flatted').parse;
	} catch {
		unflatten = undefined;
	}
}

/** The error an execution ended with (its stored data is `flatted` JSON). */
function executionError(execution) {
	const raw = execution?.data;
	if (typeof raw !== 'string') return undefined;
	if (unflatten) {
		try {
			const data = unflatten(raw);
			const error = data?.resultData?.error;
			if (error)
				return `${error.node?.name ? `${error.node.name}: ` : ''}${error.message ?? ''}${error.description ? ` (${error.description})` : ''}`;
			const runData = data?.resultData?.runData ?? {};
			for (const [node, runs] of Object.entries(runData)) {
				const e = runs?.find((r) => r.error)?.error;
				if (e) return `${node}: ${e.message}`;
			}
			return undefined;
		} catch {
			// fall through to the text search
		}
	}
	return /Unrecognized node type: [\w.-]+/.exec(raw)?.[0];
}

/** Waits until `count` executions newer than `afterId` are finished; returns them, oldest first. */
async function finishedExecutions(baseUrl, cookie, afterId, count, timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	let list = [];
	while (Date.now() < deadline) {
		const page = await api(baseUrl, cookie, `/rest/executions?limit=250`);
		list = (page?.results ?? [])
			.filter((e) => Number(e.id) > afterId)
			.sort((a, b) => Number(a.id) - Number(b.id));
		const done = list.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
		if (done.length >= count && done.length === list.length) return list;
		await sleep(300);
	}
	return list;
}

/**
 * The check that must pass for a healthy cluster and must NOT pass when a worker lacks the
 * package: every execution dequeued by exactly one worker (never run on main) and succeeded.
 * Returns one line per problem and where each execution ran.
 */
async function assessExecutions({ baseUrl, cookie, executions, workers, expected }) {
	const problems = [];
	const ranOn = new Map();
	if (executions.length !== expected)
		problems.push(`expected ${expected} executions, n8n recorded ${executions.length}`);
	// The event log is written by a writer thread: give it a moment to catch up.
	let seen;
	const deadline = Date.now() + 10_000;
	for (;;) {
		seen = workers.map((w) => ({ worker: w, ...dequeuedBy(w) }));
		const all = executions.every((e) => seen.some((s) => s.fromEvents.has(String(e.id))));
		if (all || Date.now() > deadline) break;
		await sleep(250);
	}
	for (const execution of executions) {
		const id = String(execution.id);
		const by = seen.filter((s) => s.fromEvents.has(id)).map((s) => s.worker.name);
		const logged = seen.filter((s) => s.fromLog.has(id)).map((s) => s.worker.name);
		ranOn.set(id, by[0]);
		const name = `execution ${id} (${execution.workflowName ?? execution.workflowId}, ${execution.mode})`;
		if (by.length === 0) problems.push(`${name}: no worker dequeued it (did it run on main?)`);
		else if (by.length > 1) problems.push(`${name}: dequeued by ${by.join(' and ')}`);
		else if (!same(logged, by))
			problems.push(
				`${name}: event log says ${by[0]}, worker logs say ${logged.join(', ') || 'nobody'}`,
			);
		if (execution.status !== 'success') {
			let error;
			try {
				error = executionError(await api(baseUrl, cookie, `/rest/executions/${id}`));
			} catch (e) {
				error = `could not read it: ${e.message}`;
			}
			problems.push(
				`${name}: ${execution.status} on ${by[0] ?? 'no worker'}: ${error ?? 'no error recorded'}`,
			);
		}
	}
	return { problems, ranOn };
}

// ---- the run ------------------------------------------------------------------------------

function releaseLock() {
	if (readIf(LOCK_FILE).trim() === String(process.pid)) rmSync(LOCK_FILE, { force: true });
}

function takeLock() {
	mkdirSync(QUEUE_DIR, { recursive: true });
	const holder = Number(readIf(LOCK_FILE).trim() || 0);
	if (holder && holder !== process.pid) {
		try {
			process.kill(holder, 0);
			throw new Error(`another test:queue run (pid ${holder}) is using ${QUEUE_DIR}`);
		} catch (error) {
			if (error.code !== 'ESRCH') throw error;
		}
	}
	writeFileSync(LOCK_FILE, String(process.pid));
}

async function main() {
	if (!args.includes('--no-build') && !checkBuild(check)) return;

	const drift = lifecycleDrift();
	if (
		!check(
			'examples/group-chat-queue-lifecycle.workflow.json: its Group Chat nodes match the manual lifecycle example',
			drift.length === 0,
			`differ: ${drift.join(', ')}\nrun: node scripts/test-queue.mjs --sync-examples`,
		)
	)
		return;

	step('PostgreSQL and Redis (Debian packages)');
	const pgBin = findPostgresBin();
	const redisBin = which('redis-server', ['/usr/bin', '/usr/sbin', '/usr/local/bin']);
	if (
		!check(
			'PostgreSQL (initdb, pg_ctl, psql) and redis-server are installed',
			Boolean(pgBin && redisBin),
			`missing: ${[!pgBin && 'PostgreSQL server binaries', !redisBin && 'redis-server'].filter(Boolean).join(', ')}\n` +
				'install them with: apt-get update && apt-get install -y postgresql redis-server\n' +
				'(.ci/run does this when they are missing)',
		)
	)
		return;
	takeLock();
	rmSync(RUN_DIR, { recursive: true, force: true });
	mkdirSync(RUN_DIR, { recursive: true });
	chmodSync(RUN_DIR, 0o755);
	let t = Date.now();
	const pgPort = await freePort();
	const redisPort = await freePort();
	const db = await startPostgres(pgBin, pgPort);
	info(`PostgreSQL (${pgBin}) on 127.0.0.1:${pgPort}, data in ${join(RUN_DIR, 'postgres')}`);
	await startRedis(redisBin, redisPort);
	info(`Redis (${redisBin}) on 127.0.0.1:${redisPort}`);
	check(`PostgreSQL and Redis started (${secs(Date.now() - t)})`, true);

	step('provider sandbox and n8n runtime');
	const { startSandbox, DEMO } = await loadSandboxModule();
	const sandbox = await startSandbox({ port: 0 });
	info(`sandbox listening on ${sandbox.url}`);
	try {
		t = Date.now();
		const runtime = await ensureN8n();
		loadFlatted(runtime);
		info(`n8n ${runtime.version} on Node ${runtime.nodeVersion} (${secs(Date.now() - t)})`);
		// n8n's own npm calls use whichever node is first on PATH.
		const processEnv = {
			...process.env,
			PATH: `${join(runtime.nodeBin, '..')}${delimiter}${process.env.PATH}`,
		};
		const base = {
			encryptionKey: `queue-${randomBytes(16).toString('hex')}`,
			redisPort,
			pgPort,
			db,
			processEnv,
			mainPort: await freePort(),
		};

		step('import credentials and workflows (n8n CLI, queue-mode settings)');
		const mainFolder = join(RUN_DIR, 'main');
		mkdirSync(mainFolder, { recursive: true });
		const target = installPackageInto(mainFolder);
		info(`main: package copied to ${target}`);
		const cliEnv = queueEnv(base, {
			userFolder: mainFolder,
			port: base.mainPort,
			brokerPort: await freePort(),
			owner: DEMO_OWNER,
		});
		const scratch = join(RUN_DIR, 'import');
		mkdirSync(scratch, { recursive: true });
		const credentialsFile = join(scratch, 'credentials.json');
		writeFileSync(credentialsFile, JSON.stringify(sandboxCredentials(sandbox, DEMO)), {
			mode: 0o600,
		});
		const workflowsFile = join(scratch, 'workflows.json');
		writeFileSync(
			workflowsFile,
			JSON.stringify([
				MANUAL_WF,
				{ ...LIFECYCLE_WF, active: true },
				{ ...BULK_WF, active: true },
				{ ...readTriggerWorkflow(), active: false },
				CONTROL_WORKFLOW,
			]),
		);
		try {
			t = Date.now();
			await runN8nChecked(runtime, cliEnv, ['import:credentials', `--input=${credentialsFile}`]);
			info(`import:credentials (with the database migrations) ${secs(Date.now() - t)}`);
			t = Date.now();
			const imported = await runN8nChecked(runtime, cliEnv, [
				'import:workflow',
				`--input=${workflowsFile}`,
			]);
			writeFileSync(join(scratch, 'import-workflow.log'), `${imported.stdout}\n${imported.stderr}`);
			info(`import:workflow ${secs(Date.now() - t)}`);
			check('credentials and 5 workflows imported into PostgreSQL', true);
		} catch (error) {
			check('credentials and workflows imported', false, error.message);
			return;
		} finally {
			rmSync(credentialsFile, { force: true });
		}

		// ---- phase 1: a worker without the package must be caught -----------------------
		step('phase 1: main + a worker WITHOUT the package (the check must catch it)');
		t = Date.now();
		const mainProc = await startMain(runtime, base);
		const bare = await startWorker(runtime, base, 'worker-nopkg', { withPackage: false });
		try {
			await Promise.all([
				waitForN8n(mainProc.baseUrl, { child: mainProc.child, timeoutMs: 180_000 }),
				waitForN8n(bare.baseUrl, { child: bare.child, timeoutMs: 180_000 }),
			]);
		} catch (error) {
			check(
				'main and worker-nopkg start',
				false,
				`${error.message}\n${mainProc.tail()}\n${bare.tail()}`,
			);
			return;
		}
		info(`main (:${base.mainPort}) and worker-nopkg ready in ${secs(Date.now() - t)}`);
		const cookie = await login(mainProc.baseUrl);
		// What the editor's "Publish"/activate toggle does. (`import:workflow --activeState=fromJson`
		// imports as a shell user that may not activate; `publish:workflow` costs a CLI boot each.)
		for (const wf of [LIFECYCLE_WF, BULK_WF]) {
			try {
				const { versionId } = await api(mainProc.baseUrl, cookie, `/rest/workflows/${wf.id}`);
				const active = await api(mainProc.baseUrl, cookie, `/rest/workflows/${wf.id}/activate`, {
					versionId,
				});
				check(`"${wf.name}" activated through main's REST API`, Boolean(active?.activeVersionId));
			} catch (error) {
				check(`"${wf.name}" activated through main's REST API`, false, error.message);
				return;
			}
		}
		info('worker-nopkg answers /healthz/readiness like a healthy worker: only a run can tell');
		await waitForWebhook(mainProc.baseUrl, 'group-chat-lifecycle');
		const bad = await postWebhook(mainProc.baseUrl, 'group-chat-lifecycle', { provider: 'chert' });
		info(
			`POST /webhook/group-chat-lifecycle {provider: chert} → HTTP ${bad.status} (${secs(bad.ms)})`,
		);
		const badExecutions = await finishedExecutions(mainProc.baseUrl, cookie, 0, 1);
		const verdict = await assessExecutions({
			baseUrl: mainProc.baseUrl,
			cookie,
			executions: badExecutions,
			workers: [bare],
			expected: 1,
		});
		info(`check says: ${verdict.problems.join('; ') || 'all green'}`);
		check(
			'the check flags the run: not green',
			verdict.problems.length > 0 && bad.status !== 200,
			`HTTP ${bad.status}, problems: ${JSON.stringify(verdict.problems)}`,
		);
		check(
			'…naming worker-nopkg and "Unrecognized node type: n8n-nodes-group-chat.groupChat"',
			verdict.problems.some(
				(p) =>
					p.includes('on worker-nopkg') &&
					p.includes('Unrecognized node type: n8n-nodes-group-chat.groupChat'),
			),
			verdict.problems.join('\n'),
		);
		check(
			'nothing reached the provider sandbox',
			sandbox.requests.length === 0,
			`${sandbox.requests.length} requests`,
		);
		const lastPhase1Id = Math.max(0, ...badExecutions.map((e) => Number(e.id)));
		t = Date.now();
		await stopChild(bare);
		info(`worker-nopkg stopped (${secs(Date.now() - t)})`);

		// ---- phase 2: the package on every process --------------------------------------
		step('phase 2: two workers with the package');
		t = Date.now();
		const workers = [
			await startWorker(runtime, base, 'worker-1', { withPackage: true }),
			await startWorker(runtime, base, 'worker-2', { withPackage: true }),
		];
		try {
			await Promise.all(
				workers.map((w) => waitForN8n(w.baseUrl, { child: w.child, timeoutMs: 180_000 })),
			);
		} catch (error) {
			check(
				'worker-1 and worker-2 start',
				false,
				`${error.message}\n${workers.map((w) => w.tail()).join('\n')}`,
			);
			return;
		}
		info(
			`worker-1 and worker-2 ready in ${secs(Date.now() - t)} (concurrency ${WORKER_CONCURRENCY} each)`,
		);

		// a) the lifecycle webhook, once per provider, all at once
		t = Date.now();
		const lifecycle = await Promise.all(
			Object.keys(LIFECYCLE).map((provider) =>
				postWebhook(mainProc.baseUrl, 'group-chat-lifecycle', { provider }),
			),
		);
		info(`3 lifecycle webhook calls answered in ${secs(Date.now() - t)}`);
		// b) the manual example, "Execute workflow" in the editor, offloaded to a worker
		t = Date.now();
		let manualId;
		try {
			const trigger = MANUAL_WF.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger').name;
			const run = await api(mainProc.baseUrl, cookie, `/rest/workflows/${MANUAL_WF.id}/run`, {
				workflowData: MANUAL_WF,
				triggerToStartFrom: { name: trigger },
			});
			manualId = run?.executionId;
			info(`editor "Execute workflow" on "${MANUAL_WF.name}" → execution ${manualId}`);
		} catch (error) {
			check('offloaded manual run starts', false, error.message);
		}
		// c) the bulk: concurrent calls, one Chert group each
		await waitForWebhook(mainProc.baseUrl, 'group-chat-bulk');
		const teams = Array.from(
			{ length: BULK },
			(_, i) => `Queue team ${String(i + 1).padStart(2, '0')}`,
		);
		t = Date.now();
		const bulk = await Promise.all(
			teams.map((team) => postWebhook(mainProc.baseUrl, 'group-chat-bulk', { team })),
		);
		info(`${BULK} bulk webhook calls answered in ${secs(Date.now() - t)}`);

		const expected = 3 + (manualId ? 1 : 0) + BULK;
		const executions = await finishedExecutions(mainProc.baseUrl, cookie, lastPhase1Id, expected);
		const lostCalls = [...lifecycle, ...bulk].filter((call) => call.lost).length;
		if (lostCalls) {
			const ofWorkflow = (id) =>
				executions.filter((e) => e.workflowId === id && e.status === 'success');
			const recovered =
				(await recoverLostAnswers(
					mainProc.baseUrl,
					cookie,
					lifecycle,
					ofWorkflow(LIFECYCLE_WF.id),
					'provider',
				)) +
				(await recoverLostAnswers(mainProc.baseUrl, cookie, bulk, ofWorkflow(BULK_WF.id), 'team'));
			info(
				`n8n main sent no HTTP answer to ${lostCalls} webhook call(s) within 60 s; ${recovered} of them match a successful execution, whose last node's output is checked instead`,
			);
		}
		const answeredOrRecovered = (call) =>
			call.status === 200 || Boolean(call.lost && call.recoveredFrom);
		const lostNote = (calls) => {
			const lost = calls.filter((call) => call.lost && call.recoveredFrom);
			return lost.length
				? ` (n8n main lost ${lost.length} answer(s); read from execution ${lost.map((c) => c.recoveredFrom).join(', ')})`
				: '';
		};
		const good = await assessExecutions({
			baseUrl: mainProc.baseUrl,
			cookie,
			executions,
			workers,
			expected,
		});

		step('queue: who ran what');
		const count = (wfId) => {
			const perWorker = Object.fromEntries(workers.map((w) => [w.name, 0]));
			for (const e of executions.filter((x) => x.workflowId === wfId)) {
				const w = good.ranOn.get(String(e.id));
				if (w) perWorker[w]++;
			}
			return perWorker;
		};
		info(`lifecycle webhook: ${JSON.stringify(count(LIFECYCLE_WF.id))}`);
		info(`manual (offloaded): ${JSON.stringify(count(MANUAL_WF.id))}`);
		info(`bulk webhook:      ${JSON.stringify(count(BULK_WF.id))}`);
		check(
			`all ${expected} executions succeeded, each dequeued by exactly one worker, none ran on main`,
			good.problems.length === 0,
			good.problems.join('\n'),
		);
		check(
			'webhook executions ran in mode "webhook", the editor run in mode "manual"',
			executions.every((e) =>
				e.workflowId === MANUAL_WF.id ? e.mode === 'manual' : e.mode === 'webhook',
			),
			JSON.stringify(executions.map((e) => [e.id, e.workflowId, e.mode])),
		);
		if (manualId)
			check(
				`the offloaded manual run (execution ${manualId}) was dequeued by a worker`,
				Boolean(good.ranOn.get(String(manualId))),
			);
		const bulkSplit = count(BULK_WF.id);
		check(
			`the bulk was split across both workers (${Object.entries(bulkSplit)
				.map(([w, n]) => `${w}: ${n}`)
				.join(', ')})`,
			Object.values(bulkSplit).every((n) => n > 0) &&
				Object.values(bulkSplit).reduce((a, b) => a + b, 0) === BULK,
		);
		const logged = workers.map((w) => dequeuedBy(w).eventLogs.join(', '));
		check(
			'each worker wrote its own event log (n8nEventLog-worker.log) with n8n.queue.job.dequeued',
			logged.every((l) => l.includes('n8nEventLog-worker')),
			JSON.stringify(logged),
		);
		const enqueued = new Set(
			[...mainProc.output().matchAll(/Enqueued execution (\d+) \(job/g)].map((m) => m[1]),
		);
		const notEnqueued = executions.filter((e) => !enqueued.has(String(e.id)));
		check(
			`main's log: "Enqueued execution …" for each of the ${expected} (main queues, workers run)`,
			notEnqueued.length === 0,
			`not enqueued by main: ${notEnqueued.map((e) => e.id).join(', ')}`,
		);

		await sandbox.settle();

		step('sandbox: the lifecycle, per provider');
		for (const [provider, spec] of Object.entries(LIFECYCLE)) {
			const res = lifecycle[Object.keys(LIFECYCLE).indexOf(provider)];
			const chatId = res.json?.chatId;
			if (
				!check(
					`${spec.label}: webhook answered 200 with the Leave Group output${lostNote([res])}`,
					answeredOrRecovered(res) && res.json?.operation === 'leave' && typeof chatId === 'string',
					`HTTP ${res.status} ${res.text.slice(0, 300)}`,
				)
			)
				continue;
			const chat = sandbox.getChat(provider, chatId);
			if (!check(`${spec.label}: the sandbox knows chat ${chatId}`, Boolean(chat))) continue;
			const renamed = LIFECYCLE_WF.nodes.find((n) => n.name === `${spec.label}: Rename Group`)
				.parameters.groupName;
			check(
				`${spec.label}: roster ${spec.final.join(', ')}, named "${renamed}", our line left`,
				same(sorted(chat.participants.filter((p) => p !== chat.self)), sorted(spec.final)) &&
					chat.name === renamed &&
					chat.selfIsMember === false,
				JSON.stringify(chat),
			);
			// The editor run created its own group with the same steps: two such groups per provider.
			const twins = sandbox.listChats(provider).filter((c) => c.name === renamed);
			check(
				`${spec.label}: ${manualId ? 2 : 1} group(s) went through the lifecycle (webhook${manualId ? ' + editor run' : ''}), all left`,
				twins.length === (manualId ? 2 : 1) && twins.every((c) => c.selfIsMember === false),
				JSON.stringify(twins.map((c) => [c.id, c.selfIsMember])),
			);
		}

		step(`sandbox: the bulk, ${BULK} groups`);
		check(
			`all ${BULK} bulk calls answered 200 with the Rename Group output${lostNote(bulk)}`,
			bulk.every((r) => answeredOrRecovered(r) && r.json?.operation === 'rename'),
			bulk
				.filter((r) => !answeredOrRecovered(r) || r.json?.operation !== 'rename')
				.map((r) => `HTTP ${r.status} ${r.text.slice(0, 200)}`)
				.join('\n'),
		);
		const chertRequests = sandbox.requests.filter((r) => r.provider === 'chert');
		const creates = chertRequests.filter((r) => r.method === 'POST' && r.path === '/api/v1/chats');
		const chats = sandbox.listChats('chert');
		const wrong = [];
		for (const [i, team] of teams.entries()) {
			const mine = chats.filter((c) => c.name === team || c.name === `${team} (renamed)`);
			const createdFor = creates.filter((r) => {
				try {
					return JSON.parse(r.bodyText).message?.subject === team;
				} catch {
					return false;
				}
			});
			const chatId = mine[0]?.id;
			const renames = chatId
				? chertRequests.filter(
						(r) => r.method === 'PUT' && decodeURIComponent(r.path) === `/api/v1/chats/${chatId}`,
					)
				: [];
			const answered = bulk[i].json?.chatId;
			if (
				mine.length !== 1 ||
				mine[0].name !== `${team} (renamed)` ||
				createdFor.length !== 1 ||
				renames.length !== 1 ||
				answered !== chatId
			)
				wrong.push(
					`${team}: ${mine.length} chat(s) ${JSON.stringify(mine.map((c) => c.name))}, ${createdFor.length} create(s), ${renames.length} rename(s), answered ${answered}`,
				);
		}
		check(
			`each of the ${BULK} groups was created once and renamed once (no job ran twice, none lost)`,
			wrong.length === 0,
			wrong.join('\n'),
		);
		const rejected = sandbox.requests.filter((r) => r.status >= 400 || r.provider === 'unknown');
		check(
			'the sandbox answered every request with success',
			rejected.length === 0,
			rejected.map((r) => `${r.method} ${r.url} → ${r.status}`).join('\n'),
		);

		// ---- the trigger phase (issue 18) -------------------------------------------------
		if (!args.includes('--skip-trigger')) {
			let restarts = 0;
			const cluster = {
				main: mainProc,
				cookie,
				webhook: undefined,
				workers,
				async startWebhook() {
					cluster.webhook = await startWebhookProcess(runtime, base);
					await waitForN8n(cluster.webhook.baseUrl, {
						child: cluster.webhook.child,
						timeoutMs: 180_000,
					});
				},
				async restartMain() {
					await stopChild(cluster.main);
					cluster.main = await startMain(runtime, base, `main-restart-${++restarts}`);
					await waitForN8n(cluster.main.baseUrl, { child: cluster.main.child, timeoutMs: 180_000 });
					cluster.cookie = await login(cluster.main.baseUrl);
				},
			};
			const measured = {};
			await checkQueueTriggerPhase({
				check,
				sandbox,
				DEMO,
				pairs: PAIRS,
				cluster,
				measured,
				api: (path, body) => api(cluster.main.baseUrl, cluster.cookie, path, body),
				sql: (query) => sqlRows(base, pgBin, query),
				unflatten,
				// The event logs are written by a writer thread: give them a moment to catch up.
				async ranOn(ids) {
					let seen = [];
					for (const deadline = Date.now() + 10_000; ; await sleep(250)) {
						seen = workers.map((w) => ({ name: w.name, ...dequeuedBy(w) }));
						if (ids.every((id) => seen.some((s) => s.fromEvents.has(id))) || Date.now() > deadline)
							break;
					}
					return new Map(ids.map((id) => [id, seen.find((s) => s.fromEvents.has(id))?.name]));
				},
			});
		}
	} finally {
		await sandbox.stop();
	}
}

if (args.includes('--sync-examples')) {
	const before = lifecycleDrift();
	if (before.length) syncLifecycleExample();
	console.log(
		before.length
			? `updated ${before.length} Group Chat node(s) in ${LIFECYCLE_FILE}: ${before.join(', ')} (run prettier on it)`
			: `${LIFECYCLE_FILE} already matches the manual lifecycle example`,
	);
	process.exit(0);
}

await checks.run(main);
const t = Date.now();
await cleanup();
console.log(`\n  stopped n8n, Redis and PostgreSQL (${secs(Date.now() - t)}); logs in ${RUN_DIR}`);
if (checks.failed === 0)
	rmSync(join(RUN_DIR, 'postgres', 'data'), { recursive: true, force: true });
checks.finish('queue');
