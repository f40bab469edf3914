// The AI Agent phase of `npm run test:n8n`, in the real n8n: an AI Agent (Tools Agent) drives
// the Group Chat node as its tool (examples/group-chat-ai-agent.workflow.json).
//  1. a scripted OpenAI-compatible model on loopback (scripts/openai-stub.mjs); the example's
//     OpenAI credential ("OpenAI (local stub)") is imported with its Base URL pointing there;
//  2. `n8n start`: n8n offers the node as a tool (n8n-nodes-group-chat.groupChatTool);
//  3. the editor's "Execute workflow" (REST /run): the model is asked to create a group and add
//     someone. The stub answers with tool calls chosen by the tool names n8n sent it, fills the
//     arguments from each tool's own parameter schema, and passes the chat ID from the create
//     result into the add call;
//  4. checks: the schemas n8n gave the model (every field the operation needs, either fixed in
//     the tool node or a described parameter), the calls, the execution, and the sandbox's group.
import { createRequire } from 'node:module';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { info, runFromEditor, startN8n, step, waitForExecution } from './harness.mjs';
import { ROOT, runN8nChecked, signIn, waitForN8n } from './n8n-runtime.mjs';
import { startOpenAiStub } from './openai-stub.mjs';

export const AGENT_WORKFLOW = join(ROOT, 'examples', 'group-chat-ai-agent.workflow.json');
const TOOL_TYPE = 'n8n-nodes-group-chat.groupChatTool';
const NODE_TYPE = 'n8n-nodes-group-chat.groupChat';
const STUB_KEY = 'sk-local-stub-key';

export function readAgentWorkflow() {
	return JSON.parse(readFileSync(AGENT_WORKFLOW, 'utf8'));
}

/** What the scripted model says: the group, its first members, and who joins next. */
const SCRIPT = {
	groupName: 'Launch crew',
	firstMessage: 'Hello, launch crew!',
	created: '+1 415 555 0161, +1 415 555 0162',
	added: '+1 415 555 0163',
};
const E164 = { created: ['+14155550161', '+14155550162'], added: '+14155550163' };

/** A tool message's text (string content, or OpenAI content parts). */
function messageText(message) {
	if (typeof message?.content === 'string') return message.content;
	if (Array.isArray(message?.content))
		return message.content.map((part) => part?.text ?? '').join('');
	return '';
}

/** The first `chatId` anywhere in a tool result (JSON, or text holding JSON). */
export function chatIdFrom(text) {
	const seen = (value) => {
		if (!value || typeof value !== 'object') return undefined;
		if (typeof value.chatId === 'string') return value.chatId;
		for (const child of Object.values(value)) {
			const found = seen(
				typeof child === 'string' && /^[[{]/.test(child.trim()) ? safeJson(child) : child,
			);
			if (found) return found;
		}
		return undefined;
	};
	return seen(safeJson(text)) ?? /"chatId"\s*:\s*"([^"]+)"/.exec(text)?.[1];
}

function safeJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Arguments for `tool`: one scripted value per parameter its schema declares; unknown ones fail. */
function argumentsFor(tool, values) {
	const properties = tool.parameters?.properties ?? {};
	const args = {};
	for (const key of Object.keys(properties)) {
		if (values[key] === undefined)
			throw new Error(`tool ${tool.name} asks for "${key}", which the script has no value for`);
		args[key] = values[key];
	}
	return args;
}

/**
 * The scripted model: picks the tools by the names n8n sent (create…, add…), reads what has
 * already happened from the conversation, and takes the next step.
 */
