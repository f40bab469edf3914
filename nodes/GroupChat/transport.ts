import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';

import {
	DeadlineError,
	MAX_ANSWER_BYTES,
	Redactor,
	checkBaseUrl,
	isByteStream,
	mayHoldToken,
	readCapped,
	withDeadline,
} from '../../src/boundary';
import { InputError, ProviderError } from '../../src/errors';
import { adapterFor } from '../../src/providers';
import type { HttpMethod } from '../../src/providers/adapter';
import { NetworkError, classifyNetworkFailure, sendOne } from '../../src/transport';
import type { CallKind, HttpResponse, HttpSend } from '../../src/transport';
import type { Provider } from '../../src/types';

export const CREDENTIAL_TYPES = {
	chert: 'chertApi',
	linq: 'linqApi',
	periskope: 'periskopeApi',
} as const;

/** Every n8n context that can send authenticated requests. */
export type RequestContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

type RawResponse = {
	statusCode: number;
	headers?: Record<string, string | string[] | undefined>;
	body: unknown;
};

/**
 * The one gate requests leave through, for every provider and operation: n8n's
 * httpRequestWithAuthentication (the credential signs the exact body string; n8n's proxy and
 * TLS settings apply), with redirects never followed, the answer read under a size cap and a
 * hard deadline, and every secret of the credential redacted from what comes back.
 */
export function gate(
	context: RequestContext,
	provider: Provider,
	credentials: ICredentialDataDecryptedObject,
): { send: HttpSend; redactor: Redactor } {
	const adapter = adapterFor(provider);
	const problem = adapter.checkCredentials?.(credentials);
	if (problem) throw new InputError(problem, 'credentials');
	const { root } = checkBaseUrl(credentials.baseUrl, adapter.label);
	// Compiled once per credential per run (each secret in every spelling).
	const redactor = new Redactor(adapter.secretFields.map((field) => String(credentials[field] ?? '')));
	const derived = adapter.derivedSecrets;
	const mayHoldDerived = derived ? mayHoldToken(derived.minLength) : undefined;
	const credentialType = CREDENTIAL_TYPES[provider];

	const send: HttpSend = async (request) => {
		const startedAt = Date.now();
		const deadline = startedAt + request.timeoutMs;
		let timedOut = false;
		const pending = context.helpers.httpRequestWithAuthentication.call(context, credentialType, {
			method: request.method as IHttpRequestMethods,
			url: `${root}${request.path}`,
			headers: request.headers,
			body: request.body,
			timeout: request.timeoutMs,
			json: false,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
		}) as Promise<RawResponse>;
		// Whatever arrives after the deadline is closed unread.
		pending.then(
			(late) => {
				if (timedOut && isByteStream(late?.body)) late.body.destroy();
			},
			() => {},
		);
		const outcome = await withDeadline(pending, request.timeoutMs);
		if ('timedOut' in outcome) {
			timedOut = true;
			throw new NetworkError('timeout', 'deadline');
		}
		if (!outcome.ok) throw classifyNetworkFailure(outcome.error);
		const response = outcome.value;

		let text = '';
		let oversize = false;
		const { body } = response;
		let broken: 'deadline' | 'reset' | undefined;
		try {
			if (isByteStream(body)) {
				({ text, oversize } = await readCapped(body, MAX_ANSWER_BYTES, deadline));
			} else if (typeof body === 'string') {
				oversize = body.length > MAX_ANSWER_BYTES;
				text = body.slice(0, MAX_ANSWER_BYTES);
			} else if (body instanceof Uint8Array) {
				oversize = body.length > MAX_ANSWER_BYTES;
				text = new TextDecoder().decode(body.subarray(0, MAX_ANSWER_BYTES));
			} else if (body !== undefined && body !== null) {
				text = JSON.stringify(body);
			}
		} catch (error) {
			broken = error instanceof DeadlineError ? 'deadline' : 'reset';
		}
		if (broken === 'deadline') throw new NetworkError('timeout', 'deadline');
		if (broken === 'reset') throw new NetworkError('reset', 'the answer broke off');

		// Values derived for this request (Chert's signatures) are computed and compiled only
		// for an answer that could hold one in some spelling: most answers cannot.
		const endedAt = Date.now();
		let scrub: Redactor | undefined;
		const clean = (value: string) => {
			const out = redactor.text(value);
			if (!derived || !mayHoldDerived?.(value)) return out;
			scrub ??= new Redactor(derived.values(credentials, request.body ?? '', startedAt, endedAt));
			return scrub.text(out);
		};
		const headers: HttpResponse['headers'] = {};
		for (const [key, value] of Object.entries(response.headers ?? {})) {
			headers[key.toLowerCase()] = Array.isArray(value) ? value.map(clean) : value === undefined ? undefined : clean(String(value));
		}
		return { statusCode: response.statusCode, headers, body: clean(text), oversize, url: `${root}${request.path}` };
	};
	return { send, redactor };
}

