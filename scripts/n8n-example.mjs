// Shared by scripts/start.mjs and scripts/test-n8n.mjs: the provider sandbox (TypeScript,
// loaded in-process through tsx) and importing the example credentials + workflow into n8n
// through its CLI.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ROOT, runN8nChecked } from './n8n-runtime.mjs';

export const EXAMPLE_WORKFLOW = join(ROOT, 'examples', 'group-chat-lifecycle.workflow.json');
export const EXAMPLE_CREDENTIALS = join(ROOT, 'examples', 'credentials.sandbox.json');

export function readExampleWorkflow() {
	return JSON.parse(readFileSync(EXAMPLE_WORKFLOW, 'utf8'));
}

/** The URL the example's sticky note is written with (the default SANDBOX_PORT). */
export const EXAMPLE_SANDBOX_URL = 'http://127.0.0.1:5680';

/** The example workflow as imported: its sticky notes name `sandbox.url` instead of the default. */
export function exampleWorkflowFor(sandbox) {
	const workflow = readExampleWorkflow();
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-base.stickyNote' && typeof node.parameters?.content === 'string') {
			node.parameters.content = node.parameters.content.replaceAll(
				EXAMPLE_SANDBOX_URL,
				sandbox.url,
			);
		}
	}
	return workflow;
}

/** Loads src/sandbox/index.ts (startSandbox, DEMO) through tsx's API: no build step needed. */
export async function loadSandboxModule() {
	const { tsImport } = await import('tsx/esm/api');
	return await tsImport(
		pathToFileURL(join(ROOT, 'src', 'sandbox', 'index.ts')).href,
		import.meta.url,
	);
}

/** Replaces every "{{a.b.c}}" in the template's strings with that path of `context`. */
export function fillTemplate(value, context) {
	if (typeof value === 'string') {
		return value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, path) => {
			const resolved = path.split('.').reduce((obj, key) => obj?.[key], context);
			if (resolved === undefined || resolved === null)
				throw new Error(`credentials template: unknown {{${path}}}`);
			return String(resolved);
		});
	}
	if (Array.isArray(value)) return value.map((v) => fillTemplate(v, context));
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplate(v, context)]));
	}
	return value;
}

/** The example credentials with the running sandbox's URLs and the DEMO secrets filled in. */
export function sandboxCredentials(sandbox, DEMO) {
	const template = JSON.parse(readFileSync(EXAMPLE_CREDENTIALS, 'utf8'));
	return fillTemplate(template, {
		sandbox: { url: sandbox.url, baseUrls: sandbox.baseUrls },
		DEMO,
	});
}

/**
 * Imports the sandbox credentials (decrypted JSON; n8n encrypts them with N8N_ENCRYPTION_KEY)
 * and the example workflow. Both carry fixed ids, so re-importing updates them in place.
 */
export async function importExample(runtime, env, { sandbox, DEMO, log = () => {} }) {
	const scratch = join(env.N8N_USER_FOLDER, 'import');
	mkdirSync(scratch, { recursive: true });
	const credentialsFile = join(scratch, 'credentials.json');
	writeFileSync(credentialsFile, JSON.stringify(sandboxCredentials(sandbox, DEMO), null, 2));
	chmodSync(credentialsFile, 0o600);
	try {
		const creds = await runN8nChecked(runtime, env, [
			'import:credentials',
			`--input=${credentialsFile}`,
		]);
		log(`imported 3 credentials (${(creds.ms / 1000).toFixed(1)} s)`);
	} finally {
		rmSync(credentialsFile, { force: true });
	}
	// The sticky note names the sandbox's URL: the running one, whatever SANDBOX_PORT is.
	const workflowFile = join(scratch, 'workflow.json');
	writeFileSync(workflowFile, JSON.stringify(exampleWorkflowFor(sandbox), null, 2));
	const wf = await runN8nChecked(runtime, env, ['import:workflow', `--input=${workflowFile}`]);
	log(`imported workflow "${readExampleWorkflow().name}" (${(wf.ms / 1000).toFixed(1)} s)`);
}
