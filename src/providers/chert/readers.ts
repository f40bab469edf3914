/**
 * What the pickers read from Chert: only the sender lines. Chert has no chat list and no
 * documented group read, so the Chat field is By ID only and Get Group is not offered.
 */
import { obj, str } from '../../json';
import type { ProviderLookups } from '../contract';
import { chertAddress } from './addresses';
import { CHERT_TEST_PATH } from './constants';

export const chertLookups: ProviderLookups = {
	senders: {
		call: () => ({
			method: 'GET',
			path: CHERT_TEST_PATH,
			kind: 'read',
			purpose: 'read your sender numbers',
		}),
		read: (json) => {
			const body = obj(json);
			const list = Array.isArray(json)
				? json
				: Array.isArray(body.phone_numbers)
					? body.phone_numbers
					: [];
			return list
				.map(obj)
				.filter((line) => str(line.phone_number) ?? str(line.number))
				.map((line) => {
					const label = [
						str(line.label) ?? str(line.name) ?? str(line.display_name),
						str(line.status),
					]
						.filter(Boolean)
						.join(', ');
					return {
						address: chertAddress((str(line.phone_number) ?? str(line.number)) as string),
						label: label || undefined,
					};
				});
		},
	},
};
