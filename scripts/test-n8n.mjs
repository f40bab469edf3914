// `npm run test:n8n`: the package inside real n8n versions (2.40.5 and 1.123.81, each on
// Node 24), end to end. For each version:
//
//  1. builds dist/ (scripts/build.mjs, once) and starts a fresh provider sandbox in-process (tsx);
//  2. ensures that version's cached n8n (scripts/n8n-runtime.mjs; installs it the first time);
//  3. fresh temp N8N_USER_FOLDER; copies the package to .n8n/nodes/node_modules/n8n-nodes-group-chat,
//     the layout n8n's community-package installer produces;
//  4. imports the sandbox credentials and examples/group-chat-lifecycle.workflow.json through
//     the n8n CLI;
//  5. boots `n8n start` once: the owner comes from env (2.x) or the setup endpoint (1.x), the
//     REST API lists the node as n8n-nodes-group-chat.groupChat with its three credential types,
//     each credential's "Test connection" passes and the editor's "Execute workflow" (REST /run)
//     succeeds twice;
//  6. resets the sandbox, runs the workflow with `n8n execute --id=…` and checks every node's
//     output and the sandbox's final state per provider.
//  7. Group Chat Trigger (scripts/test-n8n-trigger.mjs): imports and activates the events example,
//     boots n8n (activation creates the subscriptions), runs the lifecycle, checks the trigger
//     executions and that a forged delivery to the production URL started none.
//  8. AI Agent (scripts/test-n8n-agent.mjs): an AI Agent with a scripted OpenAI-compatible model
//     on loopback uses the Group Chat node as its tool to create a group and add someone.
// Checks are named with their version; one `n8n <version>: N passed, M failed` line per version,
// then the last line: `n8n: N passed, M failed`; exit code 1 on any failure.
//
// Flags: --n8n=<version>[,<version>] (default: every version in N8N_VERSIONS), --keep (keep the
//        temp user folders), --no-build, --skip-server (skip step 5), --skip-trigger (step 7),
//        --skip-agent (step 8).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	checkBuild,
	createChecks,
	info,
	runFromEditor,
	same,
	secs,
	sorted,
	startN8n,
	step,
	testCredential,
	waitForExecution,
} from './harness.mjs';
import { importExample, loadSandboxModule, readExampleWorkflow } from './n8n-example.mjs';
import { checkAgentPhase } from './test-n8n-agent.mjs';
import { checkTriggerPhase } from './test-n8n-trigger.mjs';
import {
	N8N_VERSIONS,
	NODE_TYPE,
	ensureN8n,
	freePort,
	installPackageInto,
	n8nEnv,
	parseExecuteOutput,
	runN8n,
	restSettings,
	runtimeSpec,
	signIn,
	waitForN8n,
} from './n8n-runtime.mjs';

const argv = process.argv.slice(2);
const args = new Set(argv);
const versions = (
	argv
		.find((arg) => arg.startsWith('--n8n='))
		?.slice(6)
		.split(',') ?? N8N_VERSIONS
).filter(Boolean);
const checks = createChecks();
/** Per version: checks passed and failed. */
const tally = new Map();
/** The version whose checks are running; every check's name starts with it. */
let current = '';
function check(name, ok, detail) {
	const counts = tally.get(current);
	if (counts) counts[ok ? 'passed' : 'failed']++;
	return checks.check(current ? `[${current}] ${name}` : name, ok, detail);
}

