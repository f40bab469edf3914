// `npm run test:editor`: the editor as a person uses it, in a real browser.
//
// Starts the same stack as `npm start` (scripts/start.mjs → startStack(): build, sandbox, real
// n8n 2.40.5 with the package, sandbox credentials and the example workflow) in a fresh temp
// user folder on free ports, then drives Debian's Chromium with playwright-core (no browser
// download; /usr/bin/chromium, or CHROMIUM_PATH):
//
//   sign in → open the example (its sticky note names the running sandbox) → open
//   "Linq: Create Group" → pick a Sender from the list (filled by the sandbox) → Execute step →
//   read the output panel → open "Linq: Rename Group" → Chat "From list" → pick the group just
//   created → Execute step → read the output → the node panel's "Group Chat" entry: the action
//   node's description, an Actions list with every operation of the action node (as n8n serves
//   it), the trigger's events under Triggers; "Get or reset a group invite link" adds a node on
//   a provider that offers it (the node is deleted again) → add a Group Chat node from the node
//   panel ("Create a group chat": a Create Group node on a provider that creates groups),
//   Provider Periskope, its credential, Operation "List Groups" → Execute step → one item per
//   group the sandbox has → Operation "Sync Members", Chat from the list, Members typed, Sync
//   Options Preview Only + Allow Removals → Execute step → the plan, and the sandbox's group
//   unchanged (the node is deleted again) → node panel search "whatsapp", "imessage" → the
//   credentials list shows the providers' icons.
//
// Each step saves a screenshot to .artifacts/editor/ (git-ignored; CI keeps it) and prints its
// path. Last line: `editor: N passed, M failed`; exit code 1 on any failure.
//
// Flags: --no-build, --keep (keep the temp user folders), --attach=<editor URL> with
//        --sandbox=<sandbox URL> (drive an already running `npm start` instead of starting one).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { createChecks, step as heading, info, secs } from './harness.mjs';
import { loadSandboxModule, readExampleWorkflow } from './n8n-example.mjs';
import { DEMO_OWNER, NODE_TYPE, ROOT, freePort, login } from './n8n-runtime.mjs';
import { startStack } from './start.mjs';

const argv = process.argv.slice(2);
const args = new Set(argv);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

export const ARTIFACTS = join(ROOT, '.artifacts', 'editor');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const STEP_TIMEOUT = 90_000; // a cold editor load takes ~20 s on a busy 2-core machine

const checks = createChecks();
const { check } = checks;

