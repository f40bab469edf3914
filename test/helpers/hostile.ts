/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling (a hostile server with timers), never shipped in dist */
/**
 * A hostile provider on loopback: each test scripts how it answers at the socket level
 * (redirects, echoes, drips, oversize and gzip-bombed bodies, lies in 2xx answers), and every
 * request that reached it is recorded with its raw bytes.
 */
import {
	createServer as createHttpServer,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type ServerResponse,
} from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

export interface Hit {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export type Handler = (request: Hit, response: ServerResponse, raw: IncomingMessage) => void;

export interface Hostile {
	baseUrl: string;
	hits: Hit[];
	/** How the next requests are answered. */
	handle(handler: Handler): void;
	reset(): void;
	close(): Promise<void>;
}

export async function startHostile(): Promise<Hostile> {
	const hits: Hit[] = [];
	let handler: Handler = (_request, response) => {
		response.writeHead(404, { 'content-type': 'application/json' });
		response.end('{"error":"no handler"}');
	};
	const server = createHttpServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const hit: Hit = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			hits.push(hit);
			handler(hit, res, req);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		hits,
		handle: (next) => {
			handler = next;
		},
		reset: () => {
			hits.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** Writes `text` one byte per `everyMs` until the socket closes: a server that drips. */
export function drip(
	response: ServerResponse,
	status: number,
	text: string,
	everyMs: number,
): void {
	response.writeHead(status, { 'content-type': 'application/json' });
	let index = 0;
	const timer = setInterval(() => {
		if (response.destroyed || index >= text.length) {
			clearInterval(timer);
			if (!response.destroyed) response.end();
			return;
		}
		response.write(text[index++]);
	}, everyMs);
	response.on('close', () => clearInterval(timer));
}

/**
 * A raw TCP server that drips even its status line and headers, one byte per `everyMs`
 * (what node:http cannot do): the deadline must hold before any header has arrived.
 */
export async function startHeaderDripper(
	everyMs: number,
): Promise<{ baseUrl: string; connections: () => number; close(): Promise<void> }> {
	const sockets = new Set<Socket>();
	let connections = 0;
	const server = createTcpServer((socket) => {
		connections++;
		sockets.add(socket);
		const text = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}';
		let index = 0;
		const timer = setInterval(() => {
			if (socket.destroyed || index >= text.length) return clearInterval(timer);
			socket.write(text[index++]);
		}, everyMs);
		socket.on('error', () => undefined);
		socket.on('close', () => {
			clearInterval(timer);
			sockets.delete(socket);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		connections: () => connections,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
