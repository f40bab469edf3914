/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tool, not shipped in dist */
/**
 * Webhook delivery, once for all three emulators: the subscription store, signed deliveries over
 * real HTTP, retries, and a log of every attempt. Each provider emulator declares only its scheme
 * (`WebhookScheme`: envelope, signature headers, retry rule) and which events it emits; the
 * subscription endpoints over this store are in subscriptions.ts.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type {
	DeliveryRecord,
	HubSubscription,
	ProviderName,
	WebhookScheme,
	Webhooks,
} from './types';
import { iso } from './util';

export interface WebhookHubOptions {
	now: () => number;
	/** First retry after this many ms, doubling each time (default 200; real providers wait minutes). */
	retryBaseMs?: number;
	/** Per-attempt timeout (default 10 s). */
	timeoutMs?: number;
}

export class WebhookHub implements Webhooks {
	private readonly subscriptions = new Map<string, HubSubscription>();
	private readonly schemes = new Map<ProviderName, WebhookScheme>();
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private inFlight = 0;
	private waiters: Array<() => void> = [];
	private stopped = false;
	readonly deliveries: DeliveryRecord[] = [];

	constructor(private readonly options: WebhookHubOptions) {}

	register(scheme: WebhookScheme): void {
		this.schemes.set(scheme.provider, scheme);
	}

	// ---- subscriptions -------------------------------------------------------------------

	add(subscription: Omit<HubSubscription, 'createdAt' | 'updatedAt'>): HubSubscription {
		const at = iso(this.options.now());
		const stored: HubSubscription = { ...subscription, createdAt: at, updatedAt: at };
		this.subscriptions.set(`${subscription.provider}:${subscription.id}`, stored);
		return stored;
	}

	list(provider: ProviderName): HubSubscription[] {
		return [...this.subscriptions.values()].filter((entry) => entry.provider === provider);
	}

	get(provider: ProviderName, id: string): HubSubscription | undefined {
		return this.subscriptions.get(`${provider}:${id}`);
	}

	remove(provider: ProviderName, id: string): boolean {
		return this.subscriptions.delete(`${provider}:${id}`);
	}

	// ---- delivery ------------------------------------------------------------------------

	/**
	 * Delivers one event to every subscription of the provider that takes it. `line` is the
	 * sending line the event happened on (Linq `phone_numbers` filter). Returns how many
	 * subscriptions it was sent to.
	 */
	emit(
		provider: ProviderName,
		eventType: string,
		eventId: string,
		data: Record<string, unknown>,
		line?: string,
	): number {
		const scheme = this.schemes.get(provider);
		if (!scheme || this.stopped) return 0;
		const targets = this.list(provider).filter(
			(entry) =>
				(entry.events.length === 0 || entry.events.includes(eventType)) &&
				(entry.phoneNumbers.length === 0 ||
					line === undefined ||
					entry.phoneNumbers.includes(line)),
		);
		if (targets.length === 0) return 0;
		const body = JSON.stringify(scheme.envelope(eventType, eventId, data, this.options.now()));
		for (const subscription of targets)
			this.attempt(scheme, subscription, eventType, eventId, body, 1);
		return targets.length;
	}

	private attempt(
		scheme: WebhookScheme,
		subscription: HubSubscription,
		eventType: string,
		eventId: string,
		body: string,
		attempt: number,
	): void {
		if (this.stopped) return;
		const nowMs = this.options.now();
		const headers = {
			'content-type': 'application/json',
			'user-agent': `group-chat-sandbox/${scheme.provider}`,
			...scheme.headers(subscription, { eventType, eventId, body, nowMs }),
		};
		const record: DeliveryRecord = {
			provider: scheme.provider,
			subscriptionId: subscription.id,
			url: subscription.url,
			eventType,
			eventId,
			attempt,
			status: 0,
			headers,
			body,
			at: nowMs,
		};
		this.deliveries.push(record);
		this.inFlight++;
		const done = (status: number) => {
			record.status = status;
			this.inFlight--;
			const failed = status === 0 || status >= 300;
			if (failed && attempt <= scheme.maxRetries && scheme.retryOn(status) && !this.stopped) {
				const timer = setTimeout(
					() => {
						this.timers.delete(timer);
						this.attempt(scheme, subscription, eventType, eventId, body, attempt + 1);
						this.release();
					},
					(this.options.retryBaseMs ?? 200) * 2 ** (attempt - 1),
				);
				this.timers.add(timer);
				return;
			}
			this.release();
		};
		post(subscription.url, headers, body, this.options.timeoutMs ?? 10_000).then(done, () =>
			done(0),
		);
	}

	private release(): void {
		if (this.inFlight === 0 && this.timers.size === 0) {
			const waiters = this.waiters;
			this.waiters = [];
			for (const resolve of waiters) resolve();
		}
	}

	/** Resolves once no delivery is in flight or waiting for a retry. */
	idle(): Promise<void> {
		if (this.inFlight === 0 && this.timers.size === 0) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	/** Forgets subscriptions, pending retries and the delivery log. */
	reset(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.subscriptions.clear();
		this.deliveries.length = 0;
		this.release();
	}

	stop(): void {
		this.stopped = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.inFlight = 0;
		this.release();
	}
}

/**
 * One POST on a fresh connection (no keep-alive pool: each delivery is its own connection, as a
 * provider's would be, and nothing stays open after the sandbox stops). Redirects are not
 * followed. Resolves with the status code; rejects on a network error or timeout.
 */
function post(
	url: string,
	headers: Record<string, string>,
	body: string,
	timeoutMs: number,
): Promise<number> {
	return new Promise((resolve, reject) => {
		const target = new URL(url);
		const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
		const payload = Buffer.from(body, 'utf8');
		const req = send(
			target,
			{
				method: 'POST',
				agent: false,
				headers: { ...headers, 'content-length': String(payload.length) },
			},
			(res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode ?? 0));
				res.on('error', reject);
			},
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		req.end(payload);
	});
}
