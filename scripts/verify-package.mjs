// `npm run verify:package`: the package as n8n's verification and n8n users get it.
//
//  1. builds dist/ (scripts/build.mjs) and packs it (`npm pack`, the tarball npm publish sends);
//  2. the tarball's file list, exactly (EXPECTED_FILES): nothing missing, nothing extra; the
//     files package.json points at (main, n8n.nodes, n8n.credentials) and the icons the built
//     nodes and credentials name are in it;
//  3. its package.json: no runtime dependencies (nothing but the n8n-workflow peer);
//  4. sizes against the budgets below, printed: packed, unpacked, and every bundle in dist/;
//  5. n8n's scanner (@n8n/scan-community-package, pinned): its own analyzePackage() with the
//     rules of its two lint legs, on the source tree (SOURCE_FILE_PATTERNS) and on the unpacked
//     tarball (**/*.js and package.json), as `npx @n8n/scan-community-package` runs them;
//  5b. the same file, size and scanner checks on three broken copies of the tarball (a file
//     dropped, a bundle past its budget, a node spawning a process): each must fail with its reason;
//  6. installs the tarball as the README says (`npm install --omit=peer <tgz>` in a fresh
//     <user folder>/.n8n/nodes), then `n8n start` (2.40.5) on that folder: the editor's node and
//     credential types include ours (icons served), and each credential's Test button passes
//     against the provider sandbox.
// Each failure is one check whose reason is its first line. Last line:
// `verify:package: N passed, M failed`; exit code 1 on any failure.
//
// Flags: --no-build, --keep (keep the temp folder with the tarball and the user folder).
import { spawnSync } from 'node:child_process';
import {
	appendFileSync,
	chmodSync,
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

import { checkBuild, createChecks, info, startN8n, step, testCredential } from './harness.mjs';
import { loadSandboxModule, sandboxCredentials } from './n8n-example.mjs';
import {
	PACKAGE_NAME,
	ROOT,
	ensureN8n,
	freePort,
	n8nEnv,
	runN8nChecked,
	signIn,
	waitForN8n,
} from './n8n-runtime.mjs';

/** Every file the tarball ships, no more, no less. A new icon or bundle is added here on purpose. */
export const EXPECTED_FILES = [
	'LICENSE',
	'README.md',
	'package.json',
	'dist/THIRD-PARTY-LICENSES.txt',
	'dist/index.js',
	'dist/credentials/ChertApi.credentials.js',
	'dist/credentials/LinqApi.credentials.js',
	'dist/credentials/PeriskopeApi.credentials.js',
	'dist/nodes/GroupChat/GroupChat.node.js',
	'dist/nodes/GroupChat/GroupChat.node.json',
	'dist/nodes/GroupChatTrigger/GroupChatTrigger.node.js',
	'dist/nodes/GroupChatTrigger/GroupChatTrigger.node.json',
	'dist/icons/chert.svg',
	'dist/icons/chert.dark.svg',
	'dist/icons/groupChat.svg',
	'dist/icons/groupChat.dark.svg',
	'dist/icons/linq.svg',
	'dist/icons/linq.dark.svg',
	'dist/icons/periskope.svg',
	'dist/icons/periskope.dark.svg',
];

const KiB = 1024;
/**
 * Size budgets in bytes, about 10 % above the sizes measured on 2026-12-02 after dist/index.js
 * became a 0.8 KiB re-export of the bundles instead of a third copy of them: packed 209 KiB,
 * unpacked 824 KiB, GroupChat.node.js 455 KiB, GroupChatTrigger.node.js 345 KiB, credentials
 * 1.7-3.4 KiB (each under 10 KiB). A bundle that grows past its budget fails here: raise a
 * budget only on purpose.
 */
export const BUDGETS = Object.freeze({
	packed: 230 * KiB,
	unpacked: 905 * KiB,
	/** [pattern, bytes] per .js bundle in dist/; a bundle no pattern covers fails. */
	bundles: [
		[/^dist\/index\.js$/, 2 * KiB],
		[/^dist\/nodes\/GroupChat\/GroupChat\.node\.js$/, 500 * KiB],
		[/^dist\/nodes\/GroupChatTrigger\/GroupChatTrigger\.node\.js$/, 380 * KiB],
		[/^dist\/credentials\/\w+\.credentials\.js$/, 10 * KiB],
	],
});

const args = new Set(process.argv.slice(2));
const checks = createChecks();
const { check } = checks;
const kib = (bytes) => `${(bytes / KiB).toFixed(1)} KiB`;

function filesUnder(dir, base = dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = join(dir, entry.name);
		return entry.isDirectory()
			? filesUnder(full, base)
			: [relative(base, full).split(sep).join('/')];
	});
}

