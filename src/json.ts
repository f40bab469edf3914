/** Reading JSON from the network without `any`: a value is an object or a string only when it is one. */

/** The value as a JSON object, or an empty object when it is anything else (null, a list, text). */
export function obj(value: unknown): Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}

/** The value as text: strings as they are, numbers written out, anything else undefined. */
export function str(value: unknown): string | undefined {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