/** What the example workflow does per provider, and the state the sandbox must end in. */
const PROVIDERS = {
	chert: {
		label: 'Chert',
		chatId: /^(ch_|[0-9a-f]{8}-)/,
		created: ['+14155550141', '+14155550142', '+14155550143'],
		final: ['+14155550142', '+14155550143', '+14155550144'],
		status: {
			create: 'done',
			add: 'done',
			send: 'done',
			rename: 'done',
			remove: 'done',
			leave: 'done',
		},
		outcome: { create: 'added', add: 'added', remove: 'removed' },
	},
	linq: {
		label: 'Linq',
		chatId: /^[0-9a-f]{8}-[0-9a-f]{4}-/,
		created: ['+14155550171', '+14155550172', '+14155550173'],
		final: ['+14155550172', '+14155550173', '+14155550174'],
		status: {
			create: 'done',
			add: 'accepted',
			send: 'accepted',
			rename: 'accepted',
			remove: 'accepted',
			leave: 'accepted',
		},
		outcome: { create: 'added', add: 'queued', remove: 'queued' },
	},
	periskope: {
		label: 'Periskope',
		chatId: /@g\.us$/,
		created: ['14155550184', '14155550185', '14155550186'],
		final: ['14155550185', '14155550186', '14155550187'],
		// WhatsApp: the new member becomes an admin, and Sync Members previews the list of the 3 who stay.
		steps: ['create', 'add', 'send', 'promote', 'rename', 'sync', 'remove', 'leave'],
		status: {
			create: 'done',
			add: 'done',
			send: 'accepted', // Periskope queues every send: messageId is its queue id
			promote: 'done',
			rename: 'done',
			sync: 'done',
			remove: 'done',
			leave: 'done',
		},
		outcome: { create: 'added', add: 'added', promote: 'promoted', remove: 'removed' },
		sync: {
			add: [],
			remove: ['14155550184'],
			unchanged: ['14155550185', '14155550186', '14155550187'],
		},
	},
};
/** Each step's node name after "<Provider>: "; a provider without `steps` runs DEFAULT_STEPS. */
const STEP_LABELS = {
	create: 'Create Group',
	add: 'Add Participants',
	send: 'Send Message',
	promote: 'Promote Admins',
	rename: 'Rename Group',
	sync: 'Sync Members',
	remove: 'Remove Participants',
	leave: 'Leave Group',
};
const DEFAULT_STEPS = ['create', 'add', 'send', 'rename', 'remove', 'leave'];

/** Boots `n8n start`, signs in as the env-provisioned owner and reads the node/credential types. */
async function checkServerListsNode(runtime, env, port, workflow) {
	const baseUrl = `http://127.0.0.1:${port}`;
	const n8n = startN8n(runtime, env);
	const t = Date.now();
	try {
		await waitForN8n(baseUrl, { child: n8n.child, timeoutMs: 180_000 });
		info(`n8n start: ready in ${secs(Date.now() - t)}`);
		const settings = await restSettings(baseUrl);
		if (runtime.ownerFromEnv) {
			check(
				'owner provisioned from env: no owner-setup screen (showSetupOnFirstLoad false)',
				settings?.data?.userManagement?.showSetupOnFirstLoad === false,
				JSON.stringify(settings?.data?.userManagement),
			);
		}
		let cookie = '';
		const how = runtime.ownerFromEnv
			? 'the env-provisioned owner'
			: 'the owner set up through REST /rest/owner/setup';
		try {
			const session = await signIn(baseUrl);
			cookie = session.cookie;
			check(
				`sign-in with ${how} works`,
				Boolean(cookie) && session.setUp === !runtime.ownerFromEnv,
			);
		} catch (error) {
			check(`sign-in with ${how} works`, false, error.message);
		}
		const nodes = await (
			await fetch(`${baseUrl}/types/nodes.json`, { headers: { cookie } })
		).json();
		const node = Array.isArray(nodes) ? nodes.find((n) => n.name === NODE_TYPE) : undefined;
		check(
			`n8n lists the node as ${NODE_TYPE}`,
			Boolean(node),
			Array.isArray(nodes)
				? `${nodes.length} node types, none named ${NODE_TYPE}`
				: JSON.stringify(nodes).slice(0, 300),
		);
		const creds = await (
			await fetch(`${baseUrl}/types/credentials.json`, { headers: { cookie } })
		).json();
		const credNames = Array.isArray(creds) ? creds.map((c) => c.name) : [];
		const wanted = ['chertApi', 'linqApi', 'periskopeApi'];
		check(
			'n8n lists the credential types chertApi, linqApi, periskopeApi',
			wanted.every((n) => credNames.includes(n)),
			`missing: ${wanted.filter((n) => !credNames.includes(n)).join(', ')}`,
		);
		if (workflow) await checkEditorActions(baseUrl, cookie, workflow, runtime);
	} catch (error) {
		check('n8n start boots with the package installed', false, `${error.message}\n${n8n.tail(30)}`);
	} finally {
		await n8n.stop();
	}
	const log = n8n.output();
	writeFileSync(join(env.N8N_USER_FOLDER, 'n8n-start.log'), log);
	const loadErrors = log
		.split('\n')
		.filter((l) => /n8n-nodes-group-chat/.test(l) && /error|fail|skipping/i.test(l));
	check(
		'no load errors for the package in the n8n log',
		loadErrors.length === 0,
		loadErrors.join('\n'),
	);
}

