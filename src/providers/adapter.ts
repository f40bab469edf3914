/**
 * The contract every provider adapter fulfils: input rules, request planning, retry
 * safety, and interpretation of answers into the normalized result.
 */
import type { ProviderError } from '../errors';
import type { InputRules, OperationInput } from '../operations';
import type { GroupChatResult, Operation, Provider } from '../types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One HTTP request the adapter wants sent. The transport serializes `body` exactly once. */
export interface PlannedRequest {
	method: HttpMethod;
	/** Path relative to the credential's base URL, already URL-encoded. */
	path: string;
	body?: unknown;
	/** The participant this request is for, when the provider takes one address per call. */
	address?: string;
}

/** An HTTP answer as received: status, headers and the body text. */
export interface HttpAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	/** The body parsed as JSON, or undefined when it is not JSON. */
	json: unknown;
}

/** The final outcome of one planned request, after retries. */
export type Answer =
	| { request: PlannedRequest; ok: true; response: HttpAnswer; attempts: number; retried: boolean }
	| { request: PlannedRequest; ok: false; error: ProviderError; attempts: number; retried: boolean };

/**
 * When a failure may have reached the provider (5xx, reset, timeout, unreadable answer),
 * may the request be sent again? From design.md's retry-safety table.
 */
export type RetryAfterAmbiguity = Record<Operation, boolean>;

export interface ProviderAdapter {
	id: Provider;
	/** "Chert", "Linq", "Periskope" */
	label: string;
	rules: InputRules;
	retryAfterAmbiguity: RetryAfterAmbiguity;
	plan(input: OperationInput): PlannedRequest[];
	/** Turns an error answer into a ProviderError in the user's words. */
	toError(input: OperationInput, answer: HttpAnswer, request: PlannedRequest): ProviderError;
	/** How long the provider asks us to wait before trying again (429), in ms. */
	rateLimitWaitMs(answer: HttpAnswer, nowMs: number): number | undefined;
	/**
	 * A refusal that, after an attempt that may have been applied, means the change is in
	 * place (Chert: "not in group" on a retried remove). Returns true to count it as done.
	 */
	confirmsEarlierAttempt?(input: OperationInput, error: ProviderError): boolean;
	interpret(input: OperationInput, answers: Answer[]): GroupChatResult;
}

/** Reads a header case-insensitively as one string. */
export function header(answer: HttpAnswer, name: string): string | undefined {
	const value = answer.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** Encodes a chat ID or address as one path segment. */
export function segment(value: string): string {
	return encodeURIComponent(value);
}

/** Parses a Retry-After header value (seconds or HTTP date) into ms. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Status of a fan-out operation from its per-address outcomes. */
export function statusFrom(
	outcomes: { outcome: string }[],
	allOk: 'done' | 'accepted',
): GroupChatResult['status'] {
	const failed = outcomes.filter((entry) => entry.outcome === 'failed').length;
	if (failed === 0) return allOk;
	return failed === outcomes.length ? 'failed' : 'partial';
}

/** JSON object access without `any`. */
export function obj(value: unknown): Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}

export function str(value: unknown): string | undefined {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
