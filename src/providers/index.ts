/**
 * The registry: one entry per provider — its adapter, its events, its credential type and how the
 * editor offers it. Everything outside src/providers/ asks this registry; adding a provider
 * means a folder beside chert/, linq/ and periskope/ and one line here (docs/architecture.md).
 */
import type { Provider } from '../types';
import { chertEntry } from './chert';
import type { ProviderAdapter, ProviderEntry } from './contract';
import { linqEntry } from './linq';
import { periskopeEntry } from './periskope';

export const REGISTRY: Record<Provider, ProviderEntry> = {
	chert: chertEntry,
	linq: linqEntry,
	periskope: periskopeEntry,
};

/** The registry's entries in the editor's order. */
export const ENTRIES: readonly ProviderEntry[] = [chertEntry, linqEntry, periskopeEntry];

export function entryFor(provider: Provider): ProviderEntry {
	return REGISTRY[provider];
}

export function adapterFor(provider: Provider): ProviderAdapter {
	return REGISTRY[provider].adapter;
}