let shot = 0;
const screenshots = [];
async function screenshot(page, name) {
	const file = join(ARTIFACTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
	try {
		await page.screenshot({ path: file });
		screenshots.push(file);
		info(`screenshot ${relative(ROOT, file)}`);
	} catch (error) {
		info(`screenshot ${name} failed: ${error.message.split('\n')[0]}`);
	}
	return file;
}

/**
 * The docs' picture of the pickers (.artifacts/editor/pickers.png): the node's parameters with
 * the open Chat list, cropped from the page. Copy it to docs/editor-pickers.png to update docs/node.md.
 */
async function readmeShot(page, testIds) {
	const boxes = [];
	for (const id of testIds) {
		for (const element of await page.getByTestId(id).all()) {
			const box = await element.boundingBox();
			if (box) boxes.push(box);
		}
	}
	if (!boxes.length) return;
	const pad = 12;
	const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
	const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
	const right = Math.max(...boxes.map((b) => b.x + b.width)) + pad;
	const bottom = Math.min(Math.max(...boxes.map((b) => b.y + b.height)) + pad, y + 640);
	const file = join(ARTIFACTS, 'pickers.png');
	await page.screenshot({ path: file, clip: { x, y, width: right - x, height: bottom - y } });
	screenshots.push(file);
	info(`screenshot ${relative(ROOT, file)} (for the docs)`);
}

/** The node panel alone (.artifacts/editor/node-panel-actions.png), for the docs. */
async function panelShot(page) {
	const file = join(ARTIFACTS, 'node-panel-actions.png');
	try {
		await page.getByTestId('node-creator').screenshot({ path: file });
		screenshots.push(file);
		info(`screenshot ${relative(ROOT, file)} (for the docs)`);
	} catch (error) {
		info(`screenshot node-panel-actions failed: ${error.message.split('\n')[0]}`);
	}
}

/** Runs one step; on an exception the step fails with a screenshot and the run stops. */
async function step(page, name, fn) {
	heading(name);
	const t = Date.now();
	try {
		await fn();
		info(`(${secs(Date.now() - t)})`);
	} catch (error) {
		check(name, false, error.message.split('\n').slice(0, 6).join('\n'));
		await screenshot(page, `failed-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
		throw new StepFailed();
	}
}
class StepFailed extends Error {}

/**
 * The two nodes as n8n serves them to the editor (/types/nodes.json): do the Sender list and the
 * Chat "From list" exist, and what should the node panel show — the action node's description,
 * every operation it has (the `action` of each option of every Operation property, whatever
 * provider it shows on), which providers offer each, and the trigger's events.
 */
async function nodeTypes(baseUrl) {
	const cookie = await login(baseUrl, DEMO_OWNER);
	const nodes = await (await fetch(`${baseUrl}/types/nodes.json`, { headers: { cookie } })).json();
	const node = nodes.find((n) => n.name === NODE_TYPE);
	const trigger = nodes.find((n) => n.name === `${NODE_TYPE}Trigger`);
	const props = node?.properties ?? [];
	const sender = props.find((p) => p.name === 'sender' && p.typeOptions?.loadOptionsMethod);
	const chatList = props.find(
		(p) =>
			p.name === 'chatId' &&
			p.type === 'resourceLocator' &&
			p.displayOptions?.show?.provider?.includes('linq') &&
			p.modes?.some((m) => m.name === 'list'),
	);
	const operations = new Map(); // value → { name, action, providers }
	for (const property of props.filter((p) => p.name === 'operation')) {
		for (const option of property.options ?? []) {
			const entry = operations.get(option.value) ?? {
				name: option.name,
				action: option.action,
				providers: [],
			};
			entry.providers.push(...(property.displayOptions?.show?.provider ?? []));
			operations.set(option.value, entry);
		}
	}
	const providerNames = Object.fromEntries(
		(props.find((p) => p.name === 'provider')?.options ?? []).map((o) => [o.value, o.name]),
	);
	const events = new Set(
		(trigger?.properties ?? [])
			.filter((p) => p.name === 'events')
			.flatMap((p) => (p.options ?? []).map((o) => o.name.toLowerCase())),
	);
	return {
		sender: Boolean(sender),
		chatList: Boolean(chatList),
		description: node?.description,
		triggerDescription: trigger?.description,
		operations,
		providerNames,
		events,
	};
}

/**
 * Clicks a field until its dropdown shows items: a click that lands while the details view is
 * still settling (or the options are still loading) opens nothing, as it would for a person.
 */
async function openDropdown(page, field, items, attempts = 4) {
	for (let attempt = 1; ; attempt++) {
		await field.click();
		try {
			await items.first().waitFor({ timeout: 15_000 });
			return;
		} catch (error) {
			if (attempt >= attempts) throw error;
			await page.waitForTimeout(500); // (no Escape: it would close the node's details view)
		}
	}
}

/** Opens a node's details view by double-clicking it on the canvas. */
async function openNode(page, name) {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	await page.getByTestId('ndv').waitFor();
	await page.getByTestId('node-parameters').waitFor();
}

async function closeNode(page) {
	await page.getByTestId('ndv-close-button').click();
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });
}

/** Closes n8n's toasts ("Node executed successfully" …). */
async function closeToasts(page) {
	for (const close of await page.locator('.el-notification .el-notification__closeBtn').all()) {
		await close.click().catch(() => {});
	}
}

/** Clicks "Execute step" and returns the output panel's JSON view text once data is there. */
async function executeStepAndReadOutput(page) {
	// Earlier toasts closed first: the run is over when n8n's own toast says how it went (the
	// output panel may still show an earlier run's data until then).
	await closeToasts(page);
	await page.getByTestId('node-execute-button').first().click();
	await page
		.locator('.el-notification')
		.filter({ hasText: /Node executed successfully|Problem in node/ })
		.first()
		.waitFor({ timeout: STEP_TIMEOUT });
	const output = page.getByTestId('output-panel');
	const json = output.getByTestId('radio-button-json');
	const error = output.getByTestId('node-error-message');
	await json.or(error).first().waitFor();
	if (await error.isVisible()) {
		const description = await output
			.getByTestId('node-error-description')
			.innerText()
			.catch(() => '');
		throw new Error(`the node failed: ${await error.innerText()} ${description}`.trim());
	}
	await json.click();
	await output.locator('text=/"chatId"/').first().waitFor();
	return await output.innerText();
}

/** Reads `"key": "value"` from the JSON view's text. */
function jsonField(text, key) {
	return new RegExp(`"${key}"\\s*:\\s*"([^"]*)"`).exec(text)?.[1];
}

/**
 * The strings of the first `"key": [ … ]` list in the output panel's JSON view text (a flat list
 * of strings; n8n lays the view out one token per line). Undefined when the key is not shown
 * (the view renders only what fits on the screen).
 */
function jsonList(text, key) {
	const list = new RegExp(`"${key}"\\s*:\\s*\\[([^\\[\\]{}]*)\\]`).exec(text)?.[1];
	return list === undefined ? undefined : [...list.matchAll(/"([^"]*)"/g)].map((match) => match[1]);
}

/** Picks `text` in an options parameter's dropdown (Provider, Operation, Credential …). */
async function pickOption(page, field, text) {
	const options = page.locator('.el-select-dropdown__item:visible');
	await openDropdown(page, field, options);
	await options.filter({ hasText: text }).first().click();
	await page
		.locator('.el-select-dropdown:visible')
		.first()
		.waitFor({ state: 'hidden', timeout: 5_000 })
		.catch(() => {});
}

/** The Periskope sandbox's groups, read through its API (as the node reads them). */
async function periskopeGroups(sandboxUrl, DEMO) {
	const response = await fetch(`${sandboxUrl}/periskope/v1/chats?chat_type=group&limit=2000`, {
		headers: {
			authorization: `Bearer ${DEMO.periskope.apiKey}`,
			'x-phone': DEMO.periskope.orgPhone,
		},
	});
	if (!response.ok) throw new Error(`sandbox GET /chats: HTTP ${response.status}`);
	return (await response.json()).chats ?? [];
}

/** The <input> a test id names: the element itself in n8n 2.40, a descendant in older versions. */
async function inputOf(locator) {
	await locator.waitFor();
	return (await locator.evaluate((el) => el.tagName === 'INPUT'))
		? locator
		: locator.locator('input');
}

async function searchNodePanel(page, term) {
	const search = page.getByTestId('node-creator-search-bar');
	if (!(await search.isVisible())) {
		await page.getByTestId('node-creator-plus-button').click();
		await search.waitFor();
	}
	const input = await inputOf(search);
	await input.fill('');
	await input.fill(term);
	// The action node and the trigger are one entry, "Group Chat" (n8n merges an app's nodes).
	const item = page.getByTestId('item-iterator-item').filter({
		has: page.getByTestId('node-creator-item-name').filter({ hasText: /^\s*Group Chat\s*$/ }),
	});
	await item.first().waitFor({ timeout: 15_000 });
	return item;
}

/**
 * The names of the actions in one category ("Actions", "Triggers") of a node's details in the node
 * panel, once all of them are rendered (its header counts them: "Actions (12)"); a collapsed
 * category is opened first, as a person would.
 */
async function nodePanelCategory(page, label) {
	const category = page
		.locator('[data-category-collapsed]')
		.filter({
			has: page
				.getByTestId('node-creator-category-item')
				.filter({ hasText: new RegExp(`^\\s*${label}\\b`) }),
		})
		.first();
	await category.waitFor({ timeout: 15_000 });
	const header = category.getByTestId('node-creator-category-item');
	if ((await category.getAttribute('data-category-collapsed')) === 'true') await header.click();
	const count = Number(/\((\d+)\)/.exec(await header.innerText())?.[1] ?? 0);
	const items = category.locator(
		'[data-test-id="item-iterator-item"][data-keyboard-nav-type="action"]',
	);
	for (let i = 0; i < 30 && (await items.count()) < count; i++) await page.waitForTimeout(250);
	const names = (await items.getByTestId('node-creator-item-name').allTextContents()).map((name) =>
		name.trim(),
	);
	return { names, count, items, header };
}

/** The text an options parameter shows (the chosen option's name), from the node's parameters. */
async function shownValue(page, name) {
	return (
		await page.getByTestId(`parameter-input-${name}`).locator('input').first().inputValue()
	).trim();
}

/** Deletes a node from the canvas (n8n saves the workflow as it is edited). */
async function deleteNode(page, name) {
	const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	await node.click();
	await page.keyboard.press('Delete');
	await node.waitFor({ state: 'detached', timeout: 15_000 });
}

async function run(baseUrl, sandboxUrl) {
	const { chromium, selectors } = await import('playwright-core');
	selectors.setTestIdAttribute('data-test-id');
	const profile = mkdtempSync(join(tmpdir(), 'test-editor-chromium-'));
	// launchPersistentContext = Chromium with a fresh --user-data-dir (Playwright passes it).
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: { width: 1440, height: 900 },
		timeout: 60_000,
	});
	const pageErrors = [];
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(STEP_TIMEOUT);
		page.on('pageerror', (error) => pageErrors.push(error.message));
		const workflow = readExampleWorkflow();
		const types = await nodeTypes(baseUrl.replace('localhost', '127.0.0.1'));

		await step(page, 'Sign in', async () => {
			await page.goto(`${baseUrl}/signin`);
			await page.locator('input[name=emailOrLdapLoginId]').fill(DEMO_OWNER.email);
			await page.locator('input[name=password]').fill(DEMO_OWNER.password);
			await screenshot(page, 'sign-in');
			await page.getByTestId('form-submit-button').click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
			check(`signed in as ${DEMO_OWNER.email}`, true);
		});

		await step(page, 'Open the example workflow', async () => {
			await page.goto(`${baseUrl}/workflow/${workflow.id}`);
			await page.locator('[data-test-id="canvas-node"]').first().waitFor();
			// n8n 2.40 locks a workflow open in another tab: take it over, as "Edit here" does.
			const editHere = page.getByText('Edit here', { exact: true });
			if (await editHere.isVisible()) await editHere.click();
			const count = await page
				.locator(`[data-test-id="canvas-node"][data-node-type="${NODE_TYPE}"]`)
				.count();
			const expected = workflow.nodes.filter((node) => node.type === NODE_TYPE).length;
			check(
				`"${workflow.name}" shows its ${expected} Group Chat nodes`,
				count === expected,
				`found ${count}`,
			);
			const sticky = await page.getByTestId('sticky').first().innerText();
			if (sandboxUrl) {
				check(
					`the sticky note names the running sandbox (${sandboxUrl})`,
					sticky.includes(sandboxUrl),
					sticky.slice(0, 400),
				);
			}
			await screenshot(page, 'example-workflow');
		});

		let createdChatId;
		await step(
			page,
			'Open "Linq: Create Group", pick a Sender from the list, Execute step',
			async () => {
				await openNode(page, 'Linq: Create Group');
				await screenshot(page, 'create-group-node');
				if (!check('the node has a Sender list (loadOptions) field', types.sender)) return;
				const sender = page.getByTestId('parameter-input-sender');
				const options = page.locator('.el-select-dropdown__item:visible');
				await openDropdown(page, sender.locator('input'), options);
				// An option shows the number, then its description on a second line.
				const labels = (await options.allInnerTexts()).map((l) => l.split('\n')[0].trim());
				check(
					'the Sender list is filled from the sandbox (Linq phone numbers)',
					labels.length > 0 && labels.every((l) => /\+1\s?\d{3}/.test(l)),
					JSON.stringify(labels),
				);
				await screenshot(page, 'sender-list');
				const pick = labels.length > 1 ? 1 : 0;
				await options.nth(pick).click();
				const chosen = await sender.locator('input').inputValue();
				check(`picked sender "${chosen}"`, chosen === labels[pick], `list said "${labels[pick]}"`);

				const text = await executeStepAndReadOutput(page);
				createdChatId = jsonField(text, 'chatId');
				check(
					'Execute step: the output panel shows the new group (provider linq, status done, a chatId)',
					jsonField(text, 'provider') === 'linq' &&
						jsonField(text, 'status') === 'done' &&
						/^[0-9a-f-]{36}$/.test(createdChatId ?? ''),
					text.slice(0, 500),
				);
				const senderNumber = chosen.split(' ')[0];
				check(
					`the new group was created from the picked sender (${senderNumber} in its roster)`,
					text.includes(`"${senderNumber}"`),
					text.slice(0, 800),
				);
				await screenshot(page, 'create-group-output');
				await closeNode(page);
			},
		);

		await step(
			page,
			'Open "Linq: Rename Group", pick the Chat from the list, Execute step',
			async () => {
				await openNode(page, 'Linq: Rename Group');
				if (!check('the node has a Chat field with a "From list" mode', types.chatList)) return;
				const chat = page.getByTestId('parameter-input-chatId');
				// The example takes the chat ID from an expression: switch the field to a fixed value.
				const fixed = page
					.getByTestId('chatId-parameter-input-options-container')
					.getByTestId('radio-button-fixed');
				await page.getByTestId('parameter-input-chatId').hover();
				if (await fixed.isVisible()) await fixed.click();
				await chat.getByTestId('rlc-mode-selector').click();
				await page
					.locator('.el-select-dropdown__item:visible')
					.filter({ hasText: 'From list' })
					.click();
				const items = page.getByTestId('rlc-item');
				await openDropdown(page, chat.getByTestId('rlc-input'), items);
				const labels = (await items.allInnerTexts()).map((l) => l.split('\n')[0].trim());
				check(
					`the Chat list is filled from the sandbox (${labels.length} groups)`,
					labels.length > 1,
					JSON.stringify(labels),
				);
				await screenshot(page, 'chat-list');
				await readmeShot(page, ['node-parameters', 'rlc-search', 'rlc-item']);
				// Every run of the example creates a group with the same members: search the list for
				// the one just created (the list search matches names, members and IDs).
				await (await inputOf(page.getByTestId('rlc-search'))).fill(createdChatId.slice(0, 13));
				await page
					.waitForFunction(
						() => document.querySelectorAll('[data-test-id="rlc-item"]').length === 1,
						null,
						{
							timeout: 30_000,
						},
					)
					.catch(() => {});
				check(
					'searching the list for the new group leaves exactly that group',
					(await items.count()) === 1,
					JSON.stringify(await items.allInnerTexts()),
				);
				await screenshot(page, 'chat-list-search');
				await items.first().click();
				const text = await executeStepAndReadOutput(page);
				check(
					'Execute step: the output panel shows the rename of the picked group',
					jsonField(text, 'operation') === 'rename' &&
						(createdChatId === undefined || jsonField(text, 'chatId') === createdChatId),
					text.slice(0, 500),
				);
				await screenshot(page, 'rename-group-output');
				await closeNode(page);
			},
		);

		// A new Group Chat node, set up the way a person does it: from the node panel (any of its
		// actions), then Provider, Credential and Operation in the node's parameters.
		const { DEMO } = await loadSandboxModule();
		const groupChatNodes = () =>
			page
				.locator(`[data-test-id="canvas-node"][data-node-type="${NODE_TYPE}"]`)
				.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-node-name')));
		// A click on empty canvas (right of the short Chert branch) clears the selection, so a new
		// node stands alone instead of being attached after the node edited last.
		const clearSelection = async () => {
			const last = await page
				.locator(`[data-test-id="canvas-node"][data-node-name="Chert: Leave Group"]`)
				.boundingBox();
			if (last) await page.mouse.click(last.x + last.width + 150, last.y + last.height / 2);
		};
		const operations = [...types.operations.values()];
		const providersOf = (operation) =>
			(types.operations.get(operation)?.providers ?? []).map((id) => types.providerNames[id] ?? id);

		// The node panel's entry for the package, its Actions and Triggers, and an action picked there.
		const nodePanelChecks = async () => {
			await closeToasts(page);
			await clearSelection();
			await page.getByTestId('node-creator-plus-button').click();
			const item = await searchNodePanel(page, 'group chat');
			const description = (
				(await item
					.first()
					.getByTestId('node-creator-item-description')
					.textContent()
					.catch(() => '')) ?? ''
			).trim();
			check(
				`the entry shows the action node’s description ("${types.description}")`,
				Boolean(types.description) &&
					description === types.description &&
					!/Starts a workflow when group chats change/.test(description),
				`shown: "${description}"; the action node’s: "${types.description}"; the trigger’s: "${types.triggerDescription}"`,
			);
			await screenshot(page, 'node-panel-entry');
			await item.first().click();
			// Its details open with the description again, above the actions.
			const details = page
				.getByTestId('node-creator')
				.getByText(types.description ?? '', { exact: true })
				.filter({ visible: true });
			await details
				.first()
				.waitFor({ timeout: 10_000 })
				.catch(() => {});
			check(
				'its details show the action node’s description too',
				Boolean(types.description) && (await details.count()) > 0,
				(
					await page
						.getByTestId('node-creator')
						.innerText()
						.catch(() => '')
				).slice(0, 400),
			);

			// Every operation of the action node, on whichever provider it is offered.
			const actions = await nodePanelCategory(page, 'Actions');
			const expected = operations.map((operation) => operation.action);
			const missing = expected.filter((action) => !actions.names.includes(action));
			const extra = actions.names.filter((action) => !expected.includes(action));
			info(`Actions (${actions.count}): ${actions.names.join(' · ')}`);
			check(
				`its Actions list holds every operation of the action node (${expected.length}, as n8n serves the node)`,
				expected.length > 0 &&
					missing.length === 0 &&
					extra.length === 0 &&
					actions.names.length === expected.length &&
					actions.count === expected.length,
				`missing ${JSON.stringify(missing)}; not operations ${JSON.stringify(extra)}; header says ${actions.count}`,
			);
			const named = ['Get Group', 'Send Message', 'List Groups', 'Sync Members', 'Invite Link'];
			const listed = (name) =>
				operations.some(
					(operation) => operation.name === name && actions.names.includes(operation.action),
				);
			check(
				`…among them ${named.join(', ')}`,
				named.every(listed),
				`not listed: ${named.filter((name) => !listed(name)).join(', ')}`,
			);

			// The trigger's events stay listed under Triggers ("On message received in a group").
			const triggers = await nodePanelCategory(page, 'Triggers');
			info(`Triggers (${triggers.count}): ${triggers.names.join(' · ')}`);
			const notEvents = triggers.names.filter(
				(name) => !types.events.has(name.replace(/^On\s+/i, '').toLowerCase()),
			);
			check(
				'the trigger’s events are still listed under Triggers',
				triggers.names.length > 0 && notEvents.length === 0,
				`listed ${JSON.stringify(triggers.names)}; not trigger events ${JSON.stringify(notEvents)}`,
			);

			await page.waitForTimeout(500); // the details panel slides in
			await screenshot(page, 'node-panel-actions');
			await panelShot(page);

			// An action only some providers offer lands on one that offers it.
			const inviteLink = types.operations.get('inviteLink');
			if (!check('the node has an Invite Link operation', Boolean(inviteLink?.action))) return;
			if (!actions.names.includes(inviteLink.action)) {
				check(
					`"${inviteLink.action}" adds a Group Chat node`,
					false,
					'the action is not in the Actions list',
				);
				await page.keyboard.press('Escape');
				return;
			}
			const before = new Set(await groupChatNodes());
			await actions.items.filter({ hasText: inviteLink.action }).first().click();
			await page.getByTestId('ndv').waitFor();
			await page.getByTestId('node-parameters').waitFor();
			const node = (await groupChatNodes()).find((name) => !before.has(name));
			const provider = await shownValue(page, 'provider');
			const operation = await shownValue(page, 'operation');
			check(
				`"${inviteLink.action}" adds a Group Chat node ("${node}") on a provider that offers it (${providersOf('inviteLink').join(', ')}), Operation "${inviteLink.name}"`,
				Boolean(node) &&
					providersOf('inviteLink').includes(provider) &&
					operation === inviteLink.name,
				`Provider "${provider}", Operation "${operation}"`,
			);
			await screenshot(page, 'invite-link-node');
			await closeNode(page);
			if (node) await deleteNode(page, node);
		};

		await step(
			page,
			'Node panel: "Group Chat" shows the action node’s description and every operation as an action',
			async () => {
				// A taller window for this step, so that one picture shows the whole panel (a resize
				// closes the node panel: it is set before the panel opens, and back once it is closed).
				const viewport = page.viewportSize();
				await page.setViewportSize({ width: viewport.width, height: 1300 });
				try {
					await nodePanelChecks();
				} finally {
					await page.setViewportSize(viewport);
				}
			},
		);

		let added;
		await step(
			page,
			'Add a Group Chat node: Periskope, Operation "List Groups", Execute step',
			async () => {
				await clearSelection();
				const before = new Set(await groupChatNodes());
				await page.getByTestId('node-creator-plus-button').click();
				const item = await searchNodePanel(page, 'group chat');
				await item.first().click();
				const create = types.operations.get('create');
				await page.getByText(create.action, { exact: true }).first().click();
				await page.getByTestId('ndv').waitFor();
				await page.getByTestId('node-parameters').waitFor();
				added = (await groupChatNodes()).find((name) => !before.has(name));
				const provider = await shownValue(page, 'provider');
				const operation = await shownValue(page, 'operation');
				const participants = await page
					.getByTestId('node-parameters')
					.getByTestId('parameter-input-participants')
					.isVisible();
				check(
					`"${create.action}" gives a Create Group node: a provider that creates groups (${provider}), Operation "${create.name}", its Participants field`,
					providersOf('create').includes(provider) && operation === create.name && participants,
					`Provider "${provider}", Operation "${operation}", Participants shown: ${participants}`,
				);
				await screenshot(page, 'create-group-from-panel');
				const inputPanel = page.getByTestId('ndv-input-panel');
				await inputPanel
					.getByText('No input connected')
					.waitFor({ timeout: 10_000 })
					.catch(() => {});
				const input = await inputPanel.innerText().catch(() => '');
				check(
					`the node panel added a Group Chat node ("${added}") on its own (no input connected)`,
					Boolean(added) && /No input connected/.test(input),
					input.slice(0, 200),
				);
				await pickOption(page, page.getByTestId('parameter-input-provider'), 'Periskope');
				await pickOption(page, page.getByTestId('node-credentials-select'), 'Periskope (sandbox)');
				await pickOption(page, page.getByTestId('parameter-input-operation'), 'List Groups');
				const shown = await page.getByTestId('node-parameters').innerText();
				check(
					'List Groups shows Return All, Limit and Filters (and no Chat field)',
					/Return All/.test(shown) &&
						/Limit/.test(shown) &&
						/Filters/.test(shown) &&
						!/\bChat\b/.test(shown),
					shown.slice(0, 400),
				);
				await screenshot(page, 'list-groups-node');
				await executeStepAndReadOutput(page);
				const output = page.getByTestId('output-panel');
				const count = Number(
					/(\d+)\s+items?/.exec(await output.getByTestId('ndv-items-count').innerText())?.[1],
				);
				await output.getByTestId('radio-button-table').click();
				const table = await output.getByTestId('ndv-data-container').innerText();
				if (sandboxUrl) {
					const groups = (await periskopeGroups(sandboxUrl, DEMO)).map((group) => group.chat_id);
					const expected = Math.min(groups.length, 50); // Limit's default
					const shown = groups.filter((id) => table.includes(id));
					check(
						`Execute step: the output panel shows one item per Periskope group (${expected} items, each group's chatId in the table)`,
						count === expected && shown.length === Math.min(expected, 10),
						`items ${count}; sandbox groups ${JSON.stringify(groups)}; in the table ${JSON.stringify(shown)}`,
					);
				} else {
					check(
						'Execute step: the output panel lists groups',
						count > 0 && /@g\.us/.test(table),
						`items ${count}`,
					);
				}
				await screenshot(page, 'list-groups-output');
			},
		);

		await step(
			page,
			'Same node: Operation "Sync Members", Preview Only, Execute step',
			async () => {
				const chatId = DEMO.groups.periskope.five;
				const roster = async () =>
					sandboxUrl
						? (
								(await periskopeGroups(sandboxUrl, DEMO)).find((group) => group.chat_id === chatId)
									?.participants ?? []
							)
								.slice()
								.sort()
						: [];
				const rosterBefore = await roster();
				await pickOption(page, page.getByTestId('parameter-input-operation'), 'Sync Members');
				// Chat: From list (Periskope lists groups), searched by name.
				const chat = page.getByTestId('parameter-input-chatId');
				const items = page.getByTestId('rlc-item');
				await openDropdown(page, chat.getByTestId('rlc-input'), items);
				await (await inputOf(page.getByTestId('rlc-search'))).fill('Demo five');
				await page
					.waitForFunction(
						() => document.querySelectorAll('[data-test-id="rlc-item"]').length === 1,
						null,
						{
							timeout: 30_000,
						},
					)
					.catch(() => {});
				check(
					'the Chat list finds "Demo five"',
					(await items.count()) === 1,
					JSON.stringify(await items.allInnerTexts()),
				);
				await items.first().click();
				// The list the group should have: two members stay, one joins, two are not listed.
				await page
					.getByTestId('parameter-input-participants')
					.locator('textarea')
					.fill('+1 415 555 0183, +1 415 555 0184\n(415) 555-0189');
				for (const [name, label] of [
					['previewOnly', 'Preview Only'],
					['allowRemovals', 'Allow Removals'],
				]) {
					// The Sync Options collection's "Add Option" (the first; the node's Options come last).
					await pickOption(page, page.getByTestId('collection-parameter-add').first(), label);
					const toggle = page.getByTestId(`parameter-input-${name}`).locator('.el-switch');
					await toggle.click();
					check(
						`Sync Options → ${label} on`,
						/is-checked/.test((await toggle.getAttribute('class')) ?? ''),
					);
				}
				await screenshot(page, 'sync-members-node');
				let text = await executeStepAndReadOutput(page);
				// The panel may still show List Groups' items for a moment after n8n's toast.
				const output = page.getByTestId('output-panel');
				for (let i = 0; i < 30 && !text.includes('"syncMembers"'); i++) {
					await page.waitForTimeout(500);
					text = await output.innerText();
				}
				const list = (key) => JSON.stringify(jsonList(text, key));
				check(
					'Execute step: the output panel shows the plan (add 14155550189; remove 14155550185, 14155550186; keep your own line; 0183 and 0184 unchanged) and nothing done',
					jsonField(text, 'operation') === 'syncMembers' &&
						jsonField(text, 'chatId') === chatId &&
						/"preview"\s*:\s*true/.test(text) &&
						list('add') === '["14155550189"]' &&
						list('remove') === '["14155550185","14155550186"]' &&
						new RegExp(
							`"keep"\\s*:\\s*\\[\\s*\\{\\s*"address"\\s*:\\s*"${DEMO.periskope.orgPhone}"`,
						).test(text) &&
						list('unchanged') === '["14155550183","14155550184"]' &&
						['added', 'removed', 'invited', 'failed'].every((key) => list(key) === '[]'),
					text.slice(0, 1500),
				);
				if (sandboxUrl) {
					const rosterAfter = await roster();
					check(
						'Preview Only changed nothing: the sandbox group has the same members',
						rosterBefore.length > 0 && JSON.stringify(rosterAfter) === JSON.stringify(rosterBefore),
						`before ${JSON.stringify(rosterBefore)}, after ${JSON.stringify(rosterAfter)}`,
					);
				}
				await screenshot(page, 'sync-members-preview-output');
				await closeNode(page);
				// Leave the example as it was (n8n saves the workflow as it is edited).
				if (added) await deleteNode(page, added);
			},
		);

		for (const term of ['whatsapp', 'imessage']) {
			await step(page, `Node panel search "${term}"`, async () => {
				const item = await searchNodePanel(page, term);
				check(`searching "${term}" lists "Group Chat"`, (await item.count()) > 0);
				await screenshot(page, `node-search-${term}`);
				if (term !== 'whatsapp') return;
				// Its details list the action node's operations: it is the node, not only the trigger.
				await item.first().click();
				const action = page.getByText('Create a group chat', { exact: true });
				await action.first().waitFor();
				check('"Group Chat" offers its actions (Create a group chat, …)', true);
				await page.waitForTimeout(500); // the details panel slides in
				await screenshot(page, 'node-search-details');
				await page.keyboard.press('Escape');
			});
		}
		await page.keyboard.press('Escape');

		await step(page, 'Credentials show the providers’ icons', async () => {
			await page.goto(`${baseUrl}/home/credentials`);
			const icons = page.locator('img[src*="icons/n8n-nodes-group-chat/"]');
			await icons.first().waitFor();
			const loaded = await icons.evaluateAll((imgs) =>
				imgs.map((img) => ({ src: img.getAttribute('src'), width: img.naturalWidth })),
			);
			const names = ['chert', 'linq', 'periskope'];
			check(
				'Chert, Linq and Periskope credentials show their own icon (loaded)',
				names.every((n) => loaded.some((i) => i.src.includes(`/${n}.`) && i.width > 0)),
				JSON.stringify(loaded),
			);
			// Drawn icons, not letter avatars (an SVG <text> glyph is what the editor showed before).
			const letters = [];
			for (const { src } of loaded) {
				const svg = await (await page.request.get(new URL(src, `${baseUrl}/`).href)).text();
				if (/<text[\s>]/.test(svg) || !/<path/.test(svg)) letters.push(src);
			}
			check('the icons are drawn, not letters', letters.length === 0, letters.join(', '));
			await screenshot(page, 'credentials');
		});
	} catch (error) {
		if (!(error instanceof StepFailed))
			check('browser session', false, error.stack ?? String(error));
	} finally {
		if (pageErrors.length)
			info(`page errors seen (not failures): ${pageErrors.slice(0, 5).join(' | ')}`);
		await context.close().catch(() => {});
		rmSync(profile, { recursive: true, force: true });
	}
}

