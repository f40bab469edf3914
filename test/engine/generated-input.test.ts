/**
 * Generated bad inputs (fast-check), each run as a workflow through n8n-core's engine: every
 * one must stop with a clear error naming the item and the value, and nothing may be sent.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { groupChatNode, runWorkflow } from '../helpers/engine';
import { startRecorder, type Recorder } from '../helpers/recorder';

let server: Recorder;
beforeAll(async () => {
	server = await startRecorder();
	server.respond(() => ({ body: {} }));
});
afterAll(async () => server.close());

const credentials = () => ({
	chertApi: {
		baseUrl: server.baseUrl,
		signingSecret: 'dummy-signing-value',
		tenantSlug: 't',
		authMode: 'hmac',
	},
	linqApi: { baseUrl: server.baseUrl, apiToken: 'dummy-linq' },
	periskopeApi: { baseUrl: server.baseUrl, apiKey: 'dummy-periskope', orgPhone: '14155550300' },
});

const LINQ_CHAT = '550e8400-e29b-41d4-a716-446655440000';
const validPhone = fc.constantFrom(
	'+14155551234',
	'(415) 555-9876',
	'+44 20 7123 4567',
	'919537851844',
);

interface BadCase {
	label: string;
	parameters: IDataObject;
	/** The item's JSON: parameters read from it by expression. */
	json: IDataObject;
	/** What the error must say (besides "Item 0:"). */
	mentions: string;
}

const garbageNumber = fc.oneof(
	fc.stringMatching(/^[0-9]{1,5}$/),
	fc.stringMatching(/^\+?[0-9]{17,22}$/),
	fc.stringMatching(/^[0-9]{3}[a-z]{1,4}[0-9]{2,6}$/),
	fc.stringMatching(/^[a-zA-Z]{1,10}$/),
	fc.constantFrom('+1 000 000 0000', '+999 123 456', '555-01', '+', '()', '---'),
);
/** National-format numbers of other countries, read under the wrong Default Country. */
const wrongCountry = fc.constantFrom(
	['020 7123 4567', 'US'],
	['0151 23456789', 'US'],
	['06 12 34 56 78', 'US'],
	['(415) 555-1234', 'GB'],
	['0412 345 678', 'US'],
	['(212) 555-0100', 'FR'],
	['030 1234567', 'IN'],
);

