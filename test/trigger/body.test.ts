/**
 * What a verified body may become (src/payload.ts): a JSON object nested at most 64 levels
 * (checked on the text, without recursion, before parsing), and each item's `raw` a bounded,
 * breadth-first copy — never the whole of a long list, never deeper than the body allows.
 */
import fc from 'fast-check';

import {
	MAX_BODY_DEPTH,
	RAW_BUDGET,
	boundedRaw,
	jsonDepth,
	rawPerEntry,
	readSignedBody,
} from '../../src/payload';

const bytes = (text: string) => new TextEncoder().encode(text);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('readSignedBody', () => {
	test.each([
		['an object', '{"a":1}', { ok: true, payload: { a: 1 } }],
		['an object after a BOM', '\uFEFF{"a":1}', { ok: true, payload: { a: 1 } }],
		['empty', '', { ok: false, problem: 'the body is empty' }],
		['whitespace', ' \n', { ok: false, problem: 'the body is empty' }],
		['not JSON', '{"a":', { ok: false, problem: 'the body is not valid JSON' }],
		['HTML', '<html>hi</html>', { ok: false, problem: 'the body is not valid JSON' }],
		[
			'an array',
			'[{"a":1}]',
			{ ok: false, problem: 'the body is JSON but an array, not an object' },
		],
		['a string', '"hi"', { ok: false, problem: 'the body is JSON but a string, not an object' }],
		['a number', '42', { ok: false, problem: 'the body is JSON but a number, not an object' }],
		['null', 'null', { ok: false, problem: 'the body is JSON but null, not an object' }],
	])('%s', (_label, text, expected) => {
		expect(readSignedBody(bytes(text))).toEqual(expected);
	});

	test('64 levels are read; 65 and 100,000 are refused before parsing, without a stack overflow', () => {
		const at = (depth: number) => `{"a":${nested(depth - 1)}}`;
		expect(readSignedBody(bytes(at(MAX_BODY_DEPTH))).ok).toBe(true);
		expect(readSignedBody(bytes(at(MAX_BODY_DEPTH + 1)))).toEqual({
			ok: false,
			problem: 'the body nests deeper than 64 levels',
		});
		expect(readSignedBody(bytes(`{"a":${nested(100_000)}}`))).toEqual({
			ok: false,
			problem: 'the body nests deeper than 64 levels',
		});
	});

	test('brackets inside strings (escaped quotes included) do not count as nesting', () => {
		const text = JSON.stringify({ text: `\\"${'['.repeat(500)}{{{`, n: [[1]] });
		expect(jsonDepth(text)).toBe(3);
		expect(readSignedBody(bytes(text)).ok).toBe(true);
	});

	test('property: jsonDepth equals the nesting of any JSON value', () => {
		const depthOf = (value: unknown): number =>
			value !== null && typeof value === 'object'
				? 1 + Math.max(0, ...Object.values(value).map(depthOf))
				: 0;
		fc.assert(
			fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
				expect(jsonDepth(JSON.stringify(value), 1000)).toBe(depthOf(value));
			}),
		);
	});
});

