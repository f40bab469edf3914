/* eslint-disable @n8n/community-nodes/no-restricted-globals -- the test captures this process's stdout/stderr to scan log lines */
/**
 * Runs every provider × operation with distinctive credential values through success,
 * refusal, server-error and connection-reset paths, and scans everything the run produced —
 * output items, errors with all their own properties, everything n8n's logger was given (all
 * levels, with metadata; test/helpers/n8n-log.ts) and everything written to the console, stdout
 * and stderr — for the secrets, the signatures and Authorization headers.
 */

import { groupChatNode, runWorkflow } from '../helpers/engine';
import { captureN8nLog, serialize as dump, stopN8nLogCapture } from '../helpers/n8n-log';
import { LINQ_CHAT, operationsFor } from '../helpers/operations';
import { startRecorder, type Recorder, type Reply } from '../helpers/recorder';

const CHERT_SIGNING = 'dummy-LEAKCANARY-chert-9f8e7d6c';
const LINQ_BEARER = 'dummy-LEAKCANARY-linq-5a4b3c2d';
const PERISKOPE_API = 'dummy-LEAKCANARY-periskope-1e2f3a';

let server: Recorder;
beforeAll(async () => {
	server = await startRecorder();
});
afterAll(async () => server.close());
beforeEach(() => server.reset());

const operations = operationsFor({ chert: 'ch_1', linq: LINQ_CHAT, periskope: '1203@g.us' });

const paths: Record<string, Reply> = {
	// Enough for every operation to succeed: a chat, a message ID, a queue ID, an invite link, an empty list.
	success: {
		status: 200,
		body: {
			chat: { id: 'ch_1' },
			chat_id: 'ch_1',
			status: 'accepted',
			message: { id: 'm_1' },
			queue_id: 'q_1',
			invite_link: 'https://chat.whatsapp.com/x',
			chats: [],
		},
	},
	refusal: {
		status: 401,
		body: {
			success: false,
			error: { status: 401, code: 2004, message: 'Unauthorized' },
			trace_id: 'tr',
		},
	},
	serverError: {
		status: 500,
		body: {
			success: false,
			error: { status: 500, code: 3001, message: 'boom', retryable: false },
			trace_id: 'tr',
		},
	},
	reset: { destroy: true },
};

test('no secret, signature or Authorization header in any output, error or log line', async () => {
	const captured: string[] = [];
	const original = {
		stdout: process.stdout.write.bind(process.stdout),
		stderr: process.stderr.write.bind(process.stderr),
	};
	const capture = (chunk: unknown) => {
		captured.push(String(chunk));
		return true;
	};
	const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
		jest
			.spyOn(console, method)
			.mockImplementation((...args: unknown[]) => void captured.push(dump(args))),
	);
	process.stdout.write = capture as typeof process.stdout.write;
	process.stderr.write = capture as typeof process.stderr.write;
	const n8nLog = captureN8nLog();

	const produced: string[] = [];
	let runs = 0;
	try {
		for (const [provider, list] of Object.entries(operations)) {
			for (const parameters of list) {
				for (const [pathName, reply] of Object.entries(paths)) {
					for (const onError of ['stopWorkflow', 'continueRegularOutput']) {
						server.reset();
						server.respond(() => reply);
						const result = await runWorkflow({
							nodes: [
								groupChatNode(
									'Group Chat',
									{ provider, ...parameters, options: { maxAttempts: 2 } },
									{ onError: onError as 'stopWorkflow' },
								),
							],
							credentials: {
								chertApi: {
									baseUrl: server.baseUrl,
									signingSecret: CHERT_SIGNING,
									tenantSlug: 't',
									authMode: runs % 2 ? 'bearer' : 'hmac',
								},
								linqApi: { baseUrl: server.baseUrl, apiToken: LINQ_BEARER },
								periskopeApi: {
									baseUrl: server.baseUrl,
									apiKey: PERISKOPE_API,
									orgPhone: '14155550300',
								},
							},
						});
						runs++;
						expect(server.requests.length).toBeGreaterThan(0);
						produced.push(dump(result.run), String(dump(result.error)));
						// The signatures actually sent must not come back anywhere either.
						for (const request of server.requests) {
							const signature = request.headers['x-chert-signature'];
							if (signature) produced.push(`SIGNATURE:${String(signature).split(',')[2]}`);
						}
						if (pathName !== 'success' && onError === 'stopWorkflow')
							expect(result.error).toBeDefined();
					}
				}
			}
		}
	} finally {
		stopN8nLogCapture();
		process.stdout.write = original.stdout;
		process.stderr.write = original.stderr;
		consoleSpies.forEach((spy) => spy.mockRestore());
	}

	const operationCount = Object.values(operations).reduce((sum, list) => sum + list.length, 0);
	expect(operationCount).toBe(6 + 7 + 12);
	expect(runs).toBe(operationCount * 4 * 2);
	const signatures = produced
		.filter((entry) => entry.startsWith('SIGNATURE:'))
		.map((entry) => entry.slice(10));
	expect(signatures.length).toBeGreaterThan(10);
	// n8n logged the failed runs' errors (its ErrorReporter), and those lines are scanned too.
	expect(n8nLog.filter((entry) => entry.level === 'error').length).toBeGreaterThan(10);
	const logLines = n8nLog.map((entry) => `${entry.level} ${entry.message} ${entry.meta}`);
	const everything = [
		...produced.filter((entry) => !entry.startsWith('SIGNATURE:')),
		...captured,
		...logLines,
	].join('\n');
	expect(everything.length).toBeGreaterThan(10_000);
	for (const secret of [CHERT_SIGNING, LINQ_BEARER, PERISKOPE_API, 'LEAKCANARY', ...signatures]) {
		expect(everything).not.toContain(secret);
	}
	expect(everything).not.toMatch(/authorization|x-chert-signature|Bearer /i);
});
