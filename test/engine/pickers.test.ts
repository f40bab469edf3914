/**
 * The editor's pickers, called the way n8n's backend calls them (an n8n-core LoadOptionsContext
 * on a one-node workflow, credentials resolved and applied by n8n) against the provider sandbox
 * over loopback HTTP: Sender, the searchable and paginated Chat list, Members to Remove.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { GroupChat } from '../../nodes/GroupChat/GroupChat.node';
import { CHAT_PAGE_SIZE } from '../../src/lookups';
import { DEMO, startSandbox, type Sandbox } from '../../src/sandbox';
import { listSearch, loadOptions } from '../helpers/load-options';
import { sandboxCredentials } from '../helpers/sandbox-workflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ linqApplyDelayMs: 10 });
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

const credentials = () => sandboxCredentials(sandbox);
const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });

/** Creates groups through the sandbox's own API (the same requests a Create Group sends). */
async function createGroups(
	provider: 'linq' | 'periskope',
	count: number,
	name = (n: number) => `Group ${n}`,
) {
	for (let n = 1; n <= count; n++) {
		const member = `+1415555${String(2000 + n).padStart(4, '0')}`;
		const response =
			provider === 'linq'
				? await fetch(`${sandbox.baseUrls.linq}/v3/chats`, {
						method: 'POST',
						headers: {
							authorization: `Bearer ${DEMO.linq.token}`,
							'content-type': 'application/json',
						},
						body: JSON.stringify({
							from: DEMO.linq.senders[1],
							to: [member, '+14155550161'],
							message: { parts: [{ type: 'text', value: 'hi' }] },
						}),
					})
				: await fetch(`${sandbox.baseUrls.periskope}/chats/create`, {
						method: 'POST',
						headers: {
							authorization: `Bearer ${DEMO.periskope.apiKey}`,
							'x-phone': DEMO.periskope.orgPhone,
							'content-type': 'application/json',
						},
						body: JSON.stringify({ group_name: name(n), participants: [member.slice(1)] }),
					});
		expect(response.status).toBe(200);
	}
	sandbox.requests.length = 0;
}

const pickerRequests = (provider: string) =>
	sandbox.requests.filter((request) => request.provider === provider);

describe('Sender (loadOptions getSenders)', () => {
	test.each([
		['chert', DEMO.chert.senders, 'active', '/api/v1/phone-numbers'],
		['linq', DEMO.linq.senders, 'health: healthy', '/v3/phone_numbers'],
	] as const)(
		'%s: every sender number, E.164 as the value, number and label as the name',
		async (provider, senders, label, path) => {
			const options = await loadOptions(
				'getSenders',
				{ provider, operation: 'create' },
				credentials(),
			);
			expect(options).toEqual(
				senders.map((number) => ({
					name: `${number} · ${label}`,
					value: number,
					description: label,
				})),
			);
			const requests = pickerRequests(provider);
			expect(requests.map((request) => [request.method, request.path, request.status])).toEqual([
				['GET', path, 200],
			]);
		},
	);

	test('chert: the request is HMAC-signed by the credential (the sandbox checks the signature)', async () => {
		await loadOptions('getSenders', { provider: 'chert', operation: 'create' }, credentials());
		const [request] = pickerRequests('chert');
		expect(request.headers['x-chert-signature']).toMatch(/^v1,\d+,[0-9a-f]{64}$/);
		expect(request.headers['x-chert-tenant']).toBe(DEMO.chert.tenantSlug);
	});

	test('periskope: the connected phone, as digits, with its name and state', async () => {
		const options = await loadOptions(
			'getSenders',
			{ provider: 'periskope', operation: 'create' },
			credentials(),
		);
		expect(options).toEqual([
			{
				name: `${DEMO.periskope.orgPhone} · Sandbox demo line, connected`,
				value: DEMO.periskope.orgPhone,
				description: 'Sandbox demo line, connected',
			},
		]);
	});

	test('a rejected credential fails in the provider’s words, naming what the picker was doing', async () => {
		const wrong = {
			...credentials(),
			linqApi: { baseUrl: sandbox.baseUrls.linq, apiToken: 'not-the-token' },
		};
		await expect(
			loadOptions('getSenders', { provider: 'linq', operation: 'create' }, wrong),
		).rejects.toThrow(
			'Linq: could not read your sender numbers: the API token was rejected: check the Linq credential',
		);
	});
});

