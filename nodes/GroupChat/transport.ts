import { sleep } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	DeadlineError,
	MAX_ANSWER_BYTES,
	checkBaseUrl,
	isByteStream,
	readCapped,
	withDeadline,
} from '../../src/boundary';
import { InputError } from '../../src/errors';
import type { ProviderRequest } from '../../src/http';
import { NetworkError, classifyNetworkFailure } from '../../src/network';
import type { HttpResponse, HttpSend } from '../../src/network';
import { entryFor } from '../../src/providers';
import { Redactor, mayHoldToken } from '../../src/redaction';
import { sendCall } from '../../src/transport';
import type { TransportHooks } from '../../src/transport';
import type { Provider } from '../../src/types';
import { toNodeError } from './errors';

/** How the core waits in n8n (retries, rate limits, pacing): n8n-workflow's sleep. */
export const N8N_HOOKS: Pick<TransportHooks, 'sleep'> = { sleep: async (ms) => await sleep(ms) };

/** Every n8n context that can send authenticated requests. */
export type RequestContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions;

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
	const { adapter, credentialType } = entryFor(provider);
	const problem = adapter.checkCredentials?.(credentials);
	if (problem) throw new InputError(problem, 'credentials');
	const { root } = checkBaseUrl(credentials.baseUrl, adapter.label);
	// Compiled once per credential per run (each secret in every spelling).
	const redactor = new Redactor(
		adapter.secretFields.map((field) => String(credentials[field] ?? '')),
	);
	const derived = adapter.derivedSecrets;
	const mayHoldDerived = derived ? mayHoldToken(derived.minLength) : undefined;

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
			headers[key.toLowerCase()] = Array.isArray(value)
				? value.map(clean)
				: value === undefined
					? undefined
					: clean(String(value));
		}
		return {
			statusCode: response.statusCode,
			headers,
			body: clean(text),
			oversize,
			url: `${root}${request.path}`,
		};
	};
	return { send, redactor };
}

export interface ProviderReply {
	status: number;
	json: unknown;
	headers: Record<string, string | string[] | undefined>;
}

/**
 * One provider call outside the operations (pickers, webhook subscriptions): through the same
 * gate, with rate-limit waits and, for reads, retries after a failure. A read's failure says what
 * could not be read ("Linq: could not read the group list: the answer was not JSON"); a write's
 * keeps the retry-safety words. Failures become the n8n errors of toNodeError.
 */
export async function callProvider(
	context: RequestContext,
	provider: Provider,
	request: ProviderRequest,
	options: {
		timeoutMs?: number;
		maxAttempts?: number;
		itemIndex?: number;
		credentials?: ICredentialDataDecryptedObject;
	} = {},
): Promise<ProviderReply> {
	const { adapter, credentialType } = entryFor(provider);
	const credentials =
		options.credentials ??
		((await context.getCredentials(
			credentialType,
			options.itemIndex,
		)) as ICredentialDataDecryptedObject);
	let send: HttpSend;
	try {
		send = gate(context, provider, credentials).send;
	} catch (error) {
		throw toNodeError(context.getNode(), error, options.itemIndex);
	}
	const answer = await sendCall(adapter, request, send, options, N8N_HOOKS);
	if (!answer.ok) throw toNodeError(context.getNode(), answer.error, options.itemIndex);
	return {
		status: answer.response.status,
		json: answer.response.json,
		headers: answer.response.headers,
	};
}
