// Builds the publishable package into dist/: each node and credential is one CommonJS file
// with its dependencies (zod, libphonenumber-js, src/) bundled, n8n-workflow left to n8n.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });

const entryPoints = {
	'nodes/GroupChat/GroupChat.node': 'nodes/GroupChat/GroupChat.node.ts',
	'nodes/GroupChatTrigger/GroupChatTrigger.node': 'nodes/GroupChatTrigger/GroupChatTrigger.node.ts',
};
for (const file of readdirSync(join(root, 'credentials'))) {
	if (file.endsWith('.credentials.ts'))
		entryPoints[`credentials/${file.replace(/\.ts$/, '')}`] = `credentials/${file}`;
}

const result = await build({
	absWorkingDir: root,
	entryPoints,
	outdir: dist,
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node18',
	external: ['n8n-workflow'],
	sourcemap: false,
	// Whitespace only: names and structure stay as written (readable in a stack trace's frame),
	// and each node bundle stays below its size before the registry (src/providers/index.ts) tied
	// each provider's trigger events to its entry (the action node now carries them: about 30 KB).
	minifyWhitespace: true,
	legalComments: 'none',
	metafile: true,
	logLevel: 'warning',
});

// package.json's "main": the same classes as index.ts, loaded on first use from the bundles
// above (n8n itself loads the files named in package.json's "n8n" section). Bundling index.ts
// instead would ship every node and credential a second time (about 480 KiB).
const exportsOf = Object.keys(entryPoints)
	.sort()
	.map((entry) => [
		entry
			.split('/')
			.pop()
			.replace(/\.(node|credentials)$/, ''),
		entry,
	]);
writeFileSync(
	join(dist, 'index.js'),
	[
		'"use strict";',
		'// The package\'s classes for code that requires it; n8n loads the files named in package.json\'s "n8n" section.',
		...exportsOf.map(
			([name, entry]) =>
				`Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: () => require(${JSON.stringify(`./${entry}.js`)}).${name} });`,
		),
		'',
	].join('\n'),
);

mkdirSync(join(dist, 'icons'), { recursive: true });
cpSync(join(root, 'icons'), join(dist, 'icons'), { recursive: true });
for (const folder of ['nodes/GroupChat', 'nodes/GroupChatTrigger']) {
	for (const file of readdirSync(join(root, folder))) {
		if (file.endsWith('.json') || file.endsWith('.svg'))
			cpSync(join(root, folder, file), join(dist, folder, file));
	}
}
// The bundled packages' licenses travel with the bundle.
const bundled = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
	const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
	if (match) bundled.add(match[1]);
}
const notices = [...bundled].sort().map((name) => {
	const dir = join(root, 'node_modules', name);
	const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
	const file = readdirSync(dir).find((entry) => /^licen[cs]e/i.test(entry));
	const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${license}`;
	return `${name}@${version} (${license})\n\n${text}\n`;
});
writeFileSync(join(dist, 'THIRD-PARTY-LICENSES.txt'), notices.join('\n' + '-'.repeat(72) + '\n\n'));
console.log(`Built dist/ in ${Date.now() - started} ms`);
