/**
 * Untrusted JSON payloads (webhook bodies), read without recursion: how deep a text nests
 * before it is parsed, a verified body as a JSON object or what stops it from becoming an item,
 * and bounded copies (`raw`) of the part of a payload an item is about, whose size never grows
 * with the payload.
 */

/** Levels of objects and arrays a delivery body may nest (real payloads use fewer than ten). */
export const MAX_BODY_DEPTH = 64;

/**
 * How deep the JSON text nests, counted without parsing and without recursion; stops counting
 * past `limit`. Brackets inside strings do not count.
 */
export function jsonDepth(text: string, limit = MAX_BODY_DEPTH): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (inString) {
			if (code === 0x5c)
				index++; // backslash: skip the escaped character
			else if (code === 0x22) inString = false;
		} else if (code === 0x22) inString = true;
		else if (code === 0x7b || code === 0x5b) {
			depth++;
			if (depth > deepest) {
				deepest = depth;
				if (deepest > limit) return deepest;
			}
		} else if (code === 0x7d || code === 0x5d) depth--;
	}
	return deepest;
}

export type SignedBody =
	| { ok: true; payload: Record<string, unknown> }
	| { ok: false; problem: string };

/**
 * A verified body as a JSON object, or what stops it from becoming an item: empty, not JSON,
 * nested deeper than MAX_BODY_DEPTH (checked before parsing), or JSON that is not an object.
 */
export function readSignedBody(rawBody: Uint8Array): SignedBody {
	const text = new TextDecoder('utf-8').decode(rawBody).replace(/^\uFEFF/, '');
	if (text.trim() === '') return { ok: false, problem: 'the body is empty' };
	if (jsonDepth(text) > MAX_BODY_DEPTH) {
		return { ok: false, problem: `the body nests deeper than ${MAX_BODY_DEPTH} levels` };
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return { ok: false, problem: 'the body is not valid JSON' };
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
		return { ok: false, problem: `the body is JSON but ${kind}, not an object` };
	}
	return { ok: true, payload: value as Record<string, unknown> };
}

// ---- bounded raw -----------------------------------------------------------------------------

/** Characters of JSON one item's `raw` holds at most (about; markers come on top). */
export const RAW_BUDGET = 16 * 1024;
/** The least each item of a delivery that fans out into many items keeps. */
export const RAW_FANOUT_MIN = 1024;
/** Nesting kept in `raw` (deeper bodies are refused before this matters). */
const RAW_DEPTH = MAX_BODY_DEPTH;
/** Room kept per opened list or object for the marker saying what was cut. */
const MARKER = 32;

type Container = Record<string, unknown> | unknown[];

/** Sets an own property, also for a key named "__proto__" (JSON.parse makes those own keys too). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
	if (key === '__proto__')
		Object.defineProperty(target, key, {
			value,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	else target[key] = value;
}

interface Group {
	target: Container;
	/** Entries in the source. */
	total: number;
	/** Entries copied (or dropped as JSON.stringify drops them). */
	kept: number;
	/** An entry did not fit: the ones after it are not copied either. */
	stopped: boolean;
	/** Lists: what their entries may use together (half of what was left when the list opened). */
	allowance: number;
}
interface Task {
	value: unknown;
	group: Group;
	key: string | number;
	depth: number;
}

/**
 * The JSON size of a value (about: escapes are not counted), or Infinity once it passes `limit`
 * or nests deeper than `depthLeft`. Iterative; stops as soon as the limit is passed.
 */
function sizeWithin(value: unknown, limit: number, depthLeft: number): number {
	let size = 0;
	const stack: Array<[unknown, number]> = [[value, depthLeft]];
	while (stack.length) {
		const [current, left] = stack.pop()!;
		if (typeof current === 'string') size += current.length + 3;
		else if (current === null || typeof current !== 'object') size += String(current).length + 1;
		else {
			if (left <= 0) return Infinity;
			size += 2;
			if (Array.isArray(current)) {
				for (let index = current.length - 1; index >= 0 && size <= limit; index--) {
					stack.push([current[index], left - 1]);
					size++;
				}
			} else {
				for (const key in current) {
					if (!Object.prototype.hasOwnProperty.call(current, key)) continue;
					size += key.length + 4;
					if (size > limit) break;
					stack.push([(current as Record<string, unknown>)[key], left - 1]);
				}
			}
		}
		if (size > limit) return Infinity;
	}
	return size;
}

/**
 * A copy of a JSON value that holds at most about `budget` characters of JSON, filled breadth
 * first (the envelope's fields before what is nested in them); a list keeps whole entries, in
 * order, as long as they fit in half of what is left when it opens (a first entry too big for
 * that is itself cut, a long string shortened). What does not fit is cut and
 * says so: a long string ends in `… (N characters)`, a list ends in `"… N more"`, an object with
 * more fields gets a `"…"` field saying how many are not shown. Iterative; the work is bounded
 * by the budget plus the fields of the objects it opens.
 */
