// A local OpenAI-compatible chat model for the AI Agent phase of `npm run test:n8n`
// (scripts/test-n8n-agent.mjs): node:http on loopback, no network, no model.
//
//   const stub = await startOpenAiStub({ apiKey, reply });   // stub.url → http://127.0.0.1:PORT/v1
//   … an n8n OpenAI credential with Base URL stub.url …
//   stub.requests   every request it received (method, path, headers, parsed body)
//   await stub.stop();
//
// It answers what n8n's OpenAI Chat Model node asks for:
//   GET  /v1/models             a one-model list (the node's model picker and credential test)
//   POST /v1/chat/completions   whatever `reply(body)` returns: { toolCalls: [{ name, arguments }] }
//                               or { content }, as a chat.completion (or SSE chunks when the
//                               request says stream: true)
// A request without `Authorization: Bearer <apiKey>` gets OpenAI's 401 shape; anything else 404.
import { createServer } from 'node:http';

const MAX_BODY = 4 * 1024 * 1024;

function send(res, status, value) {
	const body = JSON.stringify(value);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(body),
	});
	res.end(body);
}

function openAiError(res, status, message, type = 'invalid_request_error') {
	send(res, status, { error: { message, type, param: null, code: null } });
}

/** The assistant message of a chat.completion for a scripted reply. */
function assistantMessage(reply, nextId) {
	if (reply.toolCalls?.length) {
		return {
			role: 'assistant',
			content: null,
			tool_calls: reply.toolCalls.map((call) => ({
				id: `call_${nextId()}`,
				type: 'function',
				function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) },
			})),
		};
	}
	return { role: 'assistant', content: String(reply.content ?? '') };
}

/** The same answer as server-sent events: one chunk with the whole delta, then the finish reason. */
function streamChunks(base, message) {
	const delta = message.tool_calls
		? {
				role: 'assistant',
				content: null,
				tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })),
			}
		: { role: 'assistant', content: message.content };
	const finish = message.tool_calls ? 'tool_calls' : 'stop';
	return [
		{
			...base,
			object: 'chat.completion.chunk',
			choices: [{ index: 0, delta, finish_reason: null }],
		},
		{
			...base,
			object: 'chat.completion.chunk',
			choices: [{ index: 0, delta: {}, finish_reason: finish }],
		},
		{
			...base,
			object: 'chat.completion.chunk',
			choices: [],
			usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
		},
	];
}

/**
 * @param {object} options
 * @param {string} options.apiKey the key n8n must send as a Bearer token
 * @param {(body: any) => { toolCalls?: { name: string, arguments: object }[], content?: string }} options.reply
 * @param {string} [options.model] the model id /v1/models lists
 */
export async function startOpenAiStub({ apiKey, reply, model = 'gpt-4o-mini' }) {
	const requests = [];
	let counter = 0;
	const nextId = () => `stub${String(++counter).padStart(4, '0')}`;
	const server = createServer((req, res) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > MAX_BODY) {
				openAiError(res, 413, 'request too large');
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body;
			try {
				body = raw ? JSON.parse(raw) : undefined;
			} catch {
				body = undefined;
			}
			const path = (req.url ?? '').split('?')[0];
			const record = { method: req.method, path, headers: req.headers, body, raw, status: 0 };
			requests.push(record);
			const answer = (status, value) => {
				record.status = status;
				send(res, status, value);
			};
			if (req.headers.authorization !== `Bearer ${apiKey}`) {
				record.status = 401;
				return openAiError(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
			}
			if (req.method === 'GET' && path === '/v1/models') {
				return answer(200, {
					object: 'list',
					data: [{ id: model, object: 'model', created: 1700000000, owned_by: 'local-stub' }],
				});
			}
			if (req.method === 'POST' && path === '/v1/chat/completions') {
				if (!body || !Array.isArray(body.messages)) {
					record.status = 400;
					return openAiError(res, 400, 'messages is required');
				}
				let scripted;
				try {
					scripted = reply(body);
				} catch (error) {
					record.status = 500;
					record.error = error.message;
					return openAiError(res, 500, `stub script: ${error.message}`, 'server_error');
				}
				record.reply = scripted;
				const message = assistantMessage(scripted, nextId);
				const base = {
					id: `chatcmpl-${nextId()}`,
					created: Math.floor(Date.now() / 1000),
					model: body.model ?? model,
				};
				if (body.stream) {
					record.status = 200;
					res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
					for (const chunk of streamChunks(base, message))
						res.write(`data: ${JSON.stringify(chunk)}\n\n`);
					res.end('data: [DONE]\n\n');
					return;
				}
				return answer(200, {
					...base,
					object: 'chat.completion',
					choices: [
						{
							index: 0,
							message,
							logprobs: null,
							finish_reason: message.tool_calls ? 'tool_calls' : 'stop',
						},
					],
					usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
				});
			}
			record.status = 404;
			return openAiError(res, 404, `stub: no route ${req.method} ${path}`);
		});
	});
	await new Promise((resolveListen, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolveListen);
	});
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		stop: () =>
			new Promise((resolveClose) => {
				server.closeAllConnections?.();
				server.close(() => resolveClose());
			}),
	};
}
