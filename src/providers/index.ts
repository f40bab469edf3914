import type { Provider } from '../types';
import type { ProviderAdapter } from './adapter';
import { chert } from './chert';
import { linq } from './linq';
import { periskope } from './periskope';

export const ADAPTERS: Record<Provider, ProviderAdapter> = { chert, linq, periskope };

export function adapterFor(provider: Provider): ProviderAdapter {
	return ADAPTERS[provider];
}