export function boundedRaw(value: unknown, budget = RAW_BUDGET): unknown {
	const stringMax = Math.max(64, Math.floor(budget / 4));
	let left = budget - MARKER;
	// Every copied entry costs at least two characters: no more entries than that are queued.
	let queueRoom = Math.ceil(budget / 2);
	const groups: Group[] = [];
	const queue: Task[] = [];

	const open = (source: object, depth: number): Container => {
		if (Array.isArray(source)) {
			const group: Group = {
				target: [],
				total: source.length,
				kept: 0,
				stopped: false,
				allowance: Math.floor(left / 2),
			};
			groups.push(group);
			const count = Math.min(source.length, queueRoom);
			queueRoom -= count;
			for (let index = 0; index < count; index++)
				queue.push({ value: source[index], group, key: index, depth });
			return group.target;
		}
		const record = source as Record<string, unknown>;
		const group: Group = { target: {}, total: 0, kept: 0, stopped: false, allowance: Infinity };
		groups.push(group);
		for (const key in record) {
			if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
			group.total++;
			if (queueRoom > 0) {
				queueRoom--;
				queue.push({ value: record[key], group, key, depth });
			}
		}
		return group.target;
	};

	/** The copy of one value and what it costs, or undefined when it does not fit in `room`. */
	const copy = (
		source: unknown,
		depth: number,
		room: number,
		whole: boolean,
	): { value: unknown; cost: number } | undefined => {
		if (source === null || typeof source === 'boolean')
			return { value: source, cost: String(source).length };
		if (typeof source === 'number') {
			return Number.isFinite(source)
				? { value: source, cost: String(source).length }
				: { value: null, cost: 4 };
		}
		if (typeof source === 'string') {
			if (source.length <= stringMax && source.length + 2 <= room)
				return { value: source, cost: source.length + 2 };
			const keep = Math.min(stringMax, room - 40);
			if (keep < 16) return undefined;
			return { value: `${source.slice(0, keep)}… (${source.length} characters)`, cost: keep + 40 };
		}
		if (typeof source === 'object') {
			if (whole) {
				const size = sizeWithin(source, room, RAW_DEPTH - depth);
				return size === Infinity ? undefined : { value: copyPlain(source), cost: size };
			}
			if (depth >= RAW_DEPTH) return { value: '…', cost: 3 };
			// An opened container also pays for the marker it may need ("… N more").
			return room >= 2 + MARKER ? { value: open(source, depth + 1), cost: 2 + MARKER } : undefined;
		}
		return { value: undefined, cost: 0 }; // not JSON (undefined, a function…): dropped as JSON.stringify does
	};

	if (value === null || typeof value !== 'object')
		return copy(value, 0, budget, false)?.value ?? null;
	const root = open(value, 1);
	for (let next = 0; next < queue.length; next++) {
		const { group, key, depth } = queue[next];
		if (group.stopped) continue;
		const list = Array.isArray(group.target);
		const keyCost = list ? 1 : (key as string).length + 4;
		const room = Math.min(left, group.allowance) - keyCost;
		// A list's entries are copied whole; only a first entry too big for that is opened instead.
		let made = room > 0 ? copy(queue[next].value, depth, room, list) : undefined;
		if (!made && list && group.kept === 0 && room > 0)
			made = copy(queue[next].value, depth, room, false);
		if (!made || made.cost > room) {
			group.stopped = true;
			continue;
		}
		left -= keyCost + made.cost;
		group.allowance -= keyCost + made.cost;
		group.kept++;
		if (made.value === undefined) continue;
		if (list) (group.target as unknown[]).push(made.value);
		else put(group.target as Record<string, unknown>, key as string, made.value);
	}
	for (const group of groups) {
		const omitted = group.total - group.kept;
		if (omitted <= 0) continue;
		if (Array.isArray(group.target)) group.target.push(`… ${omitted} more`);
		else group.target['…'] = `${omitted} more field${omitted === 1 ? '' : 's'} not shown`;
	}
	return root;
}

/** A deep copy of a value boundedRaw made (plain, at most RAW_DEPTH deep), without recursion. */
function copyPlain(value: unknown): unknown {
	if (value === null || typeof value !== 'object') return value;
	const root: Container = Array.isArray(value) ? [] : {};
	const stack: Array<[Container, Container]> = [[value as Container, root]];
	while (stack.length) {
		const [source, target] = stack.pop()!;
		for (const key of Object.keys(source)) {
			const entry = (source as Record<string, unknown>)[key];
			if (entry !== null && typeof entry === 'object') {
				const child: Container = Array.isArray(entry) ? [] : {};
				put(target as Record<string, unknown>, key, child);
				stack.push([entry as Container, child]);
			} else put(target as Record<string, unknown>, key, entry);
		}
	}
	return root;
}

/**
 * One small `raw` per entry of a list inside the payload (Periskope's recipients): the payload
 * with that list holding only the entry. The rest is bounded once, to a budget shared out over
 * the entries (at least RAW_FANOUT_MIN each), and copied per entry, so work and memory grow with
 * the list, never with its square.
 */
export function rawPerEntry(
	payload: Record<string, unknown>,
	path: string[],
	count: number,
): (entry: unknown) => unknown {
	// The payload with the list emptied, copying only the objects on the way to it.
	const view: Record<string, unknown> = { ...payload };
	let at = view;
	for (let index = 0; index < path.length - 1; index++) {
		const inner = at[path[index]];
		if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
			return () => boundedRaw(payload);
		at = at[path[index]] = { ...(inner as Record<string, unknown>) };
	}
	const listKey = path[path.length - 1];
	at[listKey] = [];
	const budget = Math.max(RAW_FANOUT_MIN, Math.floor(RAW_BUDGET / Math.max(1, count)));
	const shared = boundedRaw(view, budget);
	return (entry) => {
		const raw = copyPlain(shared) as Record<string, unknown>;
		let holder: unknown = raw;
		for (let index = 0; index < path.length - 1 && holder && typeof holder === 'object'; index++) {
			holder = (holder as Record<string, unknown>)[path[index]];
		}
		if (
			holder &&
			typeof holder === 'object' &&
			Array.isArray((holder as Record<string, unknown>)[listKey])
		) {
			(holder as Record<string, unknown>)[listKey] = [boundedRaw(entry, 512)];
		}
		return raw;
	};
}
