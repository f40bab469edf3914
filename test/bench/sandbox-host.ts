/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- benchmark tooling, never shipped */
/**
 * The provider sandbox for the bench, in-process (smoke test) or in a worker thread (`npm run
 * bench`): in a worker it answers on the machine's other core, the way a real provider is
 * another machine, so the node's own CPU time is what the bench measures.
 */
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import {
	startSandbox,
	type Sandbox,
	type SandboxChat,
	type SandboxOptions,
} from '../../src/sandbox';

export interface BenchSandbox {
	baseUrls: Sandbox['baseUrls'];
	/** Requests that reached `provider` since the last mark, without the 429 answers. */
	markRequests(): Promise<void>;
	workRequests(provider: string): Promise<number>;
	getChat(
		provider: 'chert' | 'linq' | 'periskope',
		chatId: string,
	): Promise<SandboxChat | undefined>;
	settle(): Promise<void>;
	setLatency(ms: number): Promise<void>;
	stop(): Promise<void>;
}

function wrap(sandbox: Sandbox) {
	let mark = 0;
	return {
		baseUrls: sandbox.baseUrls,
		markRequests: async () => {
			mark = sandbox.requests.length;
		},
		workRequests: async (provider: string) =>
			sandbox.requests
				.slice(mark)
				.filter((request) => request.provider === provider && request.status !== 429).length,
		getChat: async (provider: 'chert' | 'linq' | 'periskope', chatId: string) =>
			sandbox.getChat(provider, chatId),
		settle: async () => sandbox.settle(),
		setLatency: async (ms: number) => sandbox.setLatency(ms),
		stop: async () => sandbox.stop(),
	};
}

export async function inProcessSandbox(options: SandboxOptions): Promise<BenchSandbox> {
	return wrap(await startSandbox(options));
}

export async function workerSandbox(options: SandboxOptions): Promise<BenchSandbox> {
	const worker = new Worker(join(__dirname, 'sandbox-worker.mjs'), { workerData: options });
	let next = 0;
	const pending = new Map<
		number,
		{ resolve: (value: unknown) => void; reject: (error: Error) => void }
	>();
	worker.on('message', (message: { id: number; value?: unknown; error?: string }) => {
		const waiter = pending.get(message.id);
		pending.delete(message.id);
		if (message.error) waiter?.reject(new Error(message.error));
		else waiter?.resolve(message.value);
	});
	const call = (op: string, ...args: unknown[]) =>
		new Promise<unknown>((resolve, reject) => {
			const id = ++next;
			pending.set(id, { resolve, reject });
			worker.postMessage({ id, op, args });
		});
	const baseUrls = (await call('baseUrls')) as Sandbox['baseUrls'];
	return {
		baseUrls,
		markRequests: async () => void (await call('markRequests')),
		workRequests: async (provider) => (await call('workRequests', provider)) as number,
		getChat: async (provider, chatId) =>
			(await call('getChat', provider, chatId)) as SandboxChat | undefined,
		settle: async () => void (await call('settle')),
		setLatency: async (ms) => void (await call('setLatency', ms)),
		stop: async () => {
			await call('stop');
			await worker.terminate();
		},
	};
}

if (!isMainThread && parentPort && workerData) {
	const port = parentPort;
	const ready = startSandbox(workerData as SandboxOptions).then(wrap);
	port.on('message', async ({ id, op, args }: { id: number; op: string; args: unknown[] }) => {
		try {
			const host = await ready;
			const value =
				op === 'baseUrls'
					? host.baseUrls
					: await (host as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op](
							...args,
						);
			port.postMessage({ id, value });
		} catch (error) {
			port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
		}
	});
}
