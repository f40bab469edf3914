/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test harness, not shipped in dist */
/**
 * A faithful stand-in for what n8n does around a webhook trigger, with n8n-core's real
 * HookContext (activation: checkExists → create, deactivation: delete) and WebhookContext
 * (one per received request), the real GroupChatTrigger node and credential classes, and a
 * loopback HTTP receiver that plays n8n's webhook endpoint: it reads the raw body (as n8n's
 * rawBodyReader does), hands the request to the node, and answers as n8n's webhook helpers do
 * (the node's own 401, a 200 without execution, or n8n's "onReceived" answer with the items).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { HookContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeType,
	type INodeTypes,
	type IWebhookData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { GroupChatTrigger } from '../../nodes/GroupChatTrigger/GroupChatTrigger.node';
import { TestCredentialsHelper as CredentialsHelper, credentialTypeOf } from './credentials';

export const TRIGGER_TYPE = 'n8n-nodes-group-chat.groupChatTrigger';

let harnessCount = 0;

class NodeTypes implements INodeTypes {
	private readonly node = new GroupChatTrigger();
	getByName(): INodeType {
		return this.node;
	}
	getByNameAndVersion(type: string): INodeType {
		if (type !== TRIGGER_TYPE) throw new Error(`Unknown node type ${type}`);
		return this.node;
	}
	getKnownTypes() {
		return {};
	}
}

export interface Received {
	status: number;
	body: unknown;
	/** Items the node returned: an execution would have started with them. */
	items?: IDataObject[];
}

export interface HarnessOptions {
	provider: 'chert' | 'linq' | 'periskope';
	parameters: IDataObject;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** 'webhook' (production URL) or 'manual' (test URL). */
	mode?: 'webhook' | 'manual';
	/** Static data to start from (a restart: what n8n saved in its database). */
	staticData?: IDataObject;
	webhookId?: string;
	workflowId?: string;
	/**
	 * false: count executions and items instead of keeping them (the bench's long runs: n8n hands
	 * each execution its items and keeps nothing in the webhook process either).
	 */
	retain?: boolean;
}

/** An activated (or not yet) workflow holding one Group Chat Trigger node. */
export class TriggerHarness {
	readonly node: INode;
	readonly workflow: Workflow;
	readonly received: Received[] = [];
	/** Executions the trigger started: one entry per delivery that produced items. */
	readonly executions: IDataObject[][] = [];
	/** Executions started and items in them (kept also when `retain` is false). */
	executionCount = 0;
	itemCount = 0;
	private readonly retain: boolean;
	private server!: Server;
	private baseUrl = '';
	private readonly mode: WorkflowExecuteMode;
	private readonly nodeTypes = new NodeTypes();
	private readonly credentialsHelper: CredentialsHelper;

	private constructor(options: HarnessOptions) {
		this.mode = options.mode === 'manual' ? 'manual' : 'webhook';
		this.retain = options.retain !== false;
		this.credentialsHelper = new CredentialsHelper(options.credentials);
		const credentialType = credentialTypeOf(options.provider);
		this.node = {
			id: 'trigger-1',
			name: 'Group Chat Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: options.webhookId ?? 'a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
			parameters: { provider: options.provider, ...options.parameters } as INode['parameters'],
			credentials: {
				[credentialType]: { id: `cred-${credentialType}`, name: `${credentialType} test` },
			},
		};
		this.workflow = new Workflow({
			// Each harness is its own workflow unless a test says otherwise (a restart keeps the id).
			id: options.workflowId ?? `wf-trigger-${++harnessCount}`,
			nodes: [this.node],
			connections: {},
			nodeTypes: this.nodeTypes,
			active: true,
			settings: {},
			staticData: options.staticData
				? (JSON.parse(JSON.stringify(options.staticData)) as IDataObject)
				: {},
		});
	}

	static async start(options: HarnessOptions): Promise<TriggerHarness> {
		const harness = new TriggerHarness(options);
		harness.server = createServer((req, res) => void harness.onRequest(req, res));
		await new Promise<void>((resolve) => harness.server.listen(0, '127.0.0.1', resolve));
		harness.baseUrl = `http://127.0.0.1:${(harness.server.address() as AddressInfo).port}/`;
		return harness;
	}

