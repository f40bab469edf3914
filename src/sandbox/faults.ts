/**
 * Fault injection: specs are matched in injection order against each incoming request and
 * consumed (`times`). Deterministic: no randomness.
 */
import type { FaultController, FaultSpec, ProviderName } from './types';

const KINDS = new Set([
	'rate_limit',
	'http_error',
	'reset_before',
	'reset_after',
	'delay',
	'html',
	'malformed_json',
	'partial_failure',
]);

export interface FaultTarget {
	provider: ProviderName;
	method: string;
	/** Provider-relative raw path. */
	path: string;
	/** The same path percent-decoded (equal to path when not decodable). */
	decodedPath: string;
}

/** Periskope routes where a partial_failure fault applies. */
const PARTIAL_FAILURE_ROUTE = /^\/chats\/[^/]+\/(add|remove|promote|demote)\/?$/;

export class Faults implements FaultController {
	private specs: Array<{ spec: FaultSpec; left: number; skip: number }> = [];

	inject(spec: FaultSpec): void {
		if (!KINDS.has(spec.kind)) throw new Error(`Unknown fault kind: ${String(spec.kind)}`);
		if (
			spec.kind === 'http_error' &&
			spec.status !== undefined &&
			![500, 502, 503].includes(spec.status)
		) {
			throw new Error(`http_error status must be 500, 502 or 503, got ${spec.status}`);
		}
		const times = spec.times ?? 1;
		if (!(times > 0)) return;
		this.specs.push({ spec: { ...spec }, left: times, skip: Math.max(0, spec.skip ?? 0) });
	}

	clear(): void {
		this.specs = [];
	}

	pending(): number {
		return this.specs.length;
	}

	/** Returns (and consumes one use of) the first fault matching the request. */
	take(target: FaultTarget): FaultSpec | undefined {
		const index = this.specs.findIndex(({ spec }) => matches(spec, target));
		if (index === -1) return undefined;
		const entry = this.specs[index];
		if (entry.skip > 0) {
			// Let this matching request through untouched; later faults are not consulted.
			entry.skip -= 1;
			return undefined;
		}
		entry.left -= 1;
		if (entry.left <= 0) this.specs.splice(index, 1);
		return entry.spec;
	}
}

function matches(spec: FaultSpec, target: FaultTarget): boolean {
	if (spec.provider !== undefined && spec.provider !== target.provider) return false;
	if (spec.method !== undefined && spec.method.toUpperCase() !== target.method.toUpperCase())
		return false;
	if (spec.path !== undefined) {
		if (typeof spec.path === 'string') {
			if (spec.path !== target.path && spec.path !== target.decodedPath) return false;
		} else {
			spec.path.lastIndex = 0;
			const raw = spec.path.test(target.path);
			spec.path.lastIndex = 0;
			if (!raw && !spec.path.test(target.decodedPath)) return false;
		}
	}
	if (spec.kind === 'partial_failure') {
		// Only Periskope's add/remove/promote/demote answer per participant; never consume it elsewhere.
		if (target.provider !== 'periskope' || target.method.toUpperCase() !== 'POST') return false;
		if (!PARTIAL_FAILURE_ROUTE.test(target.decodedPath)) return false;
	}
	return true;
}