describe('boundedRaw', () => {
	test('a small payload is copied exactly (a copy, not the same object)', () => {
		const payload = { event: 'x', data: { list: [1, 'two', { three: null }], flag: true }, n: 1.5 };
		const raw = boundedRaw(payload);
		expect(raw).toEqual(payload);
		expect(raw).not.toBe(payload);
		expect((raw as typeof payload).data).not.toBe(payload.data);
	});

	test('property: any JSON value well within the budget comes back equal; anything else stays within it', () => {
		fc.assert(
			fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
				const text = JSON.stringify(value);
				const raw = boundedRaw(value, 2048);
				// A quarter of the budget always fits (longest string kept whole, half left for each list).
				if (text.length <= 512) expect(JSON.stringify(raw)).toBe(text);
				expect(JSON.stringify(raw).length).toBeLessThanOrEqual(2048 + 64);
			}),
			{ numRuns: 500 },
		);
	});

	test('a "__proto__" key from JSON stays an own field: nothing reaches the copy\'s prototype', () => {
		const payload = JSON.parse(
			'{"a":1,"__proto__":{"polluted":true},"data":{"__proto__":[1]}}',
		) as Record<string, unknown>;
		const raw = boundedRaw(payload) as Record<string, unknown>;
		expect(JSON.stringify(raw)).toBe(JSON.stringify(payload));
		expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
		expect(Object.getPrototypeOf(raw.data)).toBe(Object.prototype);
		expect(raw.polluted).toBeUndefined();
		const perEntry = rawPerEntry(
			{ ...payload, data: { ...(payload.data as object), list: [1, 2] } },
			['data', 'list'],
			2,
		)(2) as Record<string, unknown>;
		expect(Object.getPrototypeOf(perEntry)).toBe(Object.prototype);
		expect(JSON.stringify(perEntry)).toBe(
			'{"a":1,"__proto__":{"polluted":true},"data":{"__proto__":[1],"list":[2]}}',
		);
	});

	test('a 10,000-handle list keeps the envelope whole and whole entries of the list, then says how many more', () => {
		const handles = Array.from({ length: 10_000 }, (_, i) => ({
			id: `h${i}`,
			handle: `+1415556${String(i).padStart(4, '0')}`,
			status: 'active',
		}));
		const payload = {
			event_type: 'chat.created',
			event_id: 'e1',
			data: { id: 'c1', handles, display_name: 'Big', is_group: true },
			trace_id: 't',
		};
		const raw = boundedRaw(payload) as typeof payload & { data: { handles: unknown[] } };
		const text = JSON.stringify(raw);
		expect(text.length).toBeLessThan(RAW_BUDGET + 200);
		expect(raw).toMatchObject({
			event_type: 'chat.created',
			event_id: 'e1',
			trace_id: 't',
			data: { id: 'c1', display_name: 'Big', is_group: true },
		});
		const kept = raw.data.handles.slice(0, -1);
		expect(kept.length).toBeGreaterThan(20);
		expect(kept).toEqual(handles.slice(0, kept.length));
		expect(raw.data.handles[raw.data.handles.length - 1]).toBe(`… ${10_000 - kept.length} more`);
	});

	test('long strings are cut and say their length; objects with too many fields say how many are not shown', () => {
		const raw = boundedRaw({
			text: 'x'.repeat(100_000),
			wide: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
		}) as {
			text: string;
			wide: Record<string, unknown>;
		};
		expect(raw.text).toMatch(/^x{100,}… \(100000 characters\)$/);
		expect(raw.wide['…']).toMatch(/^\d+ more fields not shown$/);
		expect(JSON.stringify(raw).length).toBeLessThan(RAW_BUDGET + 200);
	});

	test('many wide objects, each cut, stay within the budget markers included', () => {
		const wide = Object.fromEntries(
			Array.from({ length: 500 }, (_, i) => [
				`o${i}`,
				Object.fromEntries(Array.from({ length: 100 }, (_u, k) => [`k${k}`, k])),
			]),
		);
		for (const budget of [1024, 2048, RAW_BUDGET]) {
			expect(JSON.stringify(boundedRaw(wide, budget)).length).toBeLessThanOrEqual(budget + 64);
			expect(
				JSON.stringify(boundedRaw([wide, [wide], { wide }], budget)).length,
			).toBeLessThanOrEqual(budget + 64);
		}
	});

	test('nesting is bounded even for a value built in memory (no recursion)', () => {
		let deep: unknown = 'bottom';
		for (let i = 0; i < 100_000; i++) deep = { d: deep };
		const raw = boundedRaw(deep);
		expect(() => JSON.stringify(raw)).not.toThrow();
		expect(jsonDepth(JSON.stringify(raw), 1000)).toBeLessThanOrEqual(MAX_BODY_DEPTH);
	});
});

describe('rawPerEntry', () => {
	test('each entry gets the payload with only its own entry in the list, in its own objects', () => {
		const recipients = Array.from(
			{ length: 10_000 },
			(_, i) => `1415556${String(i).padStart(4, '0')}@c.us`,
		);
		const payload = {
			event: 'chat.notification.created',
			data: { chat_id: 'g@g.us', recipientids: recipients, type: 'add', id: { id: 'n1' } },
			org_id: 'o',
		};
		const rawFor = rawPerEntry(payload, ['data', 'recipientids'], recipients.length);
		const first = rawFor(recipients[0]) as typeof payload;
		const last = rawFor(recipients[9999]) as typeof payload;
		expect(first).toEqual({ ...payload, data: { ...payload.data, recipientids: [recipients[0]] } });
		expect(last.data.recipientids).toEqual([recipients[9999]]);
		expect(first.data).not.toBe(last.data);
		expect(first.data.id).not.toBe(last.data.id);
		// The payload itself is untouched.
		expect(payload.data.recipientids).toHaveLength(10_000);
		expect(JSON.stringify(first).length).toBeLessThan(400);
	});
});
