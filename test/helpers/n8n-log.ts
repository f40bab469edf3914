/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling: reaches n8n-core's own logger through its DI container, never shipped in dist */
/**
 * n8n's logger, redirected for tests. n8n-core reports every node error through its
 * ErrorReporter, which writes message + stack to the console through n8n's Logger
 * (@n8n/backend-common, resolved from @n8n/di's Container). In tests those errors are expected
 * and asserted, so nothing is printed; instead every line the logger is given (all levels,
 * debug included) goes to this sink, which a test can capture and scan (test/engine/leaks.test.ts).
 *
 * Installed for every test file by test/setup/n8n-logger.ts (jest `setupFiles`), before n8n-core
 * creates its Logger. n8n-core carries its own copies of @n8n/di and @n8n/backend-common, so they
 * are resolved from n8n-core's folder: the same module instances n8n-core uses.
 */
import { dirname } from 'node:path';

export interface N8nLogEntry {
	level: string;
	message: string;
	/** The metadata n8n attached (errors serialized with their own properties). */
	meta: string;
}

const entries: N8nLogEntry[] = [];
let capturing = false;
let total = 0;

/** JSON of a value including errors' own non-enumerable properties (message, stack, cause…). */
export function serialize(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return JSON.stringify(value, (_key, current: unknown) => {
			if (current && typeof current === 'object') {
				if (seen.has(current)) return '[circular]';
				seen.add(current);
				if (current instanceof Error) {
					const all: Record<string, unknown> = {};
					for (const name of Object.getOwnPropertyNames(current)) {
						all[name] = (current as unknown as Record<string, unknown>)[name];
					}
					return all;
				}
			}
			return current;
		});
	} catch (error) {
		return `[unserializable: ${String(error)}]`;
	}
}

/** winston's surface that n8n's Logger uses: log() and child() (for scoped loggers). */
const sink = {
	log(level: string, message: unknown, meta?: unknown) {
		total++;
		if (!capturing) return sink;
		entries.push({ level, message: String(message), meta: serialize(meta ?? {}) });
		return sink;
	},
	child() {
		return sink;
	},
};

/** Routes n8n's Logger (and LoggerProxy) to the sink; nothing reaches the console. */
export function silenceN8nLogger(): void {
	const coreDir = dirname(require.resolve('n8n-core'));
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Container } = require(require.resolve('@n8n/di', { paths: [coreDir] })) as {
		Container: { get<T>(type: new (...args: never[]) => T): T };
	};
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Logger } = require(require.resolve('@n8n/backend-common', { paths: [coreDir] })) as {
		Logger: new (...args: never[]) => { setInternalLogger(logger: unknown): void };
	};
	// 'silent' keeps every level method live (no level filtering) and adds no console transport;
	// the sink then receives everything.
	const previous = process.env.N8N_LOG_LEVEL;
	process.env.N8N_LOG_LEVEL = 'silent';
	try {
		Container.get(Logger).setInternalLogger(sink);
	} finally {
		if (previous === undefined) delete process.env.N8N_LOG_LEVEL;
		else process.env.N8N_LOG_LEVEL = previous;
	}
}

/** Starts keeping what n8n logs; returns the live list (cleared). */
export function captureN8nLog(): N8nLogEntry[] {
	entries.length = 0;
	capturing = true;
	return entries;
}

export function stopN8nLogCapture(): void {
	capturing = false;
}

/** How many lines n8n has logged in this test file (captured or not). */
export function n8nLogCount(): number {
	return total;
}
