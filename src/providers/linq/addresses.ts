/** How Linq writes addresses (E.164 phone numbers or emails), and the one reader of them. */
import { readAddress } from '../../addresses';
import type { AddressFormat } from '../../addresses';
import { obj, str } from '../../json';
import { LINQ_LABEL } from './constants';

export const LINQ_ADDRESSES: AddressFormat = { phone: 'e164', emails: true, label: LINQ_LABEL };

/** A handle Linq sent (a roster, a sender line, a webhook payload), as this package outputs it. */
export function linqAddress(value: string): string {
	return readAddress(value, LINQ_ADDRESSES);
}

/** A handle object (`{handle}`) or a plain handle, read; null when there is none. */
export function linqHandle(value: unknown): string | null {
	const handle = str(obj(value).handle) ?? str(value);
	return handle ? linqAddress(handle) : null;
}