describe('Chat, From List (listSearch)', () => {
	test('linq: group chats only (no direct messages), named, with their members', async () => {
		const { results, paginationToken } = await listSearch(
			'searchLinqChats',
			{ provider: 'linq', operation: 'get' },
			credentials(),
		);
		expect(paginationToken).toBeUndefined();
		expect(results.map((entry) => entry.value)).toEqual([
			DEMO.groups.linq.trio,
			DEMO.groups.linq.five,
			DEMO.groups.linq.sms,
		]);
		expect(results[0]).toEqual({
			name: 'Demo trio',
			value: DEMO.groups.linq.trio,
			description: '3 members: +14155550150, +14155550161, +14155550162',
		});
		expect(pickerRequests('linq')[0].query).toBe(`limit=${CHAT_PAGE_SIZE}`);
	});

	test('periskope: groups with names and member counts', async () => {
		const { results, paginationToken } = await listSearch(
			'searchPeriskopeChats',
			{ provider: 'periskope', operation: 'get' },
			credentials(),
		);
		expect(paginationToken).toBeUndefined();
		expect(results).toEqual([
			{
				name: 'Demo trio',
				value: DEMO.groups.periskope.trio,
				description: '3 members: 14155550180, 14155550181, 14155550182',
			},
			{
				name: 'Demo five',
				value: DEMO.groups.periskope.five,
				description: '5 members: 14155550180, 14155550183, 14155550184, 14155550185 and 1 more',
			},
		]);
		expect(pickerRequests('periskope')[0].query).toBe(
			`offset=0&limit=${CHAT_PAGE_SIZE}&chat_type=group`,
		);
	});

	test.each(['linq', 'periskope'] as const)(
		'%s: pages follow the provider’s cursor until the last page, every group once',
		async (provider) => {
			await createGroups(provider, 70);
			const method = provider === 'linq' ? 'searchLinqChats' : 'searchPeriskopeChats';
			const seen: string[] = [];
			let token: string | undefined;
			let pages = 0;
			do {
				const page = await listSearch(
					method,
					{ provider, operation: 'get' },
					credentials(),
					undefined,
					token,
				);
				seen.push(...page.results.map((entry) => String(entry.value)));
				token = page.paginationToken;
				pages++;
			} while (token && pages < 10);
			// Linq lists direct messages too (left out by the picker); every Periskope chat here is a group.
			const groups = sandbox
				.listChats(provider)
				.filter((chat) => provider === 'periskope' || chat.participants.length >= 3)
				.map((chat) => chat.id);
			expect(pages).toBe(2);
			expect(seen).toHaveLength(groups.length);
			expect(new Set(seen)).toEqual(new Set(groups));
			expect(pickerRequests(provider)).toHaveLength(2);
			expect(pickerRequests(provider)[1].query).toContain(
				provider === 'linq' ? `cursor=${CHAT_PAGE_SIZE}` : `offset=${CHAT_PAGE_SIZE}`,
			);
		},
	);

	test('linq: searching a member’s number asks Linq (to=), in any format the user types', async () => {
		const { results } = await listSearch(
			'searchLinqChats',
			{ provider: 'linq', operation: 'get' },
			credentials(),
			'+1 (415) 555-0164',
		);
		expect(results.map((entry) => entry.value)).toEqual([DEMO.groups.linq.five]);
		expect(pickerRequests('linq')[0].query).toBe(`limit=${CHAT_PAGE_SIZE}&to=%2B14155550164`);
	});

	test('linq: searching a name filters here, case-insensitive', async () => {
		const { results } = await listSearch(
			'searchLinqChats',
			{ provider: 'linq', operation: 'get' },
			credentials(),
			'sms GROUP',
		);
		expect(results.map((entry) => entry.name)).toEqual(['Demo SMS group']);
	});

	test('periskope: a search reads further pages until it finds enough (here: a group on page 2)', async () => {
		await createGroups('periskope', 60, (n) =>
			n === 58 ? 'Needle in the haystack' : `Group ${n}`,
		);
		const { results, paginationToken } = await listSearch(
			'searchPeriskopeChats',
			{ provider: 'periskope', operation: 'get' },
			credentials(),
			'needle',
		);
		expect(results.map((entry) => entry.name)).toEqual(['Needle in the haystack']);
		expect(paginationToken).toBeUndefined();
		expect(pickerRequests('periskope').map((request) => request.query)).toEqual([
			`offset=0&limit=${CHAT_PAGE_SIZE}&chat_type=group`,
			`offset=${CHAT_PAGE_SIZE}&limit=${CHAT_PAGE_SIZE}&chat_type=group`,
		]);
	});

	test('periskope: a search by part of a member’s number matches on digits', async () => {
		const { results } = await listSearch(
			'searchPeriskopeChats',
			{ provider: 'periskope', operation: 'get' },
			credentials(),
			'555-0186',
		);
		expect(results.map((entry) => entry.value)).toEqual([DEMO.groups.periskope.five]);
	});

	test('a group your line left is marked', async () => {
		await fetch(
			`${sandbox.baseUrls.periskope}/chats/${encodeURIComponent(DEMO.groups.periskope.trio)}/leave`,
			{
				method: 'POST',
				headers: {
					authorization: `Bearer ${DEMO.periskope.apiKey}`,
					'x-phone': DEMO.periskope.orgPhone,
				},
			},
		);
		const { results } = await listSearch(
			'searchPeriskopeChats',
			{ provider: 'periskope', operation: 'get' },
			credentials(),
			'trio',
		);
		expect(results.map((entry) => entry.name)).toEqual(['Demo trio (you left)']);
	});
});

