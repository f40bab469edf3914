// The Group Chat Trigger example (examples/group-chat-trigger.workflow.json): imported and
// published (activated) through n8n's CLI, so the next `n8n start` creates the providers'
// webhook subscriptions at the sandbox and every change the lifecycle example makes shows up
// in the editor's Executions list. Used by scripts/start.mjs and scripts/test-n8n.mjs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, runN8nChecked } from './n8n-runtime.mjs';

export const TRIGGER_WORKFLOW = join(ROOT, 'examples', 'group-chat-trigger.workflow.json');

export function readTriggerWorkflow() {
	return JSON.parse(readFileSync(TRIGGER_WORKFLOW, 'utf8'));
}

/** The production webhook URL n8n gives one of the example's trigger nodes. */
export function triggerWebhookUrl(baseUrl, nodeName) {
	const node = readTriggerWorkflow().nodes.find((entry) => entry.name === nodeName);
	if (!node?.webhookId) throw new Error(`no trigger node "${nodeName}" with a webhookId`);
	return `${baseUrl.replace(/\/+$/, '')}/webhook/${node.webhookId}/webhook`;
}

/**
 * import:workflow, then the version's activation command (2.x `publish:workflow`, 1.x
 * `update:workflow --active=true`): n8n activates such workflows when it starts.
 */
export async function importTriggerExample(runtime, env, { log = () => {} } = {}) {
	const imported = await runN8nChecked(runtime, env, [
		'import:workflow',
		`--input=${TRIGGER_WORKFLOW}`,
	]);
	const { id, name } = readTriggerWorkflow();
	const activated = await runN8nChecked(runtime, env, runtime.activateCommand(id));
	log(
		`imported and activated workflow "${name}" (${((imported.ms + activated.ms) / 1000).toFixed(1)} s)`,
	);
}
