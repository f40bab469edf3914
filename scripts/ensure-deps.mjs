// Installs the project's dependencies when they are missing or older than package-lock.json,
// so `npm test` and `npm start` work on a fresh clone. Uses only Node built-ins.
//
//   node scripts/ensure-deps.mjs                       (CLI: `npm test`, `npm run test:n8n`, …)
//   import { ensureDeps } from './ensure-deps.mjs';    (scripts/start.mjs, after its port check)
//
// `npm ci` runs with --loglevel=error: the only warnings it prints here are EBADENGINE notices
// for isolated-vm (an optional dependency of n8n-core that wants Node 22+ and is never built,
// since .npmrc disables install scripts), which would otherwise be the first screen of `npm start`.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');

/** True when node_modules is missing or older than package-lock.json. */
export function depsAreStale() {
	return (
		!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)
	);
}

/** Runs `npm ci` when needed; returns true when it installed, throws when the install failed. */
export function ensureDeps({ log = (message) => console.log(message) } = {}) {
	if (!depsAreStale()) return false;
	const started = Date.now();
	log('Installing dependencies (npm ci, once; install scripts disabled by .npmrc) …');
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: root,
		stdio: 'inherit',
	});
	if (result.status !== 0) {
		const error = new Error(`npm ci failed (exit ${result.status ?? result.signal})`);
		error.exitCode = result.status ?? 1;
		throw error;
	}
	log(`Dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		ensureDeps();
	} catch (error) {
		console.error(error.message);
		process.exit(error.exitCode ?? 1);
	}
}
