/* eslint-disable @n8n/community-nodes/no-restricted-globals -- tests answer after a delay (setTimeout) */
/**
 * Without Continue On Fail, a stop behaves as if items ran one by one, whatever the concurrency
 * and the provider's timing: every item before the stopping one is sent and completes, none
 * after it starts once the stop is known, and the error is the lowest failing item's. The real
 * node through n8n-core's engine, against a loopback provider whose answers take varied times;
 * what it received is what is checked.
 */
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startHostile, type Hostile } from '../helpers/hostile';

let provider: Hostile;
/** How long the provider takes to answer a request for this chat. */
let latency: (chat: number, hit: number) => number = () => 0;
/** The chats it refuses (HTTP 404, with the given message). */
let refusals = new Map<number, string>();

beforeAll(async () => {
	provider = await startHostile();
	provider.handle((hit, response) => {
		const chat = chatOf(hit.url);
		setTimeout(
			() => {
				const refusal = refusals.get(chat);
				response.writeHead(refusal ? 404 : 200, { 'content-type': 'application/json' });
				response.end(
					JSON.stringify(
						refusal
							? { success: false, error: { status: 404, code: 2001, message: refusal } }
							: { chat_id: chatId(chat), status: 'accepted' },
					),
				);
			},
			latency(chat, provider.hits.length),
		);
	});
});
afterAll(async () => provider.close());
beforeEach(() => {
	provider.reset();
	refusals = new Map();
});

const chatId = (index: number) =>
	`550e8400-e29b-41d4-a716-${String(446655440000 + index).padStart(12, '0')}`;
const chatOf = (url: string) => Number(url.split('/')[3].slice(-12)) - 446655440000;
const received = () => provider.hits.map((hit) => chatOf(hit.url)).sort((a, b) => a - b);

/** Ten renames (of ten different chats unless `chats` says); item `invalid` has an empty Group Name. */
function run(
	concurrency: number,
	invalid?: number,
	chats: number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
) {
	return runWorkflow({
		nodes: [
			groupChatNode('Group Chat', {
				provider: 'linq',
				operation: 'rename',
				chatId: '={{ $json.chat }}',
				groupName: '={{ $json.name }}',
				options: { concurrency, maxAttempts: 1 },
			}),
		],
		items: chats.map((chat, index) => ({
			chat: chatId(chat),
			name: index === invalid ? '' : `Group ${index}`,
		})),
		credentials: { linqApi: { baseUrl: provider.baseUrl, apiToken: 'linq-stop-test-token' } },
	});
}

const LATENCIES: Array<[string, (chat: number, hit: number) => number]> = [
	['instant answers', () => 0],
	['5 ms answers', () => 5],
	['40 ms answers', () => 40],
	['early items slowest', (chat) => 60 - 10 * chat],
	['varied answers', (chat, hit) => (chat * 17 + hit * 29) % 45],
];

describe.each([10, 3])('Concurrency %i', (concurrency) => {
	test.each(LATENCIES)(
		'item 5 of 10 invalid, %s: items 0–4 are always sent and complete, 6–9 never',
		async (_name, timing) => {
			latency = timing;
			for (let repeat = 0; repeat < 3; repeat++) {
				provider.reset();
				const result = await run(concurrency, 5);
				expect(result.error?.message).toMatch(/^Item 5: Group Name is empty/);
				expect(received()).toEqual([0, 1, 2, 3, 4]);
			}
		},
	);
});

test.each(LATENCIES)(
	'a provider failure at item 3 (%s): items 0–2 are sent and complete; nothing starts after the stop is known',
	async (_name, timing) => {
		latency = timing;
		refusals = new Map([[3, 'no chat three']]);
		const result = await run(10);
		expect(result.error?.context?.itemIndex).toBe(3);
		expect(result.error?.description).toContain('no chat three');
		const sent = received();
		expect(sent.slice(0, 4)).toEqual([0, 1, 2, 3]);
		// Items after 3 were read ahead: those already on the wire when item 3 failed complete (at most
		// a Concurrency's worth, started before its answer); none is started later. With one slot,
		// none is on the wire at all.
		expect(sent.length).toBeLessThanOrEqual(10);
		provider.reset();
		const one = await run(1);
		expect(one.error?.context?.itemIndex).toBe(3);
		expect(received()).toEqual([0, 1, 2, 3]);
	},
);

test('a provider failure at item 3 while item 1 still waits behind item 0 (same chat): item 1 is still sent', async () => {
	// Item 0 takes 80 ms; item 1 renames the same chat, so it waits in that chat's lane. Item 3
	// is refused at once: the stop is known while item 1 has not started, and it still starts.
	latency = (chat) => (chat === 0 ? 80 : 5);
	refusals = new Map([[3, 'no chat three']]);
	for (const concurrency of [10, 2]) {
		provider.reset();
		const result = await run(concurrency, undefined, [0, 0, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(result.error?.context?.itemIndex).toBe(3);
		expect(received().slice(0, 4)).toEqual([0, 0, 2, 3]);
	}
});

test('two failures: the error is the lowest failing item’s, even when a later item fails first', async () => {
	// Item 7 is refused at once, item 3 only after 80 ms: item 7's failure is known first, then
	// item 3's, which is the one thrown. Everything before item 7 was started in input order.
	latency = (chat) => (chat === 3 ? 80 : chat === 7 ? 0 : 20);
	refusals = new Map([
		[3, 'no chat three'],
		[7, 'no chat seven'],
	]);
	for (let repeat = 0; repeat < 3; repeat++) {
		provider.reset();
		const result = await run(10);
		expect(result.error?.context?.itemIndex).toBe(3);
		expect(result.error?.description).toContain('no chat three');
		expect(received().slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
	}
});