const cases: fc.Arbitrary<BadCase> = fc.oneof(
	fc
		.record({
			provider: fc.constantFrom('chert', 'linq', 'periskope'),
			bad: garbageNumber,
			good: validPhone,
		})
		.map(({ provider, bad, good }) => ({
			label: 'garbage number',
			parameters: {
				provider,
				operation: 'addParticipants',
				chatId: provider === 'periskope' ? '1203@g.us' : provider === 'linq' ? LINQ_CHAT : 'ch_1',
				participants: '={{ $json.list }}',
			},
			json: { list: [good, bad] },
			mentions: `"${bad.trim()}"`,
		})),
	wrongCountry.map(([number, country]) => ({
		label: 'wrong-country number',
		parameters: {
			provider: 'chert',
			operation: 'removeParticipants',
			chatId: 'ch_1',
			participants: '={{ $json.number }}',
			options: { defaultCountry: country },
		},
		json: { number },
		mentions: `"${number}"`,
	})),
	fc
		.emailAddress()
		.filter((email) => /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]{2,}$/.test(email))
		.map((email) => ({
			label: 'email for WhatsApp',
			parameters: {
				provider: 'periskope',
				operation: 'create',
				groupName: 'g',
				participants: '={{ $json.who }}',
			},
			json: { who: email },
			mentions: `"${email}" is an email address`,
		})),
	fc
		.oneof(
			fc.constantFrom('', ' ', '\n\t'),
			fc.string({ minLength: 101, maxLength: 300 }).filter((name) => name.trim().length > 100),
		)
		.map((name) => ({
			label: 'empty or oversized name',
			parameters: {
				provider: 'periskope',
				operation: 'create',
				groupName: '={{ $json.name }}',
				participants: '+14155551234',
			},
			json: { name },
			mentions: 'Group Name',
		})),
	fc.integer({ min: 32, max: 60 }).map((count) => ({
		label: 'too many recipients',
		parameters: {
			provider: 'chert',
			operation: 'create',
			sender: '+14155550100',
			firstMessage: 'hi',
			participants: '={{ $json.list }}',
		},
		json: { list: Array.from({ length: count }, (_, index) => `+1415555${String(2000 + index)}`) },
		mentions: `got ${count}`,
	})),
	fc
		.constantFrom<
			[string, string, unknown]
		>(['participants', 'Participants must be text', { a: 1 }], ['participants', 'Participants must be text', true], ['chatId', 'Chat ID must be text', { id: 'x' }], ['chatId', 'Chat ID must be text', ['ch_1']], ['groupName', 'Group Name must be text', { name: 'x' }], ['groupName', 'Group Name must be text', false])
		.map(([field, mentions, value]) => ({
			label: 'expression resolving to a wrong type',
			parameters: {
				provider: 'chert',
				operation: field === 'groupName' ? 'rename' : 'addParticipants',
				chatId: 'ch_1',
				participants: '+14155551234',
				groupName: 'x',
				[field]: '={{ $json.value }}',
			},
			json: { value: value as IDataObject },
			mentions,
		})),
	// The operations of the whole group (issue 16).
	fc
		.record({
			operation: fc.constantFrom('syncMembers', 'promoteAdmins', 'demoteAdmins'),
			provider: fc.constantFrom('linq', 'periskope'),
			bad: garbageNumber,
			good: validPhone,
		})
		.filter(({ operation, provider }) => operation === 'syncMembers' || provider === 'periskope')
		.map(({ operation, provider, bad, good }) => ({
			label: 'garbage number in a member list',
			parameters: {
				provider,
				operation,
				chatId: provider === 'periskope' ? '1203@g.us' : LINQ_CHAT,
				participants: '={{ $json.list }}',
				syncOptions: { allowRemovals: true },
			},
			json: { list: [good, bad] },
			mentions: `"${bad.trim()}"`,
		})),
	fc
		.oneof(
			fc
				.array(fc.constantFrom(' ', '\t', '\n', '\u200b', '\u2060', '\ufe0f', '\u3164', '\u00a0'), {
					minLength: 1,
					maxLength: 20,
				})
				.map((chars) => chars.join('')),
			fc.string({ minLength: 5001, maxLength: 5200 }).filter((text) => text.trim().length > 5000),
		)
		.chain((text) =>
			fc.constantFrom('chert', 'linq', 'periskope').map((provider) => ({
				label: 'empty, invisible or oversized message',
				parameters: {
					provider,
					operation: 'sendMessage',
					chatId: provider === 'periskope' ? '1203@g.us' : provider === 'linq' ? LINQ_CHAT : 'ch_1',
					message: '={{ $json.text }}',
				},
				json: { text },
				mentions: 'Message',
			})),
		),
	fc.stringMatching(/^[1-9][0-9]{5,20}$/).chain((digits) =>
		fc.constantFrom('addParticipants', 'create').map((operation) => ({
			label: 'linked id given to Add or Create',
			parameters: {
				provider: 'periskope',
				operation,
				chatId: '1203@g.us',
				groupName: 'g',
				participants: '={{ $json.list }}',
			},
			json: { list: ['+14155551234', `${digits}@lid`] },
			mentions: `"${digits}@lid" is a WhatsApp linked ID`,
		})),
	),
	fc.oneof(garbageNumber, fc.constantFrom('205519000000001@lid')).chain((bad) =>
		fc.constantFrom('linq').map((provider) => ({
			label: 'bad member filter',
			parameters: {
				provider,
				operation: 'listGroups',
				returnAll: true,
				groupFilters: { member: '={{ $json.who }}' },
			},
			json: { who: bad },
			mentions: `Has Member: "${bad.trim()}"`,
		})),
	),
);

test('≥ 300 generated bad inputs: clear error naming item and value, nothing sent', async () => {
	const seen = new Map<string, number>();
	await fc.assert(
		fc.asyncProperty(cases, async (badCase) => {
			seen.set(badCase.label, (seen.get(badCase.label) ?? 0) + 1);
			const before = server.requests.length;
			const result = await runWorkflow({
				nodes: [groupChatNode('Group Chat', badCase.parameters)],
				items: [badCase.json],
				credentials: credentials(),
			});
			const message = result.error?.message ?? '';
			if (!message.startsWith('Item 0: ') || !message.includes(badCase.mentions)) {
				throw new Error(
					`${badCase.label}: unexpected error "${message}" for ${JSON.stringify(badCase.json)}`,
				);
			}
			expect(server.requests.length).toBe(before);
		}),
		{ numRuns: 320, seed: 20261126 },
	);
	expect([...seen.values()].reduce((sum, count) => sum + count, 0)).toBe(320);
	expect(seen.size).toBe(10);
});
