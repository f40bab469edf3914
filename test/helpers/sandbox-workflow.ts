/**
 * Workflows against the provider sandbox: credentials for its DEMO tenants and the
 * lifecycle chain (create → add → rename → remove → leave) used by several suites.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { DEMO, type Sandbox } from '../../src/sandbox';
import { chain, groupChatNode } from './engine';

export type ProviderName = 'chert' | 'linq' | 'periskope';

export function sandboxCredentials(sandbox: Sandbox, chertAuthMode: 'hmac' | 'bearer' = 'hmac') {
	return {
		chertApi: {
			baseUrl: sandbox.baseUrls.chert,
			signingSecret: DEMO.chert.signingSecret,
			tenantSlug: DEMO.chert.tenantSlug,
			authMode: chertAuthMode,
		},
		linqApi: { baseUrl: sandbox.baseUrls.linq, apiToken: DEMO.linq.token },
		periskopeApi: {
			baseUrl: sandbox.baseUrls.periskope,
			apiKey: DEMO.periskope.apiKey,
			orgPhone: DEMO.periskope.orgPhone,
		},
	};
}

/** People the lifecycle uses: three founders, one joiner; the first founder is removed. */
export const PEOPLE: Record<ProviderName, { founders: string[]; joiner: string }> = {
	chert: {
		founders: ['(415) 555-0141', '(415) 555-0142', '(415) 555-0143'],
		joiner: '+1 415 555 0144',
	},
	linq: {
		founders: ['(415) 555-0171', '(415) 555-0172', '(415) 555-0173'],
		joiner: '+1 415 555 0174',
	},
	periskope: {
		founders: ['+1 415 555 0187', '+1 415 555 0188', '+1 415 555 0189'],
		joiner: '+1 (415) 555-0184',
	},
};

export const E164 = (human: string) => `+${human.replace(/\D/g, '').replace(/^(?!1)/, '1')}`;

export function lifecycleNodes(provider: ProviderName, label = provider): INode[] {
	const people = PEOPLE[provider];
	const name = (step: string) => `${label}: ${step}`;
	const chatId = `={{ $('${name('Create Group')}').item.json.chatId }}`;
	const create: IDataObject = {
		provider,
		operation: 'create',
		participants: people.founders.join('\n'),
	};
	if (provider === 'periskope') create.groupName = 'Lifecycle';
	else {
		create.sender = provider === 'chert' ? DEMO.chert.senders[0] : DEMO.linq.senders[0];
		create.firstMessage = 'Welcome aboard';
		if (provider === 'chert') create.groupName = 'Lifecycle';
	}
	return [
		groupChatNode(name('Create Group'), create),
		groupChatNode(name('Add Participants'), {
			provider,
			operation: 'addParticipants',
			chatId,
			participants: people.joiner,
		}),
		groupChatNode(name('Rename Group'), {
			provider,
			operation: 'rename',
			chatId,
			groupName: 'Lifecycle (renamed)',
		}),
		groupChatNode(name('Remove Participants'), {
			provider,
			operation: 'removeParticipants',
			chatId,
			participants: people.founders[0],
		}),
		groupChatNode(name('Leave Group'), { provider, operation: 'leave', chatId }),
	];
}

export function lifecycleConnections(nodes: INode[]) {
	return chain(...nodes.map((node) => node.name));
}