describe('Members to Remove (loadOptions getGroupMembers)', () => {
	test('periskope: current members without your own line, as +digits values; admins marked', async () => {
		const options = await loadOptions(
			'getGroupMembers',
			{
				provider: 'periskope',
				operation: 'removeParticipants',
				chatId: rl(DEMO.groups.periskope.five),
			},
			credentials(),
		);
		expect(options).toEqual(
			['14155550183', '14155550184', '14155550185', '14155550186'].map((digits) => ({
				name: digits,
				value: `+${digits}`,
				description: undefined,
			})),
		);
	});

	test('linq: active members only, after a removal has been applied', async () => {
		await fetch(`${sandbox.baseUrls.linq}/v3/chats/${DEMO.groups.linq.five}/participants`, {
			method: 'DELETE',
			headers: { authorization: `Bearer ${DEMO.linq.token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ handle: '+14155550166' }),
		});
		await sandbox.settle();
		const options = await loadOptions(
			'getGroupMembers',
			{
				provider: 'linq',
				operation: 'removeParticipants',
				chatId: rl(DEMO.groups.linq.five, 'id'),
			},
			credentials(),
		);
		expect(options.map((option) => option.value)).toEqual([
			'+14155550163',
			'+14155550164',
			'+14155550165',
		]);
		expect(options[0].description).toBe('joined 2025-01-15');
	});

	test('a chat saved as a plain string works too; an empty chat offers nothing and sends nothing', async () => {
		const options = await loadOptions(
			'getGroupMembers',
			{
				provider: 'periskope',
				operation: 'removeParticipants',
				chatId: DEMO.groups.periskope.trio,
			},
			credentials(),
		);
		expect(options.map((option) => option.value)).toEqual(['+14155550181', '+14155550182']);
		sandbox.requests.length = 0;
		expect(
			await loadOptions(
				'getGroupMembers',
				{ provider: 'linq', operation: 'removeParticipants', chatId: rl('') },
				credentials(),
			),
		).toEqual([]);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a chat given as an expression cannot be read while editing: the picker says so', async () => {
		await expect(
			loadOptions(
				'getGroupMembers',
				{
					provider: 'linq',
					operation: 'removeParticipants',
					chatId: rl('={{ $json.chatId }}', 'id'),
				},
				credentials(),
			),
		).rejects.toThrow(/The chat is an expression/);
		expect(sandbox.requests).toHaveLength(0);
	});

	test('a chat ID in the wrong format is refused before sending', async () => {
		await expect(
			loadOptions(
				'getGroupMembers',
				{ provider: 'linq', operation: 'removeParticipants', chatId: rl('ch_nope', 'id') },
				credentials(),
			),
		).rejects.toThrow('"ch_nope" is not a Linq chat ID (a UUID)');
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('what the editor offers per provider', () => {
	const properties = new GroupChat().description.properties;
	const shownFor = (provider: string, name: string) =>
		properties.filter(
			(property) =>
				property.name === name &&
				(property.displayOptions?.show?.provider === undefined ||
					(property.displayOptions.show.provider as string[]).includes(provider)),
		);
	const values = (property: INodeProperties) =>
		(property.options ?? []).map((option) => (option as unknown as IDataObject).value);

	test('Get Group is offered on Linq and Periskope, not on Chert', () => {
		expect(shownFor('chert', 'operation').flatMap(values)).not.toContain('get');
		expect(shownFor('linq', 'operation').flatMap(values)).toContain('get');
		expect(shownFor('periskope', 'operation').flatMap(values)).toContain('get');
	});

	test('Chat: From List where the provider lists groups, By ID everywhere, each with its own format', () => {
		const modes = (provider: string) =>
			shownFor(provider, 'chatId').flatMap((property) => property.modes ?? []);
		expect(modes('chert').map((mode) => mode.name)).toEqual(['id']);
		expect(modes('linq').map((mode) => mode.name)).toEqual(['list', 'id']);
		expect(modes('periskope').map((mode) => mode.name)).toEqual(['list', 'id']);
		const regex = (provider: string) =>
			new RegExp(
				(
					modes(provider).find((mode) => mode.name === 'id')!.validation![0] as unknown as {
						properties: { regex: string };
					}
				).properties.regex,
			);
		expect(regex('chert').test('ch_demo_five')).toBe(true);
		expect(regex('chert').test('not a chat')).toBe(false);
		for (const provider of ['chert', 'linq', 'periskope'])
			expect(regex(provider).test('')).toBe(true); // "required" says it once
		expect(regex('linq').test(DEMO.groups.linq.five)).toBe(true);
		expect(regex('linq').test('ch_demo_five')).toBe(false);
		expect(regex('periskope').test(DEMO.groups.periskope.five)).toBe(true);
		expect(regex('periskope').test('14155550181@c.us')).toBe(false);
	});

	test('every listSearch and loadOptions method the description names exists', () => {
		const node = new GroupChat();
		const named = JSON.stringify(node.description.properties);
		for (const method of named.match(/"(searchListMethod|loadOptionsMethod)":"(\w+)"/g) ?? []) {
			const [, kind, name] = /"(\w+)":"(\w+)"/.exec(method)!;
			const group =
				kind === 'searchListMethod' ? node.methods?.listSearch : node.methods?.loadOptions;
			expect(group?.[name]).toBeInstanceOf(Function);
		}
		expect(named).toContain('searchLinqChats');
	});
});