/** `npm pack` into `dir`; returns npm's JSON report of the tarball. */
function pack(dir) {
	const result = spawnSync(
		'npm',
		['pack', '--json', '--pack-destination', dir, '--loglevel=error'],
		{
			cwd: ROOT,
			encoding: 'utf8',
		},
	);
	if (result.status !== 0)
		throw new Error(
			`npm pack failed (exit ${result.status}): ${result.stderr.trim().split('\n')[0]}`,
		);
	return JSON.parse(result.stdout)[0];
}

/**
 * The icon files a built node or credential names (`file:…` paths, relative to its own file),
 * read from the repo's dist/ (what was just packed; there n8n-workflow resolves to the dev
 * dependency), as paths inside the package.
 */
function referencedIcons(file) {
	const packageDir = ROOT;
	const require = createRequire(join(ROOT, 'package.json'));
	const exported = require(join(packageDir, file));
	const icons = [];
	for (const Class of Object.values(exported)) {
		if (typeof Class !== 'function') continue;
		const instance = new Class();
		const icon = instance.description?.icon ?? instance.icon;
		for (const value of typeof icon === 'string' ? [icon] : Object.values(icon ?? {})) {
			if (typeof value === 'string' && value.startsWith('file:'))
				icons.push(
					relative(packageDir, join(dirname(join(packageDir, file)), value.slice(5)))
						.split(sep)
						.join('/'),
				);
		}
	}
	return icons;
}

/** One line for a scanner result: the first violation (file:line:col rule message) and how many more. */
function scannerReason(result, base) {
	const lines = (result.details ?? '').split('\n');
	let file = '';
	const errors = [];
	for (const line of lines) {
		if (/^\S/.test(line)) file = relative(base, line.trim()) || line.trim();
		const match = /^\s+(\d+):(\d+)\s+error\s+(.*?)\s{2,}(\S+)\s*$/.exec(line);
		if (match) errors.push(`${file}:${match[1]}:${match[2]} ${match[4]}: ${match[3]}`);
	}
	if (!errors.length)
		return `${result.message ?? 'failed'}${result.details ? `: ${result.details.trim().split('\n')[0]}` : ''}`;
	return `${errors[0]}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}\n${result.details}`;
}

/** The scanner's analyzePackage and its source patterns; its module-level temp folder goes into `scratch`. */
async function loadScanner(scratch) {
	const previous = process.env.TMPDIR;
	process.env.TMPDIR = scratch; // scanner.mjs creates a temp folder when it loads
	try {
		const entry = createRequire(join(ROOT, 'package.json')).resolve(
			'@n8n/scan-community-package/package.json',
		);
		const version = JSON.parse(readFileSync(entry, 'utf8')).version;
		const scanner = await import(
			pathToFileURL(join(dirname(entry), 'scanner', 'scanner.mjs')).href
		);
		return { ...scanner, version };
	} finally {
		if (previous === undefined) delete process.env.TMPDIR;
		else process.env.TMPDIR = previous;
	}
}

