/**
 * Runs real workflows through n8n-core's WorkflowExecute with this package's real node and
 * credential classes: parameters and expressions resolved by n8n, requests sent by n8n's
 * httpRequestWithAuthentication, credentials applied by their own `authenticate`.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { GroupChat } from '../../nodes/GroupChat/GroupChat.node';
import { TestCredentialsHelper, credentialTypeOf } from './credentials';

export const NODE_TYPE = 'n8n-nodes-group-chat.groupChat';

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = { [NODE_TYPE]: new GroupChat() };

	getByName(type: string): INodeType {
		return this.getByNameAndVersion(type);
	}

	getByNameAndVersion(type: string): INodeType {
		const nodeType = this.types[type];
		if (!nodeType) throw new Error(`Unknown node type ${type}`);
		return nodeType;
	}

	getKnownTypes() {
		return {};
	}
}

let nodeCounter = 0;

/** A Group Chat node as it would appear in a saved workflow. */
export function groupChatNode(
	name: string,
	parameters: IDataObject,
	settings: Partial<INode> = {},
): INode {
	const credentialType = credentialTypeOf(parameters.provider);
	return {
		id: `node-${++nodeCounter}`,
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: {
			[credentialType]: { id: `cred-${credentialType}`, name: `${credentialType} test` },
		},
		...settings,
	};
}

/** Connects nodes one after the other. */
export function chain(...names: string[]): IConnections {
	const connections: IConnections = {};
	for (let index = 0; index < names.length - 1; index++) {
		connections[names[index]] = { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

export interface WorkflowRun {
	run: IRun;
	/** Output items of a node's first run (main output 0). */
	output(nodeName: string): INodeExecutionData[];
	/** The workflow-level error message, if the execution failed. */
	error?: Error & { description?: string | null; context?: IDataObject };
}

export async function runWorkflow(options: {
	nodes: INode[];
	connections?: IConnections;
	items?: IDataObject[];
	credentials: Record<string, ICredentialDataDecryptedObject>;
	workflowId?: string;
	/**
	 * The execution context of an earlier run, carried over the way n8n's "Retry" of a failed
	 * execution carries the saved execution data (run.data.executionData.contextData).
	 */
	contextData?: IDataObject;
}): Promise<WorkflowRun> {
	const nodeTypes = new TestNodeTypes();
	const workflowId = options.workflowId ?? 'wf-test';
	const workflow = new Workflow({
		id: workflowId,
		nodes: options.nodes,
		connections: options.connections ?? {},
		nodeTypes,
		active: false,
		settings: {},
	});
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-1', {
		id: workflowId,
		name: 'test',
		active: false,
		isArchived: false,
		nodes: options.nodes,
		connections: options.connections ?? {},
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as never);
	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));

	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(options.credentials),
		hooks,
		executionId: 'exec-1',
		workflowId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formBaseUrl: '',
		formWaitingBaseUrl: '',
		formTestBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		mcpBaseUrl: '',
		mcpTestBaseUrl: '',
		variables: {},
		logAiEvent: () => {},
		executeWorkflow: async () => {
			throw new Error('not supported in tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('not supported in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const items = (options.items ?? [{}]).map((json) => ({ json }));
	const start = options.nodes[0];
	const runExecutionData: IRunExecutionData = {
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: options.contextData ? structuredClone(options.contextData) : {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [{ node: start, data: { main: [items] }, source: null }],
		},
	} as unknown as IRunExecutionData;

	const execute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	await execute.processRunExecutionData(workflow);
	const run = await finished;
	const runData = run.data.resultData.runData;
	return {
		run,
		output: (nodeName) => runData[nodeName]?.[0]?.data?.main?.[0] ?? [],
		error: run.data.resultData.error as WorkflowRun['error'],
	};
}