/** The old name: a gate's sender for one credential. */
export function httpSender(
	context: RequestContext,
	provider: Provider,
	credentials: ICredentialDataDecryptedObject,
): HttpSend {
	return gate(context, provider, credentials).send;
}

export interface ProviderCall {
	method: HttpMethod;
	/** Path below the Base URL, starting with "/"; each variable part encoded with `segment()`. */
	path: string;
	query?: Record<string, string | number | boolean | undefined>;
	body?: unknown;
	/**
	 * What the call is for, in the user's words, used in errors. A read's purpose starts with
	 * "read" ("read the group list"); another verb is said as "read" ("list the webhook
	 * subscriptions" → "could not read the webhook subscriptions").
	 */
	purpose: string;
	/** A read changes nothing (default for GET); anything else is a write. */
	kind?: CallKind;
}

export interface ProviderReply {
	status: number;
	json: unknown;
	headers: Record<string, string | string[] | undefined>;
}

/**
 * One provider call outside the five operations (pickers, webhook subscriptions): through the
 * same gate, with rate-limit waits and, for reads, retries after a failure. A read's failure
 * says what could not be read ("Linq: could not read the group list: the answer was not JSON");
 * a write's keeps the retry-safety words. A refusal becomes a NodeApiError in the provider's
 * words, with code, status and trace id.
 */
export async function callProvider(
	context: RequestContext,
	provider: Provider,
	call: ProviderCall,
	options: {
		timeoutMs?: number;
		maxAttempts?: number;
		itemIndex?: number;
		credentials?: ICredentialDataDecryptedObject;
	} = {},
): Promise<ProviderReply> {
	const credentials =
		options.credentials ??
		((await context.getCredentials(CREDENTIAL_TYPES[provider], options.itemIndex)) as ICredentialDataDecryptedObject);
	let send: HttpSend;
	try {
		send = gate(context, provider, credentials).send;
	} catch (error) {
		throw new NodeOperationError(context.getNode(), error instanceof Error ? error.message : String(error), {
			itemIndex: options.itemIndex,
		});
	}
	const query = Object.entries(call.query ?? {}).filter(([, value]) => value !== undefined && value !== '');
	const path = query.length
		? `${call.path}?${new URLSearchParams(query.map(([key, value]): [string, string] => [key, String(value)])).toString()}`
		: call.path;
	const answer = await sendOne(adapterFor(provider), { method: call.method, path, body: call.body }, send, {
		purpose: call.purpose,
		kind: call.kind ?? (call.method === 'GET' ? 'read' : 'write'),
		retrySafe: call.method === 'GET',
		timeoutMs: options.timeoutMs,
		maxAttempts: options.maxAttempts,
	});
	if (!answer.ok) throw providerApiError(context, answer.error, options.itemIndex);
	return { status: answer.response.status, json: answer.response.json, headers: answer.response.headers };
}

/** What an n8n error keeps of the provider's answer: code, status, trace id and its (redacted) body. */
export function providerErrorBody(error: ProviderError): JsonObject {
	const { code, httpStatus, traceId, providerMessage, body } = error.details;
	const response: JsonObject = { provider: error.provider };
	if (code !== undefined) response.code = code;
	if (httpStatus !== undefined) response.httpStatus = httpStatus;
	if (traceId) response.traceId = traceId;
	if (providerMessage) response.providerMessage = providerMessage;
	if (body !== undefined) response.response = body as JsonObject;
	return response;
}

/** A core ProviderError as the NodeApiError n8n shows: the user's words, code, status, trace id. */
export function providerApiError(context: RequestContext, error: ProviderError, itemIndex?: number): NodeApiError {
	const { httpStatus } = error.details;
	return new NodeApiError(context.getNode(), providerErrorBody(error), {
		itemIndex,
		message: error.message,
		description: `${error.describe()}.`,
		httpCode: httpStatus ? String(httpStatus) : undefined,
	});
}