/** Why a tarball's file list is wrong, in one line ('' when it is exactly EXPECTED_FILES). */
function filesProblem(shipped) {
	const missing = EXPECTED_FILES.filter((file) => !shipped.includes(file));
	const extra = shipped.filter((file) => !EXPECTED_FILES.includes(file));
	if (missing.length === 0 && extra.length === 0) return '';
	return (
		[
			missing.length ? `missing: ${missing.join(', ')}` : '',
			extra.length ? `unexpected: ${extra.join(', ')}` : '',
		]
			.filter(Boolean)
			.join('; ') + ' (EXPECTED_FILES in scripts/verify-package.mjs lists what ships)'
	);
}

/** [name, bytes, budget] for the packed and unpacked sizes and every .js file; files no budget covers. */
function sizeFigures(dir, shipped, packedBytes, unpackedBytes) {
	const rows = [
		['packed (.tgz)', packedBytes, BUDGETS.packed],
		['unpacked', unpackedBytes, BUDGETS.unpacked],
	];
	const unbudgeted = [];
	for (const file of shipped.filter((name) => name.endsWith('.js'))) {
		const budget = BUDGETS.bundles.find(([pattern]) => pattern.test(file))?.[1];
		if (budget === undefined) unbudgeted.push(file);
		else rows.push([file, statSync(join(dir, file)).size, budget]);
	}
	return { rows, unbudgeted };
}

/** Why sizes fail their budgets, in one line ('' when all fit). */
function sizeProblem({ rows, unbudgeted }) {
	return [
		...rows
			.filter(([, size, budget]) => size > budget)
			.map(([name, size, budget]) => `${name} is ${kib(size)}, over its ${kib(budget)} budget`),
		...unbudgeted.map((file) => `${file} has no budget (add one to BUDGETS.bundles)`),
	].join('; ');
}

/**
 * The guards above, proven able to fail: three copies of the unpacked tarball, each broken one
 * way (a file dropped, a bundle grown past its budget, a node that spawns a process), go through
 * the same file, size and scanner checks; each must fail, and its one-line reason is printed.
 */
async function brokenCopiesFail({ unpacked, work, packedBytes, scanner }) {
	const brokenCopy = (name, breakIt) => {
		const dir = join(work, `broken-${name}`);
		cpSync(unpacked, dir, { recursive: true });
		breakIt(dir);
		return dir;
	};
	const bundle = 'dist/nodes/GroupChat/GroupChat.node.js';

	const dropped = brokenCopy('file', (dir) => rmSync(join(dir, 'dist/icons/linq.svg')));
	const filesWhy = filesProblem(filesUnder(dropped).sort());
	info(`without dist/icons/linq.svg → ${filesWhy || 'passed'}`);
	check(
		'a tarball missing a file fails the file check, naming the file',
		/^missing: dist\/icons\/linq\.svg /.test(filesWhy),
		filesWhy || 'it passed',
	);

	const budget = BUDGETS.bundles.find(([pattern]) => pattern.test(bundle))[1];
	const grown = brokenCopy('size', (dir) =>
		appendFileSync(join(dir, bundle), `\n/*${'x'.repeat(budget)}*/\n`),
	);
	const grownFiles = filesUnder(grown);
	const grownBytes = grownFiles.reduce((sum, file) => sum + statSync(join(grown, file)).size, 0);
	const sizesWhy = sizeProblem(sizeFigures(grown, grownFiles, packedBytes, grownBytes));
	info(`${bundle} grown by ${kib(budget)} → ${sizesWhy || 'passed'}`);
	check(
		'a bundle grown past its budget fails the size check, naming the bundle and its budget',
		sizesWhy.includes(`${bundle} is `) && sizesWhy.includes(`over its ${kib(budget)} budget`),
		sizesWhy || 'it passed',
	);

	const spawning = brokenCopy('scanner', (dir) =>
		appendFileSync(join(dir, bundle), '\nrequire("child_process").execSync("id");\n'),
	);
	const result = await scanner.analyzePackage(spawning, ['**/*.js', 'package.json']);
	const scannerWhy = result.passed ? '' : scannerReason(result, spawning).split('\n')[0];
	info(`${bundle} spawning a process → ${scannerWhy || 'passed'}`);
	check(
		"a node that spawns a process fails the scanner's tarball leg, naming file, line and rule",
		result.passed === false &&
			scannerWhy.startsWith(`${bundle}:`) &&
			/no-restricted-imports|no-dangerous-functions/.test(scannerWhy),
		scannerWhy || 'the scanner passed it',
	);
	for (const name of ['file', 'size', 'scanner'])
		rmSync(join(work, `broken-${name}`), { recursive: true, force: true });
}

