import { NodeOperationError } from 'n8n-workflow';
import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
	INodeType,
} from 'n8n-workflow';

import { PICKER_LIMITS, memberOptions, searchChats, senderOptions } from '../../src/lookups';
import type { Fetch, Problem } from '../../src/lookups';
import { PROVIDERS } from '../../src/types';
import type { Provider } from '../../src/types';
import { ENTRIES, adapterFor } from '../../src/providers';
import { searchMethodOf } from './descriptions/common';
import { callProvider } from './transport';

/**
 * Every picker call goes through callProvider: the same gate, retries and error words as a run,
 * as a read, with a deadline the editor can wait for.
 */
function fetcher(context: ILoadOptionsFunctions, provider: Provider): Fetch {
	return async (call) =>
		(
			await callProvider(
				context,
				provider,
				{ ...call, kind: 'read' },
				{
					timeoutMs: PICKER_LIMITS.timeoutMs,
					maxAttempts: PICKER_LIMITS.maxAttempts,
				},
			)
		).json;
}

function providerOf(context: ILoadOptionsFunctions): Provider {
	const value = context.getCurrentNodeParameter('provider');
	if (!(PROVIDERS as readonly unknown[]).includes(value)) {
		throw new NodeOperationError(
			context.getNode(),
			`Choose a Provider first (got ${JSON.stringify(value)})`,
		);
	}
	return value as Provider;
}

/** A picker's answer, or what it cannot do as the message n8n shows in place of the list. */
function shown<T extends object>(context: ILoadOptionsFunctions, outcome: T | Problem): T {
	if ('problem' in outcome) throw new NodeOperationError(context.getNode(), outcome.problem);
	return outcome;
}

async function searchFor(
	context: ILoadOptionsFunctions,
	provider: Provider,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return shown(
		context,
		await searchChats(
			adapterFor(provider),
			fetcher(context, provider),
			filter ?? '',
			paginationToken,
		),
	);
}

export const methods: INodeType['methods'] = {
	loadOptions: {
		/** Sender: the account's phone numbers, number first, then the provider's label for it. */
		async getSenders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
			const provider = providerOf(this);
			return await senderOptions(adapterFor(provider), fetcher(this, provider));
		},
		/** Members to Remove: the picked group's current members, your own line left out. */
		async getGroupMembers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
			const provider = providerOf(this);
			const chat = this.getCurrentNodeParameter('chatId');
			return shown(this, await memberOptions(adapterFor(provider), fetcher(this, provider), chat));
		},
	},
	/** The Chat list of every provider that can list groups, under the name its Chat field asks for. */
	listSearch: Object.fromEntries(
		ENTRIES.filter((entry) => entry.adapter.lookups.chats !== undefined).map((entry) => [
			searchMethodOf(entry),
			async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
				return await searchFor(this, entry.id, filter, paginationToken);
			},
		]),
	),
};