/** The running provider sandbox (in-process), for checks that read its state. */
let activeSandbox;

/** What a user does in the editor: "Test connection" on each credential, then "Execute workflow". */
async function checkEditorActions(baseUrl, cookie, workflow, runtime) {
	const credentialIds = [
		...new Set(workflow.nodes.flatMap((n) => Object.values(n.credentials ?? {}).map((c) => c.id))),
	];
	for (const id of credentialIds) {
		try {
			const { stored, result } = await testCredential(baseUrl, cookie, id);
			check(
				`editor "Test connection" for ${stored.name} (${stored.type}) succeeds`,
				result?.status === 'OK',
				JSON.stringify(result),
			);
		} catch (error) {
			check(`editor "Test connection" for credential ${id} succeeds`, false, error.message);
		}
	}
	// Two clicks on "Execute workflow" in the same n8n: both green, and each makes new groups
	// (the derived idempotency key is scoped to the execution, so the second click is not a replay).
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger').name;
	const providers = ['chert', 'linq', 'periskope'];
	const groupCount = () =>
		Object.fromEntries(providers.map((p) => [p, activeSandbox?.listChats(p).length ?? 0]));
	let previous = groupCount();
	for (const click of ['first', 'second']) {
		try {
			const executionId = await runFromEditor(baseUrl, cookie, runtime, workflow.id, trigger);
			const execution = await waitForExecution(baseUrl, cookie, executionId);
			check(
				`editor "Execute workflow", ${click} click (REST /run, execution ${executionId}) ends in success`,
				execution?.status === 'success',
				`status ${execution?.status}`,
			);
			const now = groupCount();
			check(
				`${click} click made one new group per provider`,
				providers.every((p) => now[p] === previous[p] + 1),
				`before ${JSON.stringify(previous)}, after ${JSON.stringify(now)}`,
			);
			previous = now;
		} catch (error) {
			check(`editor "Execute workflow", ${click} click ends in success`, false, error.message);
		}
	}
}

function nodeOutput(runData, name) {
	const run = runData?.[name]?.[0];
	return { run, json: run?.data?.main?.[0]?.[0]?.json, error: run?.error };
}

async function main() {
	for (const version of versions) runtimeSpec(version); // an unknown --n8n= fails before the build
	if (!args.has('--no-build') && !checkBuild(check)) return;
	const { startSandbox, DEMO } = await loadSandboxModule();
	for (const version of versions) {
		current = version;
		tally.set(version, { passed: 0, failed: 0, started: Date.now() });
		try {
			await runVersion(version, { startSandbox, DEMO });
		} catch (error) {
			check('test run completed', false, error.stack ?? String(error));
		}
		tally.get(version).ms = Date.now() - tally.get(version).started;
	}
	current = '';
	console.log('');
	for (const [version, counts] of tally)
		console.log(
			`n8n ${version}: ${counts.passed} passed, ${counts.failed} failed (${secs(counts.ms)})`,
		);
}

