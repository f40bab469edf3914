import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { ENTRIES } from '../../../src/providers';
import type { ProviderEntry } from '../../../src/providers/contract';
import type { Operation } from '../../../src/types';

/**
 * The editor's view of the registry: which providers have a capability, the Provider choice, the
 * credentials, and each provider's notices. Every description reads providers from here, so a
 * new provider appears in the editor from its registry entry alone.
 */
export const PROVIDER_VALUES = ENTRIES.map((entry) => entry.id);

/** The providers whose entry passes `test`, for displayOptions. */
export function providersWhere(test: (entry: ProviderEntry) => boolean): string[] {
	return ENTRIES.filter(test).map((entry) => entry.id);
}

/** The providers that can do `operation`. */
export function providersFor(operation: Operation): string[] {
	return providersWhere((entry) => entry.adapter.operations.includes(operation));
}

/** An expression part naming the chosen provider ("Linq"), for subtitles. */
export const providerLabelExpression = `(${JSON.stringify(
	Object.fromEntries(ENTRIES.map((entry) => [entry.id, entry.label])),
)})[$parameter["provider"]]`;

export const onProvider = (...provider: string[]) => ({ provider });
export const onOperation = (...operation: string[]) => ({ operation });

/**
 * For credentials: "hide on every other provider" rather than "show on this one". n8n's editor
 * treats a parameter that credentials *show* on as the node's authentication field and hides
 * it behind the credential picker; Provider must stay a visible choice.
 */
export const onlyForProvider = (provider: string) => ({
	hide: { provider: PROVIDER_VALUES.filter((value) => value !== provider) },
});

/** One credential per provider, each shown only with its provider. */
export const providerCredentials: INodeCredentialDescription[] = ENTRIES.map((entry) => ({
	name: entry.credentialType,
	required: true,
	displayOptions: onlyForProvider(entry.id),
}));

const firstProvider = ENTRIES[0].id;

export const providerProperty: INodeProperties = {
	displayName: 'Provider',
	name: 'provider',
	type: 'options',
	noDataExpression: true,
	options: ENTRIES.map((entry) => ({
		name: entry.editor.name,
		value: entry.id,
		description: entry.editor.description,
	})),
	default: firstProvider,
};

/** Each provider's notices, one property per notice text, shown with the operations it is about. */
export const noticeProperties: INodeProperties[] = ENTRIES.flatMap((entry) => {
	const byText = new Map<string, string[]>();
	for (const [operation, text] of Object.entries(entry.editor.notices)) {
		if (text) byText.set(text, [...(byText.get(text) ?? []), operation]);
	}
	return [...byText].map(
		([text, operations], index): INodeProperties => ({
			displayName: text,
			name: `${entry.id}Notice${index + 1}`,
			type: 'notice',
			default: '',
			displayOptions: { show: { ...onOperation(...operations), ...onProvider(entry.id) } },
		}),
	);
});
