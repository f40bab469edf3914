/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling, never shipped in dist */
/**
 * A loopback HTTP server that records every request's raw bytes and answers from a script,
 * for contract tests that check exactly what went over the wire.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
	method: string;
	/** The raw request target as received (path + query, still URL-encoded). */
	url: string;
	headers: IncomingHttpHeaders;
	raw: Buffer;
	text: string;
	receivedAtMs: number;
}

export interface Reply {
	/** Close the connection without answering (a reset after the request arrived). */
	destroy?: boolean;
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export type Responder = (request: Recorded) => Reply | undefined;

export interface Recorder {
	baseUrl: string;
	requests: Recorded[];
	/** Replies are tried in order; the first that returns a Reply answers. */
	respond(responder: Responder): void;
	reset(): void;
	close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
	const requests: Recorded[] = [];
	let responders: Responder[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const recorded: Recorded = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				raw,
				text: raw.toString('utf8'),
				receivedAtMs: Date.now(),
			};
			requests.push(recorded);
			let reply: Reply | undefined;
			for (const responder of responders) {
				reply = responder(recorded);
				if (reply) break;
			}
			if (reply?.destroy) {
				req.socket.destroy();
				return;
			}
			const {
				status = 200,
				body = {},
				headers = {},
			} = reply ?? { status: 404, body: { error: 'no reply scripted' } };
			const text = typeof body === 'string' ? body : JSON.stringify(body);
			res.writeHead(status, { 'content-type': 'application/json', ...headers });
			res.end(text);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		requests,
		respond: (responder) => responders.push(responder),
		reset: () => {
			requests.length = 0;
			responders = [];
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
