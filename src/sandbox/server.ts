/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- development tool, not shipped in dist */
/**
 * The sandbox HTTP server: one node:http server on loopback that routes by prefix to the
 * provider emulators, records every request, and applies injected faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Faults } from './faults';
import type {
	FaultSpec,
	HandlerInput,
	ProviderEmulator,
	ProviderName,
	RecordedRequest,
	Reply,
} from './types';
import { FixedWindowLimiter, jsonReply } from './util';

/** URL prefixes of the three emulated APIs. */
export const PREFIXES: Record<ProviderName, string> = {
	chert: '/chert',
	linq: '/linq/api/partner',
	periskope: '/periskope/v1',
};

const HTML_502 =
	'<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>' +
	'<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n';

/** Sandbox-only control routes (not a provider API; not recorded in `requests`). */
export const CONTROL_PREFIX = '/_sandbox';

export interface ServerDeps {
	emulators: Record<ProviderName, ProviderEmulator>;
	faults: Faults;
	requests: RecordedRequest[];
	now: () => number;
	/** Delay before every API answer (ms). */
	latencyMs?: number;
	/** Rate limits the kernel applies (for emulators without their own limiter). */
	limiters?: Partial<Record<ProviderName, FixedWindowLimiter>>;
	postMessage?: (
		provider: ProviderName,
		chatId: string,
		from: string,
		text: string,
	) => { eventId: string; deliveredTo: number };
}

function safeDecode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

export class SandboxServer {
	readonly server: Server;
	private readonly sockets = new Set<Socket>();
	private readonly delays = new Set<ReturnType<typeof setTimeout>>();

	constructor(private readonly deps: ServerDeps) {
		this.server = createServer((req, res) => this.onRequest(req, res));
		this.server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
	}

