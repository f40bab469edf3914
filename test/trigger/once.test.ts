/**
 * "One verified event, one execution" inside the executions deliveries start: the Group Chat
 * Trigger's execute() runs in n8n-core's WorkflowExecute exactly as n8n runs a webhook execution
 * (the trigger first on the stack with the items its webhook() returned, mode "webhook"), against
 * n8n's deduplication store modelled at n8n's own boundary (test/helpers/dedup-store.ts,
 * DataDeduplicationService.init). The model interleaves concurrent executions at every database
 * step, so the race n8n's store has (read, then write back) shows up — the control test proves it
 * does — and the trigger's lock must hold against it.
 */
import { DataDeduplicationService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { GroupChatTrigger } from '../../nodes/GroupChatTrigger/GroupChatTrigger.node';
import { recordOnce, type OnceStore } from '../../src/dedup';
import { DedupStoreModel } from '../helpers/dedup-store';
import { TestCredentialsHelper } from '../helpers/credentials';

const TRIGGER = 'n8n-nodes-group-chat.groupChatTrigger';
const SINK = 'test.sink';

/** The node after the trigger: what runs once per event. */
class Sink implements INodeType {
	description = {
		displayName: 'Sink',
		name: 'sink',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Sink' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

class NodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = {
		[TRIGGER]: new GroupChatTrigger(),
		[SINK]: new Sink(),
	};
	getByName(type: string): INodeType {
		return this.getByNameAndVersion(type);
	}
	getByNameAndVersion(type: string): INodeType {
		const found = this.types[type];
		if (!found) throw new Error(`Unknown node type ${type}`);
		return found;
	}
	getKnownTypes() {
		return {};
	}
}

const store = new DedupStoreModel();
beforeAll(async () => {
	await DataDeduplicationService.init(store);
});
beforeEach(() => {
	store.reset();
	store.jitterMs = 2;
});

function triggerNode(id: string, name: string, parameters: IDataObject = {}): INode {
	return {
		id,
		name,
		type: TRIGGER,
		typeVersion: 1,
		position: [0, 0],
		webhookId: `hook-${id}`,
		parameters: {
			provider: 'linq',
			events: ['participant.added', 'message.received'],
			...parameters,
		} as INode['parameters'],
		credentials: { linqApi: { id: 'cred-linq', name: 'Linq' } },
	};
}

const sinkNode = (name: string): INode => ({
	id: `sink-${name}`,
	name,
	type: SINK,
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

/** A trigger item as webhook() emits it. */
function item(eventId: string, extra: IDataObject = {}): IDataObject {
	return {
		provider: 'linq',
		event: 'participant.added',
		chatId: 'chat-1',
		participant: '+14155550177',
		name: null,
		occurredAt: '2026-05-01T12:00:00.000Z',
		eventId,
		raw: { event_id: eventId },
		...extra,
	};
}

let executionCounter = 0;

interface Delivered {
	run: IRun;
	executionId: string;
	/** Items that reached the node after the trigger (none: the execution ended at the trigger). */
	sunk: IDataObject[];
	triggerOutput: INodeExecutionData[];
	customData: Record<string, string>;
	error?: Error;
}

/**
 * One execution as n8n starts it from a webhook (webhook-helpers prepareExecutionData): the
 * trigger on the stack with the webhook's items. Each call is a separate execution with its own
 * Workflow object, as each worker (or a restarted main) builds its own.
 */
async function deliver(
	items: IDataObject[],
	{
		workflowId = 'wf-once',
		trigger = triggerNode('trigger-1', 'Linq events'),
		mode = 'webhook',
		extraNodes = [],
	}: {
		workflowId?: string;
		trigger?: INode;
		mode?: WorkflowExecuteMode;
		extraNodes?: INode[];
	} = {},
): Promise<Delivered> {
	const sink = sinkNode(`${trigger.name} → next`);
	const nodes = [trigger, sink, ...extraNodes];
	const connections = {
		[trigger.name]: { main: [[{ node: sink.name, type: 'main' as const, index: 0 }]] },
	};
	const workflow = new Workflow({
		id: workflowId,
		nodes,
		connections,
		nodeTypes: new NodeTypes(),
		active: true,
		settings: { executionOrder: 'v1' },
	});
	const executionId = String(++executionCounter);
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: workflowId,
		name: 'once',
		active: true,
		isArchived: false,
		nodes,
		connections,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as never);
	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper({}),
		hooks,
		executionId,
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
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
	const runExecutionData = {
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [
				{ node: trigger, data: { main: [items.map((json) => ({ json }))] }, source: null },
			],
		},
	} as unknown as IRunExecutionData;
	await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(
		workflow,
	);
	const run = await finished;
	const runData = run.data.resultData.runData;
	return {
		run,
		executionId,
		sunk: (runData[sink.name]?.[0]?.data?.main?.[0] ?? []).map((entry) => entry.json),
		triggerOutput: runData[trigger.name]?.[0]?.data?.main?.[0] ?? [],
		customData: (run.data.resultData.metadata ?? {}) as Record<string, string>,
		error: run.data.resultData.error as Error | undefined,
	};
}

/** How many executions got past the trigger, per event id. */
function passedPerEvent(runs: Delivered[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const run of runs)
		for (const json of run.sunk)
			counts.set(String(json.eventId), (counts.get(String(json.eventId)) ?? 0) + 1);
	return counts;
}

describe('execute(): each event continues past the trigger once', () => {
	test('a first delivery goes on with its items (pairedItem set) and is recorded; a redelivery (another process, or after a restart) ends at the trigger', async () => {
		const first = await deliver([item('evt_1')]);
		expect(first.error).toBeUndefined();
		expect(first.sunk).toEqual([item('evt_1')]);
		expect(first.triggerOutput[0].pairedItem).toEqual({ item: 0 });
		expect(first.customData).toEqual({ groupChatEvent: 'linq:evt_1', groupChatOnce: 'first' });
		// The lock row is gone again; the node's list holds the event.
		expect([...store.rows.keys()]).toEqual(['wf-once|n:trigger-1']);

		// A new Workflow object and execution: what another worker, a webhook process's copy, or a
		// restarted regular-mode main produces. Nothing in memory carries over.
		const again = await deliver([item('evt_1')]);
		expect(again.error).toBeUndefined();
		expect(again.triggerOutput).toEqual([]);
		expect(again.sunk).toEqual([]);
		expect(again.customData).toEqual({ groupChatEvent: 'linq:evt_1', groupChatOnce: 'duplicate' });
		expect(again.run.status).toBe('success');
	});

	test('control: recording straight into n8n’s store, without the lock, lets both copies of an event through (the race this node guards against)', async () => {
		const context = (nodeId: string) => ({
			node: triggerNode(nodeId, nodeId),
			workflow: { id: 'wf-control', active: true },
		});
		let doubled = 0;
		for (let pair = 0; pair < 50; pair++) {
			const key = [`linq:evt_${pair}`];
			const [a, b] = await Promise.all([
				store
					.checkProcessedAndRecord(key, 'node', context('n1'), {
						mode: 'entries',
						maxEntries: 10_000,
					})
					.catch(() => ({ new: [] })),
				store
					.checkProcessedAndRecord(key, 'node', context('n1'), {
						mode: 'entries',
						maxEntries: 10_000,
					})
					.catch(() => ({ new: [] })),
			]);
			if (a.new.length && b.new.length) doubled++;
		}
		expect(doubled).toBeGreaterThan(0);
	});

	test('60 simultaneous pairs (all 120 executions at once): each event goes on exactly once, and no event’s record is lost to another’s write', async () => {
		const events = Array.from({ length: 60 }, (_, index) => `evt_pair_${index}`);
		const runs = await Promise.all(
			events.flatMap((eventId) => [deliver([item(eventId)]), deliver([item(eventId)])]),
		);
		expect(runs.filter((run) => run.error)).toEqual([]);
		const passed = passedPerEvent(runs);
		expect(events.filter((eventId) => passed.get(eventId) !== 1)).toEqual([]);
		expect(runs.filter((run) => run.customData.groupChatOnce === 'duplicate')).toHaveLength(60);
		// The race was real: executions found the lock taken (held or beaten on the primary key).
		expect(store.statements.duplicateKey + store.statements.update).toBeGreaterThan(
			store.statements.insert,
		);
		// Later redeliveries of every one of them: all end at the trigger (no record was overwritten).
		const later = await Promise.all(events.map((eventId) => deliver([item(eventId)])));
		expect(
			later.filter((run) => run.sunk.length > 0).map((run) => run.customData.groupChatEvent),
		).toEqual([]);
		expect([...store.rows.keys()]).toEqual(['wf-once|n:trigger-1']);
	});

	test('two triggers in one workflow (each its own subscription) each let the same event through once; they share the lock, not the list', async () => {
		const linq = triggerNode('trigger-a', 'Linq A');
		const other = triggerNode('trigger-b', 'Linq B');
		const runs = await Promise.all([
			deliver([item('evt_shared')], { trigger: linq, extraNodes: [other] }),
			deliver([item('evt_shared')], { trigger: other, extraNodes: [linq] }),
			deliver([item('evt_shared')], { trigger: linq, extraNodes: [other] }),
			deliver([item('evt_shared')], { trigger: other, extraNodes: [linq] }),
		]);
		expect(runs.map((run) => run.sunk.length).sort()).toEqual([0, 0, 1, 1]);
		expect([...store.rows.keys()].sort()).toEqual(['wf-once|n:trigger-a', 'wf-once|n:trigger-b']);
	});

	test('one delivery with several items (a Periskope notification naming several people): items of a redelivery end at the trigger, new ones go on', async () => {
		const trigger = triggerNode('trigger-p', 'Periskope', { provider: 'periskope' });
		const first = await deliver([item('n1#14155550184'), item('n1#14155550185')], { trigger });
		expect(first.sunk.map((json) => json.eventId)).toEqual(['n1#14155550184', 'n1#14155550185']);
		const mixed = await deliver([item('n1#14155550185'), item('n2')], { trigger });
		expect(mixed.sunk.map((json) => json.eventId)).toEqual(['n2']);
		expect(mixed.triggerOutput[0].pairedItem).toEqual({ item: 1 });
		expect(mixed.customData.groupChatOnce).toBe('partly duplicate');
	});

	test('the same event id on another provider is another event', async () => {
		await deliver([item('evt_x')]);
		const chert = await deliver([item('evt_x', { provider: 'chert' })], {
			trigger: triggerNode('trigger-1', 'Linq events', { provider: 'chert' }),
		});
		expect(chert.sunk).toHaveLength(1);
	});

	test('a test run from the editor ("manual") goes on and records nothing, so it never hides a production delivery', async () => {
		const manual = await deliver([item('evt_manual')], { mode: 'manual' });
		expect(manual.sunk).toHaveLength(1);
		expect(store.rows.size).toBe(0);
		expect((await deliver([item('evt_manual')])).sunk).toHaveLength(1);
	});

	test('History Size 0 turns the database check off; History Size bounds the list (oldest forgotten first)', async () => {
		const off = triggerNode('trigger-off', 'Off', { options: { historySize: 0 } });
		expect((await deliver([item('evt_off')], { trigger: off })).sunk).toHaveLength(1);
		expect((await deliver([item('evt_off')], { trigger: off })).sunk).toHaveLength(1);
		expect(store.rows.size).toBe(0);

		const small = triggerNode('trigger-small', 'Small', { options: { historySize: 2 } });
		for (const eventId of ['a', 'b', 'c']) await deliver([item(eventId)], { trigger: small });
		expect((await deliver([item('c')], { trigger: small })).sunk).toHaveLength(0);
		expect((await deliver([item('a')], { trigger: small })).sunk).toHaveLength(1);
	});

	test('History Size from an expression is checked at run time: the error names the value, nothing is recorded', async () => {
		const bad = triggerNode('trigger-bad', 'Bad', { options: { historySize: '={{ "lots" }}' } });
		const run = await deliver([item('evt_bad')], { trigger: bad });
		expect(run.error?.message).toBe(
			'History Size must be a whole number from 0 to 100000; got "lots"',
		);
		expect(run.sunk).toEqual([]);
		expect(store.rows.size).toBe(0);
	});

	test('an item without an event id goes on unrecorded (the webhook never emits one; nothing to deduplicate on)', async () => {
		const run = await deliver([item('')]);
		expect(run.sunk).toHaveLength(1);
		expect(store.rows.size).toBe(0);
	});

	test('a Remove Duplicates node with Scope "Workflow" in the same workflow: a clear error, not a silent pass', async () => {
		store.rows.set('wf-once|', { mode: 'entries', data: ['x'] });
		const run = await deliver([item('evt_conflict')]);
		expect(run.error?.message).toMatch(
			/^Could not check whether this event already ran: the workflow-wide entry of n8n’s deduplication store.*Remove Duplicates node with Scope "Workflow"/,
		);
		expect((run.error as Error & { description?: string }).description).toMatch(
			/Scope "Node".*History Size to 0/,
		);
		expect(run.sunk).toEqual([]);
	});
});

describe('recordOnce: the lock’s waiting rules (clock and store scripted)', () => {
	function scripted(locks: Array<'taken' | 'held' | Error>) {
		const calls: string[] = [];
		const store: OnceStore = {
			async tryLock() {
				calls.push('tryLock');
				const next = locks.shift() ?? 'held';
				return next instanceof Error ? { failed: next } : next;
			},
			async unlock() {
				calls.push('unlock');
			},
			async record(keys) {
				calls.push(`record ${keys.join(',')}`);
				return { fresh: new Set(keys) };
			},
		};
		let now = 0;
		const slept: number[] = [];
		const warnings: string[] = [];
		const env = {
			now: () => now,
			sleep: async (ms: number) => {
				slept.push(ms);
				now += ms;
			},
			random: () => 1,
			warn: (message: string) => warnings.push(message),
			timing: { deadlineMs: 1000, staleAfterMs: 300, backoffMs: 5, maxBackoffMs: 100 },
		};
		return { store, calls, slept, warnings, env };
	}

	test('waits with growing pauses while the lock is held, records once it has it, releases it', async () => {
		const { store, calls, slept, env } = scripted([
			'held',
			'held',
			new Error('connection reset'),
			'taken',
		]);
		expect(await recordOnce(store, ['k1', 'k1', 'k2'], 10, env)).toEqual({
			fresh: new Set(['k1', 'k2']),
		});
		expect(slept).toEqual([5, 10, 20]);
		expect(calls).toEqual(['tryLock', 'tryLock', 'tryLock', 'tryLock', 'record k1,k2', 'unlock']);
	});

	test('a lock held past staleAfterMs (a killed process left it) is taken over once per period, with a warning', async () => {
		const locks: Array<'taken' | 'held'> = Array.from({ length: 8 }, () => 'held' as const);
		const { store, calls, warnings, env } = scripted([...locks, 'taken']);
		const result = await recordOnce(store, ['k'], 10, env);
		expect(result).toEqual({ fresh: new Set(['k']) });
		expect(calls.filter((call) => call === 'unlock')).toHaveLength(2);
		expect(warnings).toEqual([expect.stringMatching(/held for over 0 s; taking it over/)]);
	});

	test('never getting the lock ends at the deadline with the store’s last error', async () => {
		const failure = new Error('ECONNREFUSED');
		const { store, calls, env } = scripted(Array.from({ length: 100 }, () => failure));
		const result = await recordOnce(store, ['k'], 10, env);
		expect(result).toEqual({ timeout: expect.stringMatching(/within 1 s/), lastError: failure });
		expect(calls).not.toContain('record k');
	});

	test('a conflict stops at once; nothing is recorded or released', async () => {
		const { store, calls, env } = scripted([]);
		store.tryLock = async () => ({ conflict: 'taken by someone else' });
		expect(await recordOnce(store, ['k'], 10, env)).toEqual({ conflict: 'taken by someone else' });
		expect(calls).toEqual([]);
	});

	test('a release that fails is told (the next event takes the lock over), the result still returned', async () => {
		const { store, warnings, env } = scripted(['taken']);
		store.unlock = async () => {
			throw new Error('connection lost');
		};
		expect(await recordOnce(store, ['k'], 10, env)).toEqual({ fresh: new Set(['k']) });
		expect(warnings).toEqual([
			expect.stringMatching(/could not release the deduplication lock \(connection lost\)/),
		]);
	});

	test('no keys: nothing touched', async () => {
		const { store, calls, env } = scripted([]);
		expect(await recordOnce(store, [], 10, env)).toEqual({ fresh: new Set() });
		expect(calls).toEqual([]);
	});
});