/** Steps 2-8 against one n8n version, with a sandbox of its own. */
async function runVersion(version, { startSandbox, DEMO }) {
	step(`n8n ${version}: provider sandbox`);
	const sandbox = await startSandbox({ port: 0 });
	activeSandbox = sandbox;
	info(`listening on ${sandbox.url}`);

	let userFolder;
	try {
		step(`n8n ${version}: runtime`);
		let t = Date.now();
		const runtime = await ensureN8n({ version });
		info(`n8n ${runtime.version} on Node ${runtime.nodeVersion} (${secs(Date.now() - t)})`);

		userFolder = mkdtempSync(join(tmpdir(), 'n8n-test-'));
		const port = await freePort();
		let brokerPort = await freePort();
		while (brokerPort === port) brokerPort = await freePort();
		const env = n8nEnv({
			version,
			userFolder,
			port,
			brokerPort,
			encryptionKey: `test-${process.pid}-${Date.now()}`,
			logLevel: 'info', // `n8n execute` prints its result through the info logger
		});
		const target = installPackageInto(userFolder);
		info(`user folder ${userFolder}\n  package copied to ${target}`);

		step(`n8n ${version}: import credentials and the example workflow (n8n CLI)`);
		t = Date.now();
		try {
			await importExample(runtime, env, { sandbox, DEMO, log: info });
			check('import:credentials and import:workflow succeed', true);
		} catch (error) {
			check('import:credentials and import:workflow succeed', false, error.message);
			return;
		}

		const workflow = readExampleWorkflow();
		if (!args.has('--skip-server')) {
			step(`n8n ${version}: n8n start (port ${port}): owner, node listing, editor actions`);
			await checkServerListsNode(runtime, env, port, workflow);
			sandbox.reset(); // the assertions below look at the CLI run only
		}

		step(`n8n ${version}: n8n execute --id=${workflow.id}`);
		const result = await runN8n(runtime, env, ['execute', `--id=${workflow.id}`, '--rawOutput'], {
			timeoutMs: 5 * 60_000,
		});
		info(`finished in ${secs(result.ms)} with exit code ${result.code}`);
		writeFileSync(join(userFolder, 'execute.stdout.log'), result.stdout);
		writeFileSync(join(userFolder, 'execute.stderr.log'), result.stderr);
		const execution = parseExecuteOutput(result.stdout);
		const runData = execution?.data?.resultData?.runData;
		const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
		check('n8n execute exits 0', result.code === 0, tail);
		check(
			'execution status is success',
			execution?.status === 'success',
			execution
				? `status ${execution.status}; error ${JSON.stringify(execution.data?.resultData?.error ?? null).slice(0, 500)}`
				: `no execution JSON in the output\n${tail}`,
		);
		if (!runData) return;

		await sandbox.settle(); // Linq applies queued changes ~50 ms later

		for (const [provider, spec] of Object.entries(PROVIDERS)) {
			step(`${spec.label}`);
			const outputs = {};
			const steps = spec.steps ?? DEFAULT_STEPS;
			for (const op of steps) {
				const name = `${spec.label}: ${STEP_LABELS[op]}`;
				const { json, error } = nodeOutput(runData, name);
				outputs[op] = json;
				const ok = check(
					`${name}: ran, status "${spec.status[op]}"`,
					json && !error && json.status === spec.status[op] && json.provider === provider,
					error
						? `error: ${error.message} ${error.description ?? ''}`
						: `output: ${JSON.stringify(json)?.slice(0, 400)}`,
				);
				if (ok && spec.outcome[op]) {
					const outcomes = (json.participants ?? []).map((p) => p.outcome);
					const expectedCount = op === 'create' ? 3 : 1;
					check(
						`${name}: ${expectedCount} participant(s) "${spec.outcome[op]}"`,
						outcomes.length === expectedCount && outcomes.every((o) => o === spec.outcome[op]),
						JSON.stringify(json.participants),
					);
				}
			}
			const chatId = outputs.create?.chatId;
			if (
				!check(
					`${spec.label}: chat id ${chatId} has the provider's format`,
					typeof chatId === 'string' && spec.chatId.test(chatId),
				)
			)
				continue;
			check(
				`${spec.label}: later steps used the created chat id (expression)`,
				steps.filter((op) => op !== 'create').every((op) => outputs[op]?.chatId === chatId),
				JSON.stringify(
					Object.fromEntries(Object.entries(outputs).map(([op, json]) => [op, json?.chatId])),
				),
			);
			const createdWith = sandbox.requests.find(
				(r) =>
					r.provider === provider && r.method === 'POST' && /\/(chats|chats\/create)$/.test(r.path),
			);
			check(`${spec.label}: the sandbox received the create request`, Boolean(createdWith));
			const chat = sandbox.getChat(provider, chatId);
			if (!check(`${spec.label}: the sandbox knows chat ${chatId}`, Boolean(chat))) continue;
			const members = sorted(chat.participants.filter((p) => p !== chat.self));
			check(
				`${spec.label}: final roster is ${spec.final.join(', ')} (created with ${spec.created.length}, +1, −1)`,
				same(members, sorted(spec.final)),
				`roster ${JSON.stringify(chat.participants)}`,
			);
			const renamed = workflow.nodes.find((n) => n.name === `${spec.label}: Rename Group`)
				.parameters.groupName;
			check(
				`${spec.label}: group renamed to "${renamed}"`,
				chat.name === renamed,
				`name ${JSON.stringify(chat.name)}`,
			);
			check(
				`${spec.label}: our line ${chat.self} left the group`,
				chat.selfIsMember === false && !chat.participants.includes(chat.self),
				`selfIsMember ${chat.selfIsMember}, participants ${JSON.stringify(chat.participants)}`,
			);
			// The welcome message after Add: in the sandbox's message log of this chat, sent by our
			// line, with the node's text, under the id the node output (Periskope: its queue id).
			const welcome = workflow.nodes.find((n) => n.name === `${spec.label}: Send Message`)
				.parameters.message;
			const sent = sandbox.messages(provider, chatId).filter((m) => m.direction === 'outbound');
			const sentId = outputs.send?.messageId;
			check(
				`${spec.label}: the welcome message reached the group (sandbox message log: one message from our line, the node's text, id ${sentId})`,
				sent.length === 1 &&
					sent[0].text === welcome &&
					sent[0].from === chat.self &&
					typeof sentId === 'string' &&
					(provider === 'periskope' ? sent[0].queueId === sentId : sent[0].id === sentId),
				JSON.stringify(sent.map(({ id, queueId, from, text }) => ({ id, queueId, from, text }))),
			);
			if (spec.sync) {
				const sync = outputs.sync?.sync;
				check(
					`${spec.label}: Sync Members (Preview Only) output the plan (add ${JSON.stringify(spec.sync.add)}, remove ${JSON.stringify(spec.sync.remove)}, unchanged ${spec.sync.unchanged.length}) and changed nothing`,
					sync?.preview === true &&
						same(sync.plan?.add ?? [], spec.sync.add) &&
						same(sync.plan?.remove ?? [], spec.sync.remove) &&
						same(sorted(sync.unchanged ?? []), sorted(spec.sync.unchanged)) &&
						[sync.added, sync.removed, sync.invited, sync.failed].every(
							(list) => list?.length === 0,
						) &&
						sandbox.requests.filter(
							(r) =>
								r.provider === provider && r.method === 'POST' && /\/(add|remove)$/.test(r.path),
						).length === 2, // Add Participants' and Remove Participants' own requests only
					JSON.stringify(sync),
				);
			}
			if (provider === 'periskope') {
				check(
					'Periskope: contacts were added directly, nobody was only invited',
					(chat.invited ?? []).length === 0,
					`invited ${JSON.stringify(chat.invited)}`,
				);
			}
			const rejected = sandbox.requests.filter((r) => r.provider === provider && r.status >= 400);
			check(
				`${spec.label}: the sandbox answered every request with success`,
				rejected.length === 0,
				rejected.map((r) => `${r.method} ${r.path} → ${r.status}`).join('\n'),
			);
		}
		const unknown = sandbox.requests.filter((r) => r.provider === 'unknown');
		check(
			'no requests to unknown sandbox paths',
			unknown.length === 0,
			unknown.map((r) => `${r.method} ${r.url}`).join('\n'),
		);

		// Group Chat Trigger: activation, deliveries and executions in the real n8n.
		if (!args.has('--skip-trigger')) {
			await checkTriggerPhase({ runtime, env, port, sandbox, DEMO, lifecycle: workflow, check });
		}
		// An AI Agent with a scripted model uses the node as its tool.
		if (!args.has('--skip-agent')) {
			await checkAgentPhase({ runtime, env, port, sandbox, check });
		}
	} finally {
		await sandbox.stop();
		if (userFolder) {
			if (args.has('--keep') || checks.failed > 0)
				info(`\nuser folder kept for inspection: ${userFolder}`);
			else rmSync(userFolder, { recursive: true, force: true });
		}
	}
}

await checks.run(main);
checks.finish('n8n');