	private additionalData(
		extra: Partial<IWorkflowExecuteAdditionalData> = {},
	): IWorkflowExecuteAdditionalData {
		return {
			credentialsHelper: this.credentialsHelper,
			executionId: 'exec-trigger',
			workflowId: this.workflow.id,
			currentNodeExecutionIndex: 0,
			restApiUrl: `${this.baseUrl}rest`,
			instanceBaseUrl: this.baseUrl,
			webhookBaseUrl: `${this.baseUrl}webhook`,
			webhookTestBaseUrl: `${this.baseUrl}webhook-test`,
			webhookWaitingBaseUrl: `${this.baseUrl}webhook-waiting`,
			formBaseUrl: '',
			formTestBaseUrl: '',
			formWaitingBaseUrl: '',
			mcpBaseUrl: '',
			mcpTestBaseUrl: '',
			variables: {},
			logAiEvent: () => {},
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			...extra,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	private webhookData(): IWebhookData {
		const description = this.nodeTypes.getByNameAndVersion(TRIGGER_TYPE).description.webhooks![0];
		return {
			httpMethod: 'POST',
			node: this.node.name,
			path: `${this.node.webhookId}/webhook`,
			webhookDescription: description,
			workflowId: this.workflow.id!,
			workflowExecuteAdditionalData: this.additionalData(),
			webhookId: this.node.webhookId,
			isTest: this.mode === 'manual',
		} as IWebhookData;
	}

	private hook() {
		const methods = new GroupChatTrigger().webhookMethods.default;
		const context = new HookContext(
			this.workflow,
			this.node,
			this.additionalData(),
			this.mode,
			this.mode === 'manual' ? 'manual' : 'activate',
			this.webhookData(),
		);
		return { methods, context };
	}

	/** As n8n activates a webhook trigger: checkExists, and create when it says false. */
	async activate(): Promise<{ existed: boolean }> {
		const { methods, context } = this.hook();
		const existed = await methods.checkExists.call(context);
		if (!existed) {
			const created = await methods.create.call(context);
			if (!created) throw new Error('create() returned false');
		}
		return { existed };
	}

	async checkExists(): Promise<boolean> {
		const { methods, context } = this.hook();
		return await methods.checkExists.call(context);
	}

	async deactivate(): Promise<boolean> {
		const { methods, context } = this.hook();
		return await methods.delete.call(context);
	}

	/** The URL n8n gives this trigger (production or test). */
	get webhookUrl(): string {
		return `${this.baseUrl}${this.mode === 'manual' ? 'webhook-test' : 'webhook'}/${this.node.webhookId}/webhook`;
	}

	/** The node's static data (what n8n saves with the workflow). */
	get staticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node) as IDataObject;
	}

	/** Sends a delivery to the receiver over HTTP, as a provider (or an attacker) would. */
	async post(
		body: string | Uint8Array,
		headers: Record<string, string>,
		query = '',
	): Promise<Received> {
		const before = this.received.length;
		const response = await fetch(`${this.webhookUrl}${query}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body,
		});
		await response.arrayBuffer();
		return this.received[before];
	}

	private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(req.url ?? '/', this.baseUrl);
		const record: Received = { status: 0, body: undefined };
		this.received.push(record);
		const expected = new URL(this.webhookUrl).pathname;
		const reply = (status: number, body: unknown) => {
			record.status = status;
			record.body = body;
			if (res.headersSent) return;
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (req.method !== 'POST' || url.pathname !== expected)
			return reply(404, { message: 'webhook not registered' });

		let parsed: unknown = {};
		try {
			parsed = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : {};
		} catch {
			parsed = {};
		}
		// What n8n's request carries into a webhook: rawBody, parsed body, query, headers.
		const request = Object.assign(req, {
			rawBody,
			body: parsed,
			query: Object.fromEntries(url.searchParams.entries()),
			params: {},
		});
		// The express methods a node uses on the response object.
		const response = Object.assign(res, {
			status(code: number) {
				res.statusCode = code;
				return response;
			},
			json(body: unknown) {
				record.status = res.statusCode;
				record.body = body;
				res.setHeader('content-type', 'application/json');
				res.end(JSON.stringify(body));
				return response;
			},
			send(body: unknown) {
				record.status = res.statusCode;
				record.body = body;
				res.end(typeof body === 'string' ? body : JSON.stringify(body));
				return response;
			},
		});
		const context = new WebhookContext(
			this.workflow,
			this.node,
			this.additionalData({ httpRequest: request, httpResponse: response } as never),
			this.mode,
			this.webhookData(),
			[],
			null,
		);
		try {
			const result = await new GroupChatTrigger().webhook.call(context);
			if (result.noWebhookResponse) {
				if (!res.writableEnded) reply(500, { message: 'node claimed to answer but did not' });
				return;
			}
			if (result.workflowData === undefined) {
				return reply(200, result.webhookResponse ?? { message: 'Webhook call received' });
			}
			const items = result.workflowData[0].map((item) => item.json);
			this.executionCount++;
			this.itemCount += items.length;
			if (this.retain) {
				record.items = items;
				this.executions.push(items);
			}
			// n8n's answer for responseMode "onReceived" (extractWebhookOnReceivedResponse): the
			// description's responseData (n8n's default: the literal text "firstEntryJson"), else the
			// node's webhookResponse, else {message: "Workflow was started"}.
			const described =
				this.nodeTypes.getByNameAndVersion(TRIGGER_TYPE).description.webhooks![0].responseData;
			const responseData = described === undefined ? 'firstEntryJson' : described;
			reply(
				200,
				responseData === 'noData'
					? undefined
					: responseData || (result.webhookResponse ?? { message: 'Workflow was started' }),
			);
		} catch (error) {
			reply(500, { message: (error as Error).message });
		}
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}