	listen(port: number, host: string): Promise<number> {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => {
				this.server.off('error', reject);
				resolve((this.server.address() as AddressInfo).port);
			});
		});
	}

	/** Stops listening, drops held (delayed) requests and closes every connection. */
	close(): Promise<void> {
		for (const timer of this.delays) clearTimeout(timer);
		this.delays.clear();
		return new Promise((resolve) => {
			this.server.close(() => resolve());
			for (const socket of this.sockets) socket.destroy();
			this.sockets.clear();
		});
	}

	private onRequest(req: IncomingMessage, res: ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => this.process(req, res, Buffer.concat(chunks)));
		// A client that aborts mid-body simply never gets an answer.
		req.on('error', () => res.destroy());
		res.on('error', () => res.destroy());
	}

	private process(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): void {
		const url = req.url ?? '/';
		const method = (req.method ?? 'GET').toUpperCase();
		const q = url.indexOf('?');
		const rawPath = q >= 0 ? url.slice(0, q) : url;
		const query = q >= 0 ? url.slice(q + 1) : '';
		if (rawPath.startsWith(`${CONTROL_PREFIX}/`)) {
			this.control(method, rawPath.slice(CONTROL_PREFIX.length), rawBody, res);
			return;
		}
		const provider = (Object.keys(PREFIXES) as ProviderName[]).find(
			(p) => rawPath === PREFIXES[p] || rawPath.startsWith(`${PREFIXES[p]}/`),
		);
		const path = provider ? rawPath.slice(PREFIXES[provider].length) || '/' : rawPath;
		const now = this.deps.now();
		const record: RecordedRequest = {
			provider: provider ?? 'unknown',
			method,
			url,
			path,
			query,
			headers: { ...req.headers },
			rawBody,
			bodyText: rawBody.toString('utf8'),
			status: 0,
			at: now,
		};
		this.deps.requests.push(record);

		if (!provider) {
			this.send(
				res,
				record,
				jsonReply(404, {
					success: false,
					error: {
						status: 404,
						code: 'not_found',
						message: `No emulated provider at ${rawPath}; use ${Object.values(PREFIXES).join(', ')}`,
					},
				}),
			);
			return;
		}

		const emulator = this.deps.emulators[provider];
		const input: HandlerInput = {
			method,
			path,
			segments: path.split('/').filter(Boolean).map(safeDecode),
			query: new URLSearchParams(query),
			headers: req.headers,
			rawBody,
			now,
		};
		const fault = this.deps.faults.take({ provider, method, path, decodedPath: safeDecode(path) });
		if (!fault) {
			// The kernel's own limiter, for providers whose emulator has none (Linq).
			const hit = this.deps.limiters?.[provider]?.hit(now);
			const reply = hit?.limited
				? emulator.decorate(
						emulator.rateLimited(input, Math.max(1, Math.ceil((hit.resetAtMs - now) / 1000))),
						input,
					)
				: this.run(emulator, input);
			this.sendAfterLatency(res, record, reply);
			return;
		}
		this.applyFault(fault, emulator, input, req, res, record);
	}

	private applyFault(
		fault: FaultSpec,
		emulator: ProviderEmulator,
		input: HandlerInput,
		req: IncomingMessage,
		res: ServerResponse,
		record: RecordedRequest,
	): void {
		switch (fault.kind) {
			case 'rate_limit':
				this.send(
					res,
					record,
					emulator.decorate(emulator.rateLimited(input, fault.retryAfterSeconds ?? 1), input),
				);
				return;
			case 'http_error':
				this.send(
					res,
					record,
					emulator.decorate(emulator.serverError(input, fault.status ?? 500), input),
				);
				return;
			case 'reset_before':
				req.socket.destroy();
				return;
			case 'reset_after':
				this.run(emulator, input);
				req.socket.destroy();
				return;
			case 'delay': {
				const timer = setTimeout(
					() => {
						this.delays.delete(timer);
						this.send(res, record, this.run(emulator, input));
					},
					Math.max(0, fault.delayMs ?? 0),
				);
				this.delays.add(timer);
				return;
			}
			case 'html':
				this.send(
					res,
					record,
					emulator.decorate(
						{
							status: 502,
							headers: { 'content-type': 'text/html; charset=utf-8' },
							body: HTML_502,
						},
						input,
					),
				);
				return;
			case 'malformed_json': {
				const reply = this.run(emulator, input);
				const cut = Math.max(1, Math.floor(reply.body.length / 2));
				this.send(res, record, {
					status: reply.status >= 200 && reply.status < 300 ? 200 : reply.status,
					headers: { ...reply.headers, 'content-type': 'application/json; charset=utf-8' },
					body: reply.body.slice(0, Math.min(cut, reply.body.length - 1)) || '{',
				});
				return;
			}
			case 'partial_failure':
				this.send(
					res,
					record,
					this.run(emulator, { ...input, failAddresses: fault.failAddresses ?? [] }),
				);
				return;
		}
	}

	/**
	 * `POST /_sandbox/messages {provider, chatId, from, text}`: a person posts a message to a
	 * group; the provider's message webhook fires. Answers `{eventId, deliveredTo}`.
	 */
	private control(method: string, path: string, rawBody: Buffer, res: ServerResponse): void {
		const answer = (status: number, body: unknown) => {
			const text = Buffer.from(JSON.stringify(body), 'utf8');
			res.writeHead(status, {
				'content-type': 'application/json; charset=utf-8',
				'content-length': String(text.length),
			});
			res.end(text);
		};
		if (method !== 'POST' || path !== '/messages' || !this.deps.postMessage) {
			answer(404, { error: `No sandbox control route ${method} ${CONTROL_PREFIX}${path}` });
			return;
		}
		try {
			const body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
			const provider = String(body.provider) as ProviderName;
			if (!(provider in PREFIXES)) throw new Error('provider must be chert, linq or periskope');
			answer(
				200,
				this.deps.postMessage(
					provider,
					String(body.chatId),
					String(body.from),
					String(body.text ?? ''),
				),
			);
		} catch (error) {
			answer(400, { error: error instanceof Error ? error.message : String(error) });
		}
	}

	/** Runs the emulator; an unexpected exception becomes the provider's 500 answer. */
	private run(emulator: ProviderEmulator, input: HandlerInput): Reply {
		try {
			return emulator.decorate(emulator.handle(input), input);
		} catch (error) {
			const reply = emulator.decorate(emulator.serverError(input, 500), input);
			reply.headers['x-sandbox-exception'] =
				error instanceof Error
					? error.message.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200)
					: 'error';
			return reply;
		}
	}

	/** Changed at run time by Sandbox.setLatency (the bench sets up fast, then measures slow). */
	latencyMs?: number;

	/** Answers after the configured latency (bench and slow-provider demos). */
	private sendAfterLatency(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
		const latency = this.latencyMs ?? this.deps.latencyMs ?? 0;
		if (latency <= 0) {
			this.send(res, record, reply);
			return;
		}
		const timer = setTimeout(() => {
			this.delays.delete(timer);
			this.send(res, record, reply);
		}, latency);
		this.delays.add(timer);
	}

	private send(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
		if (res.destroyed || res.writableEnded || res.socket === null || res.socket.destroyed) return;
		const body = Buffer.from(reply.body, 'utf8');
		res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
		res.end(body);
		record.status = reply.status;
	}
}