export function agentScript(body) {
	const tools = (body.tools ?? []).map((tool) => tool.function ?? tool);
	const create = tools.find((tool) => /create/i.test(tool.name));
	const add = tools.find((tool) => /add/i.test(tool.name));
	if (!create || !add)
		throw new Error(
			`expected a create and an add tool, got: ${tools.map((tool) => tool.name).join(', ') || 'none'}`,
		);
	const calls = body.messages.flatMap((message) =>
		message.role === 'assistant' ? (message.tool_calls ?? []) : [],
	);
	const resultOf = (tool) => {
		const call = calls.find((entry) => entry.function?.name === tool.name);
		return (
			call &&
			body.messages.find((message) => message.role === 'tool' && message.tool_call_id === call.id)
		);
	};
	const created = resultOf(create);
	if (!created) {
		return {
			toolCalls: [
				{
					name: create.name,
					arguments: argumentsFor(create, {
						participants: SCRIPT.created,
						groupName: SCRIPT.groupName,
						firstMessage: SCRIPT.firstMessage,
					}),
				},
			],
		};
	}
	const chatId = chatIdFrom(messageText(created));
	if (!chatId)
		throw new Error(
			`no chatId in the ${create.name} result: ${messageText(created).slice(0, 300)}`,
		);
	if (!resultOf(add)) {
		return {
			toolCalls: [
				{ name: add.name, arguments: argumentsFor(add, { chatId, participants: SCRIPT.added }) },
			],
		};
	}
	return { content: `Created "${SCRIPT.groupName}" (${chatId}) and added ${SCRIPT.added}.` };
}

/** Does a node parameter's displayOptions show it for these parameter values (provider, operation)? */
function shownFor(property, values) {
	const { show, hide } = property.displayOptions ?? {};
	const matches = (key, allowed) => !(key in values) || allowed.includes(values[key]);
	if (show && !Object.entries(show).every(([key, allowed]) => matches(key, allowed))) return false;
	if (
		hide &&
		Object.entries(hide).some(([key, blocked]) => key in values && blocked.includes(values[key]))
	)
		return false;
	return true;
}

/**
 * The parameters an operation needs (required and shown for that provider and operation, per
 * the node's own description in the editor) and, for each, where the tool node gets it: a fixed
 * value, or `$fromAI(key, description)` — then the schema n8n sent the model must declare `key`
 * with a description and require it. Returns one problem string per shortfall.
 */