async function main() {
	if (!args.has('--no-build') && !checkBuild(check)) return;
	const work = mkdtempSync(join(tmpdir(), 'verify-package-'));
	const cleanup = [];
	try {
		step('npm pack');
		const report = pack(work);
		const tarball = join(work, report.filename);
		info(
			`${report.filename}: ${report.entryCount} files, ${kib(report.size)} packed, ${kib(report.unpackedSize)} unpacked`,
		);
		const unpacked = join(work, 'unpacked');
		mkdirSync(unpacked);
		const tar = spawnSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], {
			encoding: 'utf8',
		});
		if (!check('the tarball unpacks', tar.status === 0, tar.stderr)) return;

		step('files shipped');
		const shipped = filesUnder(unpacked).sort();
		const filesWhy = filesProblem(shipped);
		check(
			`the tarball holds exactly the ${EXPECTED_FILES.length} expected files (dist/, README.md, LICENSE, package.json)`,
			filesWhy === '',
			filesWhy,
		);
		const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
		const entryFiles = [
			pkg.main,
			...(pkg.n8n?.nodes ?? []),
			...(pkg.n8n?.credentials ?? []),
		].filter(Boolean);
		const absent = entryFiles.filter((file) => !shipped.includes(file.replace(/^\.\//, '')));
		check(
			`package.json's main, n8n.nodes and n8n.credentials (${entryFiles.length} files) are in the tarball`,
			entryFiles.length === 6 && absent.length === 0,
			absent.length
				? `not in the tarball: ${absent.join(', ')}`
				: `expected 6 entry files, package.json names ${entryFiles.length}`,
		);
		try {
			const require = createRequire(join(ROOT, 'package.json'));
			const main = require(join(ROOT, pkg.main));
			const names = [
				...readFileSync(join(ROOT, 'index.ts'), 'utf8').matchAll(
					/export \{ (\w+) \} from '\.\/(.+)'/g,
				),
			];
			const wrong = names
				.filter(
					([, name, from]) =>
						main[name] === undefined ||
						main[name] !== require(join(ROOT, 'dist', `${from}.js`))[name],
				)
				.map(([, name]) => name);
			const extra = Object.keys(main).filter(
				(name) => !names.some(([, exported]) => exported === name),
			);
			check(
				`package.json's main exports index.ts's ${names.length} classes, each the one n8n loads from its own file`,
				names.length === 5 && wrong.length === 0 && extra.length === 0,
				wrong.length
					? `missing or different: ${wrong.join(', ')}`
					: extra.length
						? `not in index.ts: ${extra.join(', ')}`
						: `index.ts names ${names.length}`,
			);
		} catch (error) {
			check(`package.json's main (${pkg.main}) loads`, false, error.message);
		}
		let icons = [];
		try {
			icons = [
				...new Set(
					[...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])].flatMap((file) =>
						referencedIcons(file),
					),
				),
			];
			const noIcon = icons.filter((icon) => !shipped.includes(icon));
			check(
				`every icon the nodes and credentials name is shipped (${icons.length})`,
				icons.length > 0 && noIcon.length === 0,
				noIcon.length ? `named but not shipped: ${noIcon.join(', ')}` : 'no icons named',
			);
		} catch (error) {
			check('the built nodes and credentials load (to read their icons)', false, error.message);
		}

		step('package.json');
		const runtimeDeps = [
			'dependencies',
			'optionalDependencies',
			'bundleDependencies',
			'bundledDependencies',
		].flatMap((field) => Object.keys(pkg[field] ?? {}).map((name) => `${field}.${name}`));
		check(
			'no runtime dependencies (zod and libphonenumber-js are bundled)',
			runtimeDeps.length === 0,
			`declared: ${runtimeDeps.join(', ')}`,
		);
		const peers = Object.keys(pkg.peerDependencies ?? {});
		check(
			'the only peer dependency is n8n-workflow',
			peers.length === 1 && peers[0] === 'n8n-workflow',
			`peerDependencies: ${peers.join(', ') || 'none'}`,
		);

		step('size budgets (packed, unpacked, each bundle)');
		const sizes = sizeFigures(unpacked, shipped, report.size, report.unpackedSize);
		const width = Math.max(...sizes.rows.map(([name]) => name.length));
		for (const [name, size, budget] of sizes.rows)
			info(
				`${name.padEnd(width)}  ${kib(size).padStart(11)}  of ${kib(budget).padStart(11)}  ${((100 * size) / budget).toFixed(0).padStart(3)} %`,
			);
		const sizesWhy = sizeProblem(sizes);
		check(`sizes within budget (${sizes.rows.length} figures)`, sizesWhy === '', sizesWhy);

		step('n8n scanner (@n8n/scan-community-package analyzePackage)');
		const scratch = join(work, 'scanner-tmp');
		mkdirSync(scratch);
		const scanner = await loadScanner(scratch);
		info(`@n8n/scan-community-package ${scanner.version}`);
		let t = Date.now();
		const source = await scanner.analyzePackage(ROOT, scanner.SOURCE_FILE_PATTERNS);
		check(
			`scanner, source leg (${scanner.SOURCE_FILE_PATTERNS.join(' ')}): no violations`,
			source.passed === true,
			scannerReason(source, ROOT),
		);
		const packed = await scanner.analyzePackage(unpacked, ['**/*.js', 'package.json']);
		check(
			'scanner, tarball leg (**/*.js package.json of the unpacked tarball): no violations',
			packed.passed === true,
			scannerReason(packed, unpacked),
		);
		info(`both legs in ${((Date.now() - t) / 1000).toFixed(1)} s`);

		step('the same checks on broken copies of the tarball: each must fail, with its reason');
		await brokenCopiesFail({ unpacked, work, packedBytes: report.size, scanner });

		step(
			'install the tarball as the README says: npm install --omit=peer <tgz> in <user folder>/.n8n/nodes',
		);
		const userFolder = join(work, 'user');
		const nodesDir = join(userFolder, '.n8n', 'nodes');
		mkdirSync(nodesDir, { recursive: true });
		t = Date.now();
		const install = spawnSync(
			'npm',
			['install', '--omit=peer', '--no-audit', '--no-fund', tarball],
			{ cwd: nodesDir, encoding: 'utf8' },
		);
		info(
			`npm install finished in ${((Date.now() - t) / 1000).toFixed(1)} s with exit code ${install.status}`,
		);
		const installedDir = join(nodesDir, 'node_modules', PACKAGE_NAME);
		if (
			!check(
				'npm install --omit=peer <tgz> installs the package into .n8n/nodes/node_modules',
				install.status === 0 && existsSync(join(installedDir, 'package.json')),
				`${install.stderr || install.stdout}`.trim(),
			)
		)
			return;
		const installedPackages = readdirSync(join(nodesDir, 'node_modules')).filter(
			(name) => !name.startsWith('.'),
		);
		check(
			'it pulled nothing else (no n8n-workflow, no dependencies)',
			installedPackages.length === 1,
			`node_modules holds: ${installedPackages.join(', ')}`,
		);

		step('n8n start on that user folder');
		const { startSandbox, DEMO } = await loadSandboxModule();
		const sandbox = await startSandbox({ port: 0 });
		cleanup.push(() => sandbox.stop());
		const runtime = await ensureN8n();
		info(
			`n8n ${runtime.version} on Node ${runtime.nodeVersion}; provider sandbox on ${sandbox.url}`,
		);
		const port = await freePort();
		let brokerPort = await freePort();
		while (brokerPort === port) brokerPort = await freePort();
		const env = n8nEnv({
			userFolder,
			port,
			brokerPort,
			encryptionKey: `verify-${process.pid}-${Date.now()}`,
		});
		const credentialsFile = join(work, 'credentials.json');
		const credentials = sandboxCredentials(sandbox, DEMO);
		writeFileSync(credentialsFile, JSON.stringify(credentials));
		chmodSync(credentialsFile, 0o600);
		try {
			await runN8nChecked(runtime, env, ['import:credentials', `--input=${credentialsFile}`]);
		} finally {
			rmSync(credentialsFile, { force: true });
		}
		const baseUrl = `http://127.0.0.1:${port}`;
		const n8n = startN8n(runtime, env);
		cleanup.push(() => n8n.stop());
		t = Date.now();
		await waitForN8n(baseUrl, { child: n8n.child, timeoutMs: 180_000 });
		const { cookie } = await signIn(baseUrl);
		info(`ready and signed in after ${((Date.now() - t) / 1000).toFixed(1)} s`);
		const nodeTypes = await (
			await fetch(`${baseUrl}/types/nodes.json`, { headers: { cookie } })
		).json();
		const credentialTypes = await (
			await fetch(`${baseUrl}/types/credentials.json`, { headers: { cookie } })
		).json();
		const ours = nodeTypes.filter((type) => type.name.startsWith(`${PACKAGE_NAME}.`));
		const wantedNodes = ['groupChat', 'groupChatTrigger', 'groupChatTool'].map(
			(name) => `${PACKAGE_NAME}.${name}`,
		);
		check(
			`the editor's node types include ${wantedNodes.join(', ')}`,
			wantedNodes.every((name) => ours.some((type) => type.name === name)),
			`ours: ${ours.map((type) => type.name).join(', ') || 'none'} (of ${nodeTypes.length})`,
		);
		const wantedCredentials = credentials.map((credential) => credential.type);
		const ourCredentials = credentialTypes.filter((type) => wantedCredentials.includes(type.name));
		check(
			`the editor's credential types include ${wantedCredentials.join(', ')}`,
			ourCredentials.length === wantedCredentials.length,
			`found: ${ourCredentials.map((type) => type.name).join(', ') || 'none'}`,
		);
		const iconUrls = [...ours, ...ourCredentials].flatMap((type) =>
			typeof type.iconUrl === 'string' ? [type.iconUrl] : Object.values(type.iconUrl ?? {}),
		);
		const broken = [];
		for (const url of new Set(iconUrls)) {
			const res = await fetch(`${baseUrl}/${url.replace(/^\/+/, '')}`, { headers: { cookie } });
			const body = await res.text();
			if (!res.ok || !body.includes('<svg')) broken.push(`${url} → HTTP ${res.status}`);
		}
		check(
			`n8n serves every icon they name (${new Set(iconUrls).size})`,
			iconUrls.length > 0 && broken.length === 0,
			broken.join('; ') || 'no icon URLs',
		);
		for (const { id } of credentials) {
			try {
				const { stored, result } = await testCredential(baseUrl, cookie, id);
				check(
					`"Test" on ${stored.name} (${stored.type}) passes against the sandbox`,
					result?.status === 'OK',
					JSON.stringify(result),
				);
			} catch (error) {
				check(`"Test" on credential ${id} passes against the sandbox`, false, error.message);
			}
		}
		await n8n.stop();
		const loadErrors = n8n
			.output()
			.split('\n')
			.filter((line) => line.includes(PACKAGE_NAME) && /error|fail|skipping/i.test(line));
		check(
			'no load errors for the package in the n8n log',
			loadErrors.length === 0,
			loadErrors.join('\n'),
		);
	} finally {
		for (const stop of cleanup.reverse()) await stop().catch(() => {});
		if (args.has('--keep') || checks.failed > 0) info(`\nkept for inspection: ${work}`);
		else rmSync(work, { recursive: true, force: true });
	}
}

await checks.run(main);
checks.finish('verify:package');