async function main() {
	rmSync(ARTIFACTS, { recursive: true, force: true });
	mkdirSync(ARTIFACTS, { recursive: true });
	if (
		!check(`Chromium at ${CHROMIUM}`, existsSync(CHROMIUM), 'install it: apt-get install chromium')
	)
		return;

	const attach = option('attach');
	if (attach) {
		heading(`attached to ${attach}`);
		await run(attach.replace(/\/$/, ''), option('sandbox'));
		return;
	}

	heading('start the stack (scripts/start.mjs startStack)');
	const userFolder = mkdtempSync(join(tmpdir(), 'test-editor-n8n-'));
	const n8nPort = await freePort();
	let sandboxPort = await freePort();
	let brokerPort = await freePort();
	while (sandboxPort === n8nPort) sandboxPort = await freePort();
	while (brokerPort === n8nPort || brokerPort === sandboxPort) brokerPort = await freePort();
	let stack;
	const stopOnSignal = async (signal) => {
		info(`${signal} received`);
		await stack?.stop();
		process.exit(1);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stopOnSignal);
	try {
		stack = await startStack({
			n8nPort,
			sandboxPort,
			brokerPort,
			userFolder,
			logFile: join(userFolder, 'n8n.log'),
			build: !args.has('--no-build'),
			log: info,
		});
		check(`n8n lists ${NODE_TYPE}`, stack.nodeListed === 'yes', stack.nodeListed);
		await run(stack.editorUrl, stack.sandbox.url);
	} catch (error) {
		check('stack started', false, error.message);
	} finally {
		await stack?.stop();
		if (args.has('--keep') || checks.failed > 0) info(`n8n user folder kept: ${userFolder}`);
		else rmSync(userFolder, { recursive: true, force: true });
	}
}

await checks.run(main);
console.log(
	`\nScreenshots (${screenshots.length}, in ${relative(ROOT, ARTIFACTS)}/):\n${screenshots.map((f) => `  ${f}`).join('\n')}`,
);
checks.finish('editor');