export function toolSchemaProblems(nodeDescription, toolNode, tool) {
	const problems = [];
	const values = {
		provider: toolNode.parameters.provider,
		operation: toolNode.parameters.operation,
	};
	const needed = nodeDescription.properties.filter(
		(property) =>
			property.required &&
			!['notice', 'callout'].includes(property.type) &&
			shownFor(property, values),
	);
	const properties = tool.parameters?.properties ?? {};
	const required = tool.parameters?.required ?? [];
	for (const { name } of needed) {
		const raw = toolNode.parameters[name];
		const text =
			typeof raw === 'object' && raw !== null ? String(raw.value ?? '') : String(raw ?? '');
		const fromAi = /\$fromAI\(\s*['"`]([\w-]+)['"`]/.exec(text)?.[1];
		if (!fromAi) {
			if (!text.trim())
				problems.push(
					`"${name}" is needed but neither fixed in the tool node nor a $fromAI() parameter`,
				);
			continue;
		}
		const declared = properties[fromAi];
		if (!declared)
			problems.push(
				`"${name}" comes from $fromAI('${fromAi}') but the model's schema has no "${fromAi}"`,
			);
		else if (
			!(typeof declared.description === 'string' && declared.description.trim().length >= 15)
		)
			problems.push(
				`"${fromAi}" has no useful description for the model (${JSON.stringify(declared.description)})`,
			);
		else if (!required.includes(fromAi))
			problems.push(`"${fromAi}" is not required in the model's schema`);
	}
	// The model picks a tool by its description: it must name this tool's operation.
	const operationWord = { create: /create/i, addParticipants: /\badd/i }[values.operation];
	if (!(typeof tool.description === 'string' && operationWord?.test(tool.description)))
		problems.push(
			`the tool's description does not say what it does (${JSON.stringify(tool.description)})`,
		);
	return { problems, needed: needed.map((property) => property.name) };
}

/** Imports the stub's OpenAI credential (decrypted JSON, encrypted by n8n) and the agent example. */
async function importAgentExample(runtime, env, stub) {
	const workflow = readAgentWorkflow();
	const model = workflow.nodes.find(
		(node) => node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi',
	);
	const { id, name } = model.credentials.openAiApi;
	const scratch = join(env.N8N_USER_FOLDER, 'import');
	mkdirSync(scratch, { recursive: true });
	const credentialsFile = join(scratch, 'openai-stub-credentials.json');
	writeFileSync(
		credentialsFile,
		JSON.stringify([
			{ id, name, type: 'openAiApi', data: { apiKey: STUB_KEY, url: stub.url, header: false } },
		]),
	);
	chmodSync(credentialsFile, 0o600);
	try {
		await runN8nChecked(runtime, env, ['import:credentials', `--input=${credentialsFile}`]);
	} finally {
		rmSync(credentialsFile, { force: true });
	}
	await runN8nChecked(runtime, env, ['import:workflow', `--input=${AGENT_WORKFLOW}`]);
	return workflow;
}

/** `check` counts for the caller's run (test-n8n.mjs). */
export async function checkAgentPhase({ runtime, env, port, sandbox, check }) {
	step(
		'AI Agent: a scripted OpenAI-compatible model on loopback, the agent example imported (CLI)',
	);
	const stub = await startOpenAiStub({ apiKey: STUB_KEY, reply: agentScript });
	info(`model stub on ${stub.url}`);
	let workflow;
	try {
		workflow = await importAgentExample(runtime, env, stub);
		check(
			'import:credentials (OpenAI, Base URL = the stub) + import:workflow for the agent example succeed',
			true,
		);
	} catch (error) {
		check(
			'import:credentials + import:workflow for the agent example succeed',
			false,
			error.message,
		);
		await stub.stop();
		return;
	}
	const createNode = workflow.nodes.find((node) => node.name === 'Create group');
	const addNode = workflow.nodes.find((node) => node.name === 'Add participants');

	step(`AI Agent: n8n start (port ${port}), "Execute workflow" on "${workflow.name}"`);
	const baseUrl = `http://127.0.0.1:${port}`;
	const n8n = startN8n(runtime, env);
	try {
		await waitForN8n(baseUrl, { child: n8n.child, timeoutMs: 180_000 });
		const { cookie } = await signIn(baseUrl);
		const types = await (
			await fetch(`${baseUrl}/types/nodes.json`, { headers: { cookie } })
		).json();
		const toolType = types.find((type) => type.name === TOOL_TYPE);
		const nodeType = types.find((type) => type.name === NODE_TYPE);
		check(
			`n8n offers the node as an AI tool (${TOOL_TYPE}, output ai_tool)`,
			Boolean(toolType) && JSON.stringify(toolType.outputs).includes('ai_tool'),
			toolType
				? `outputs ${JSON.stringify(toolType.outputs)}`
				: `no ${TOOL_TYPE} among ${types.length} node types`,
		);

		const before = sandbox.listChats('chert').length;
		const manual = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger').name;
		const executionId = await runFromEditor(baseUrl, cookie, runtime, workflow.id, manual);
		const execution = await waitForExecution(baseUrl, cookie, executionId);
		const flatted = createRequire(join(runtime.n8nDir, 'node_modules', 'n8n', 'package.json'))(
			'flatted',
		);
		const data =
			typeof execution?.data === 'string' ? flatted.parse(execution.data) : execution?.data;
		const runData = data?.resultData?.runData ?? {};
		check(
			`the agent's execution ${executionId} ends in success`,
			execution?.status === 'success',
			`status ${execution?.status}; error ${JSON.stringify(data?.resultData?.error ?? null).slice(0, 600)}`,
		);

		const completions = stub.requests.filter((request) => request.path === '/v1/chat/completions');
		info(
			`the stub answered ${stub.requests.length} request(s): ${stub.requests.map((r) => `${r.method} ${r.path} → ${r.status}`).join(', ')}`,
		);
		check(
			"the model stub got 3 chat completions (create call, add call, final answer), each with the credential's key, none refused",
			completions.length === 3 && stub.requests.every((request) => request.status === 200),
			stub.requests
				.map((r) => `${r.method} ${r.path} → ${r.status}${r.error ? ` (${r.error})` : ''}`)
				.join('\n'),
		);
		const first = completions[0]?.body;
		const userText = (first?.messages ?? [])
			.filter((m) => m.role === 'user')
			.map(messageText)
			.join('\n');
		check(
			'the model got the prompt and the two Group Chat tools by their node names (Create_group, Add_participants)',
			/Launch crew/.test(userText) &&
				['Create_group', 'Add_participants'].every((name) =>
					(first?.tools ?? []).some((tool) => (tool.function ?? tool).name === name),
				),
			`tools ${JSON.stringify((first?.tools ?? []).map((tool) => (tool.function ?? tool).name))}; prompt ${userText.slice(0, 200)}`,
		);
		const offered = (name) =>
			(first?.tools ?? []).map((tool) => tool.function ?? tool).find((tool) => tool.name === name);
		for (const [toolNode, toolName] of [
			[createNode, 'Create_group'],
			[addNode, 'Add_participants'],
		]) {
			const tool = offered(toolName);
			if (!tool || !nodeType) continue;
			const { problems, needed } = toolSchemaProblems(nodeType, toolNode, tool);
			info(
				`${toolName}: "${tool.description}"; parameters ${Object.entries(
					tool.parameters?.properties ?? {},
				)
					.map(([key, value]) => `${key} (${value.type}: ${value.description})`)
					.join('; ')}`,
			);
			check(
				`${toolName}'s schema makes sense: every field ${toolNode.parameters.operation} needs on Chert (${needed.join(', ')}) is fixed in the tool or a described, required parameter; its description names the operation`,
				problems.length === 0,
				problems.join('\n'),
			);
		}

		const createCall = completions[0]?.reply?.toolCalls?.[0];
		const addCall = completions[1]?.reply?.toolCalls?.[0];
		const toolResult = (completions[1]?.body?.messages ?? []).find(
			(message) => message.role === 'tool',
		);
		const chatId = chatIdFrom(messageText(toolResult));
		check(
			'the create result the model saw holds the new chat ID, and the add call passed it on',
			typeof chatId === 'string' &&
				/^(ch_|[0-9a-f]{8}-)/.test(chatId) &&
				addCall?.arguments?.chatId === chatId,
			`chatId ${chatId}; add call ${JSON.stringify(addCall)}; tool message ${messageText(toolResult).slice(0, 300)}`,
		);
		check(
			'n8n ran both tool nodes once (runData "Create group" and "Add participants")',
			runData['Create group']?.length === 1 && runData['Add participants']?.length === 1,
			`runData nodes: ${Object.entries(runData)
				.map(([name, runs]) => `${name} ×${runs.length}`)
				.join(', ')}`,
		);
		const output = runData['AI Agent']?.at(-1)?.data?.main?.[0]?.[0]?.json?.output;
		check(
			"the agent's output is the model's final answer",
			typeof output === 'string' && output === completions[2]?.reply?.content,
			`output ${JSON.stringify(output)}`,
		);

		const chat = chatId ? sandbox.getChat('chert', chatId) : undefined;
		const members = chat ? chat.participants.filter((p) => p !== chat.self) : [];
		check(
			`the sandbox has the group "${SCRIPT.groupName}" with ${[...E164.created, E164.added].join(', ')} (one new Chert group)`,
			Boolean(chat) &&
				chat.name === SCRIPT.groupName &&
				[...E164.created, E164.added].every((address) => members.includes(address)) &&
				members.length === 3 &&
				sandbox.listChats('chert').length === before + 1,
			chat
				? `name ${JSON.stringify(chat.name)}, members ${JSON.stringify(members)}`
				: `no chat ${chatId} at the sandbox`,
		);
		check(
			'the create call carried what the model chose (participants, first message, name)',
			createCall?.arguments?.participants === SCRIPT.created &&
				createCall?.arguments?.firstMessage === SCRIPT.firstMessage,
			JSON.stringify(createCall),
		);
	} catch (error) {
		check('AI Agent phase completed', false, `${error.stack}\n${n8n.tail(30)}`);
	} finally {
		await n8n.stop();
		await stub.stop();
	}
}
