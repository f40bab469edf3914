/**
 * Options → Max Rate Limit Wait, through n8n-core's engine against a loopback provider: a
 * provider that never stops answering 429 fails the items after the configured wait with a
 * message a person can read, having received a bounded number of requests; a provider that
 * refuses most requests but lets some through never cuts a run short, however long it lasts.
 */
import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startHostile, type Hostile } from '../helpers/hostile';

let provider: Hostile;
/** Which requests (by arrival number, from 1) the provider answers with 429 and Retry-After. */
let refuse: (arrival: number) => string | undefined = () => undefined;

beforeAll(async () => {
	provider = await startHostile();
	provider.handle((hit, response) => {
		const retryAfter = refuse(provider.hits.length);
		if (retryAfter !== undefined) {
			response.writeHead(429, {
				'content-type': 'application/json',
				...(retryAfter ? { 'retry-after': retryAfter } : {}),
			});
			response.end(
				JSON.stringify({
					success: false,
					error: { status: 429, code: 1007, message: 'Too many requests' },
				}),
			);
			return;
		}
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end(JSON.stringify({ chat_id: hit.url.split('/')[3], status: 'accepted' }));
	});
});
afterAll(async () => provider.close());
beforeEach(() => provider.reset());

const chat = (index: number) =>
	`550e8400-e29b-41d4-a716-${String(446655440000 + index).padStart(12, '0')}`;

function run(items: number, options: Record<string, unknown>, continueOnFail = false) {
	return runWorkflow({
		nodes: [
			groupChatNode(
				'Group Chat',
				{
					provider: 'linq',
					operation: 'rename',
					chatId: '={{ $json.chat }}',
					groupName: 'Renamed',
					options,
				},
				continueOnFail ? { onError: 'continueRegularOutput' } : {},
			),
		],
		items: Array.from({ length: items }, (_unused, index) => ({ chat: chat(index) })),
		credentials: { linqApi: { baseUrl: provider.baseUrl, apiToken: 'linq-rate-limit-test-token' } },
	});
}

test('a provider that always answers 429: the item fails after Max Rate Limit Wait, saying how long and what was asked', async () => {
	refuse = () => '0.2';
	const started = Date.now();
	const result = await run(1, { maxRateLimitWait: '={{ 1 }}' });
	const took = Date.now() - started;
	expect(result.error?.message).toBe(
		'Linq: still rate limited after waiting 1 s, and no request of this credential got through in that time (Linq last asked to wait 0.2 s); the node stops waiting after 1 s (Options → Max Rate Limit Wait) — try again later',
	);
	expect(result.error?.description).toContain('HTTP 429');
	expect(took).toBeGreaterThanOrEqual(950);
	expect(took).toBeLessThan(4000);
	// One request, then one every 0.2 s until the second is up: bounded by the wait, not by a count.
	expect(provider.hits.length).toBeGreaterThanOrEqual(4);
	expect(provider.hits.length).toBeLessThanOrEqual(7);
});

test('…without a readable hint it backs off, and every waiting item fails with the message (Continue On Fail), requests bounded', async () => {
	refuse = () => '';
	const started = Date.now();
	const result = await run(6, { maxRateLimitWait: 2, concurrency: 3 }, true);
	const took = Date.now() - started;
	const output = result.output('Group Chat');
	expect(output).toHaveLength(6);
	for (const item of output) {
		expect(item.json.error).toMatch(
			/^Linq: still rate limited after waiting 2 s, and no request of this credential got through in that time \(Linq gave no wait time that could be read\); the node stops waiting after 2 s/,
		);
	}
	expect(took).toBeLessThan(6000);
	// Backoff from 0.25 s doubling, shared by the three in flight; items that start after the
	// ceiling fail without sending anything.
	expect(provider.hits.length).toBeLessThanOrEqual(20);
});

test('a provider that refuses two of every three requests but lets the third through never cuts the run short', async () => {
	refuse = (arrival) => (arrival % 3 === 0 ? undefined : '0.25');
	const started = Date.now();
	const result = await run(10, { maxRateLimitWait: 1, concurrency: 2 });
	const took = Date.now() - started;
	expect(result.error).toBeUndefined();
	const output = result.output('Group Chat');
	expect(output.map((item) => item.json.status)).toEqual(Array(10).fill('accepted'));
	// The run spent well over Max Rate Limit Wait rate limited in total, and was not stopped.
	expect(took).toBeGreaterThan(1500);
	expect(provider.hits.length).toBeGreaterThanOrEqual(28);
});

test.each([
	['0', '={{ 0 }}', 'number 0'],
	['3601', '={{ 3601 }}', 'number 3601'],
	['"soon"', '={{ "soon" }}', '"soon"'],
])(
	'Max Rate Limit Wait %s from an expression stops the item with an input error; nothing is sent',
	async (_name, value, shown) => {
		refuse = () => undefined;
		const result = await run(1, { maxRateLimitWait: value });
		expect(result.error?.message).toBe(
			`Item 0: Max Rate Limit Wait (Seconds) must be a number from 1 to 3600, got ${shown}`,
		);
		expect(result.error?.description).toMatch(
			/Options → Max Rate Limit Wait \(Seconds\).*Nothing was sent/,
		);
		expect(provider.hits).toHaveLength(0);
	},
);
