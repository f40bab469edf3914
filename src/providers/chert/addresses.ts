/** How Chert writes addresses (E.164 phone numbers or Apple ID emails), and the one reader of them. */
import { readAddress } from '../../addresses';
import type { AddressFormat } from '../../addresses';
import { obj, str } from '../../json';
import { CHERT_LABEL } from './constants';

export const CHERT_ADDRESSES: AddressFormat = { phone: 'e164', emails: true, label: CHERT_LABEL };

/** An address Chert sent (a roster, a sender line, a webhook payload), as this package outputs it. */
export function chertAddress(value: string): string {
	return readAddress(value, CHERT_ADDRESSES);
}

/** A handle object (`{handle}` or `{address}`) or a plain address, read; null when there is none. */
export function chertHandle(value: unknown): string | null {
	const handle = str(obj(value).handle) ?? str(obj(value).address) ?? str(value);
	return handle ? chertAddress(handle) : null;
}
