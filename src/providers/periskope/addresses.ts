/**
 * How Periskope writes addresses (WhatsApp: country code + number, digits only; `…@c.us` in
 * chat objects and payloads), and the one reader of them.
 */
import { normalizeAddress } from '../../addresses';
import type { AddressFormat } from '../../addresses';

export const PERISKOPE_ADDRESSES: AddressFormat = {
	phone: 'digits',
	emails: false,
	label: 'WhatsApp on Periskope',
	linkedIds: 'refuse',
};

/**
 * An id Periskope sent (`919537851844@c.us`, `+91…` or digits) as the digits this package
 * outputs; any other id (such as a linked `…@lid`) is kept as given, never read as a number.
 */
export function periskopeAddress(id: string): string {
	const bare = id.replace(/@c\.us$/, '');
	if (bare.includes('@')) return bare;
	try {
		return normalizeAddress(
			bare.startsWith('+') ? bare : `+${bare}`,
			PERISKOPE_ADDRESSES,
			undefined,
		);
	} catch {
		return bare.replace(/^\+/, '');
	}
}
