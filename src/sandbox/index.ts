/**
 * Provider sandbox: a faithful local emulator of the Chert, Linq and Periskope group-chat
 * APIs for development, demos and tests. See README.md in this folder.
 *
 *   const sandbox = await startSandbox();
 *   // sandbox.baseUrls.chert → http://127.0.0.1:PORT/chert
 *   await sandbox.stop();
 */
import { ChertEmulator } from './chert';
import { Faults } from './faults';
import { LinqEmulator } from './linq';
import { IdempotencyStore, MessageLog } from './messages';
import { PeriskopeEmulator } from './periskope';
import { PREFIXES, SandboxServer } from './server';
import { FixedWindowLimiter } from './util';
import { WebhookHub } from './webhooks';
import type {
	EmulatorContext,
	ProviderEmulator,
	ProviderName,
	RecordedRequest,
	Sandbox,
	SandboxOptions,
} from './types';

export { DEMO } from './seed';
export type { DemoData } from './seed';
export { CHERT_IDEMPOTENCY_CONFLICT, CHERT_MAX_SKEW_SECONDS } from './chert';
export { LINQ_CODES, linqCapabilities, linqChatService } from './linq';
export { PERISKOPE_UNLIMITED } from './periskope';
export { CONTROL_PREFIX, PREFIXES } from './server';
export type {
	DeliveryRecord,
	FaultController,
	FaultKind,
	FaultSpec,
	HubSubscription,
	ProviderName,
	RateLimitSpec,
	RecordedRequest,
	Sandbox,
	SandboxChat,
	SandboxMessage,
	SandboxOptions,
} from './types';

export const DEFAULT_LINQ_APPLY_DELAY_MS = 50;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
	const host = opts.host ?? '127.0.0.1';
	const seed = opts.seed ?? true;
	const now = opts.now ?? (() => Date.now());
	const counters = new Map<string, number>();
	const webhooks = new WebhookHub({ now, retryBaseMs: opts.webhookRetryBaseMs });
	const messages = new MessageLog();
	const idempotency = new IdempotencyStore();
	const ctx: EmulatorContext = {
		webhooks,
		messages,
		idempotency,
		now,
		next(counter: string): number {
			const value = (counters.get(counter) ?? 0) + 1;
			counters.set(counter, value);
			return value;
		},
	};

	const chert = new ChertEmulator(ctx, opts.rateLimits?.chert);
	const linq = new LinqEmulator(
		ctx,
		Math.max(0, opts.linqApplyDelayMs ?? DEFAULT_LINQ_APPLY_DELAY_MS),
	);
	const periskope = new PeriskopeEmulator(
		ctx,
		opts.rateLimits?.periskope,
		opts.seedLinkedIds ?? false,
	);
	const emulators: Record<ProviderName, ProviderEmulator> = { chert, linq, periskope };
	const faults = new Faults();
	const requests: RecordedRequest[] = [];

	const resetState = (): void => {
		counters.clear();
		webhooks.reset();
		messages.reset();
		idempotency.reset();
		for (const emulator of Object.values(emulators)) emulator.reset(seed);
	};
	const postMessage = (provider: ProviderName, chatId: string, from: string, text: string) => {
		const emulator = emulators[provider];
		if (!emulator.receiveMessage) throw new Error(`${provider}: no message webhooks`);
		return emulator.receiveMessage(chatId, from, text);
	};
	resetState();

	const limiters = opts.rateLimits?.linq
		? {
				linq: new FixedWindowLimiter(
					opts.rateLimits.linq.limit,
					opts.rateLimits.linq.windowSeconds * 1000,
					opts.rateLimits.linq.aligned,
				),
			}
		: undefined;
	const server = new SandboxServer({
		emulators,
		faults,
		requests,
		now,
		postMessage,
		latencyMs: Math.max(0, opts.latencyMs ?? 0),
		limiters,
	});
	const port = await server.listen(opts.port ?? 0, host);
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	let stopped = false;

	return {
		url,
		port,
		baseUrls: {
			chert: `${url}${PREFIXES.chert}`,
			linq: `${url}${PREFIXES.linq}`,
			periskope: `${url}${PREFIXES.periskope}`,
		},
		requests,
		faults,
		getChat: (provider, chatId) => emulators[provider].getChat(chatId),
		listChats: (provider) => emulators[provider].listChats(),
		addContact: (digits) => periskope.addContact(digits),
		settle: () => linq.settle(),
		deliveries: webhooks.deliveries,
		subscriptions: (provider) => webhooks.list(provider),
		async webhooksIdle(): Promise<void> {
			await linq.settle();
			await webhooks.idle();
		},
		postMessage,
		messages: (provider, chatId) => messages.list(provider, chatId),
		refuseQueued: (count = 1) => linq.refuseQueued(count),
		setLatency: (ms: number) => {
			server.latencyMs = Math.max(0, ms);
		},
		reset(): void {
			resetState();
			limiters?.linq.reset();
			requests.length = 0;
			faults.clear();
		},
		async stop(): Promise<void> {
			if (stopped) return;
			stopped = true;
			linq.cancelPending();
			webhooks.stop();
			faults.clear();
			await server.close();
		},
	};
}
