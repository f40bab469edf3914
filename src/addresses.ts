/**
 * Participant addresses as people type them ("(415) 555-1234", "+44 20 7123 4567",
 * "ana@example.com") turned into the exact form a provider expects.
 */
import {
	getCountries,
	getCountryCallingCode,
	parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';

import { InputError } from './errors';

/** How a provider wants its addresses: declared by each provider adapter. */
export interface AddressFormat {
	/** 'e164' → "+14155551234"; 'digits' → country code + number, "14155551234". */
	phone: 'e164' | 'digits';
	/** Whether an email address (Apple ID) is a valid participant. */
	emails: boolean;
	/** Provider name used in messages ("WhatsApp on Periskope"). */
	label: string;
	/**
	 * WhatsApp linked ids (`<digits>@lid`: a member known without a phone number; the digits are
	 * NOT a phone number): passed through unchanged where the operation can use one ('accept':
	 * remove, promote, demote, sync, List Groups' member filter), refused with a clear message where it cannot ('refuse': add,
	 * create). Absent where the network has none.
	 */
	linkedIds?: 'accept' | 'refuse';
}

/** A WhatsApp linked id: digits followed by @lid. */
export const LINKED_ID = /^\d{1,32}@lid$/i;

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]{2,}$/;
const COUNTRIES = new Set<string>(getCountries());

export function isCountryCode(value: string): value is CountryCode {
	return COUNTRIES.has(value);
}

/**
 * Splits what a user put in a participants field into single entries. Accepts a string
 * separated by commas, semicolons or new lines, a number, or an array of those (an
 * expression such as `{{ $json.phones }}`).
 */
export function splitAddressList(value: unknown, field = 'participants'): string[] {
	if (value === undefined || value === null) return [];
	if (Array.isArray(value)) return value.flatMap((entry) => splitAddressList(entry, field));
	if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
	if (typeof value !== 'string') {
		throw new InputError(
			`${fieldLabel(field)} must be text or a list of phone numbers/emails, got ${describeValue(value)}`,
			field,
			value,
		);
	}
	return value
		.split(/[,;\n\r]+/)
		.map((entry) => entry.trim())
		.filter((entry) => entry.length > 0);
}

/** Labels of the fields addresses come from, as the editor shows them. */
const FIELD_LABELS: Record<string, string> = {
	participants: 'Participants',
	sender: 'Sender',
	// Sync Members' list (the `participants` parameter, shown as Members) and List Groups' member filter.
	members: 'Members',
	groupFilters: 'Has Member',
};

export function fieldLabel(field: string): string {
	return FIELD_LABELS[field] ?? field;
}

/** Normalizes one address for a provider, or throws an InputError that names the value. */
export function normalizeAddress(
	raw: string,
	format: AddressFormat,
	defaultCountry: CountryCode | undefined,
	field = 'participants',
): string {
	const value = raw.trim();
	const label = fieldLabel(field);
	if (format.linkedIds && LINKED_ID.test(value)) {
		if (format.linkedIds === 'accept') return value.toLowerCase();
		throw new InputError(
			`${label}: "${raw}" is a WhatsApp linked ID (a member known without a phone number), not a phone number: it can be removed, promoted, demoted or kept by Sync Members, but not added`,
			field,
			raw,
		);
	}
	if (value.includes('@')) {
		if (!EMAIL.test(value)) {
			throw new InputError(`${label}: "${raw}" is not a valid email address`, field, raw);
		}
		if (!format.emails) {
			throw new InputError(
				`${label}: "${raw}" is an email address, but ${format.label} only accepts phone numbers`,
				field,
				raw,
			);
		}
		return value.toLowerCase();
	}
	const parsed = parsePhone(value, defaultCountry);
	if ('problem' in parsed) throw new InputError(`${label}: "${raw}" ${parsed.problem}`, field, raw);
	return format.phone === 'e164' ? parsed.e164 : parsed.e164.slice(1);
}

/**
 * An address a provider sent (a roster, a sender list, a webhook payload), normalized the way
 * this package outputs addresses for that provider; a value that is no valid address is kept as
 * the provider sent it (never dropped, never turned into another number).
 */
export function readAddress(value: string, format: AddressFormat): string {
	try {
		return normalizeAddress(value, format, undefined);
	} catch {
		return value;
	}
}

/**
 * How a typed phone number is read (README, "Phone numbers"):
 * - written with `+` or `00`: international, taken as written when its length is possible for
 *   that country, even outside libphonenumber's known ranges (new ranges, test lines such as
 *   the providers' own example +1 555 555 0100);
 * - written any other way: a national number of the Default Country, and it must be a valid
 *   number there. It is never re-read as another country's number, so a typo such as
 *   "(322) 555-1234" is refused instead of reaching a stranger abroad;
 * - bare digits only (WhatsApp style, "919537851844"): a national number of the Default
 *   Country when it is valid there, otherwise country code + number, which must then be a
 *   valid number.
 */
export function parsePhone(
	value: string,
	defaultCountry: CountryCode | undefined,
): { e164: string } | { problem: string } {
	if (!/^[+()\d\s.\-/]+$/.test(value) || !/\d/.test(value)) {
		return { problem: 'is not a phone number (only digits, spaces, + ( ) - . / are allowed)' };
	}
	const compact = value.replace(/[\s()./-]/g, '');
	if (/^(\+|00)/.test(compact)) {
		const international = `+${compact.replace(/^(\+|00)/, '')}`;
		if (!/^\+\d+$/.test(international)) return { problem: 'has a + in the middle' };
		const number = parsePhoneNumberFromString(international);
		if (number && (number.isValid() || (number.isPossible() && fitsNumberingPlan(number)))) {
			return { e164: number.number };
		}
		return {
			problem: 'is not a possible phone number (check the country code and the number of digits)',
		};
	}
	const where = defaultCountry ? countryName(defaultCountry) : undefined;
	const bare = /^\d+$/.test(value);
	if (defaultCountry) {
		const national = parsePhoneNumberFromString(value, defaultCountry);
		const home = national?.countryCallingCode === getCountryCallingCode(defaultCountry);
		if (national && home && national.isValid()) return { e164: national.number };
		// Formatted input, or bare digits that can be a number there, is read there and only there.
		if (!bare || (national && home && national.isPossible())) {
			return {
				problem: `is not a valid phone number in ${where} (numbers without + or 00 are read in the Default Country, ${defaultCountry}; write numbers from other countries with + and the country code)`,
			};
		}
	}
	if (bare && value.length >= 8) {
		const withCode = parsePhoneNumberFromString(`+${value}`);
		if (withCode?.isValid()) return { e164: withCode.number };
	}
	if (!where) {
		return {
			problem:
				'has no country code: write it with + (e.g. +1 415 555 1234) or set Options → Default Country',
		};
	}
	return {
		problem: `is not a valid phone number in ${where}, nor a valid number as country code + number (write international numbers with +)`,
	};
}

/**
 * A number outside libphonenumber's known ranges that still has the shape of its numbering
 * plan (the national-number pattern of a country with that calling code): +1 555 555 0100
 * passes, +1 000 000 0000 does not.
 */
function fitsNumberingPlan(number: {
	countryCallingCode: string;
	nationalNumber: string;
}): boolean {
	const data = metadata as unknown as {
		country_calling_codes: Record<string, string[]>;
		countries: Record<string, unknown[]>;
	};
	return (data.country_calling_codes[number.countryCallingCode] ?? []).some((country) => {
		const pattern = data.countries[country]?.[2];
		return (
			typeof pattern === 'string' && new RegExp(`^(?:${pattern})$`).test(number.nationalNumber)
		);
	});
}

function countryName(code: CountryCode): string {
	try {
		return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
	} catch {
		return code;
	}
}

/** Normalizes a whole list and removes duplicates (the same person typed twice). */
export function normalizeAddressList(
	value: unknown,
	format: AddressFormat,
	defaultCountry: CountryCode | undefined,
	field = 'participants',
): string[] {
	const normalized = splitAddressList(value, field).map((entry) =>
		normalizeAddress(entry, format, defaultCountry, field),
	);
	return [...new Set(normalized)];
}

export function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string')
		return value.length > 80
			? `"${value.slice(0, 80)}…" (${value.length.toLocaleString('en-US')} characters)`
			: `"${value}"`;
	return `${typeof value} ${String(value)}`;
}

/** At most `max` values, then "and 9,990 more": messages stay readable whatever the list's size. */
export function listSome(values: readonly string[], max = 5): string {
	if (values.length <= max) return values.join(', ');
	return `${values.slice(0, max).join(', ')} and ${(values.length - max).toLocaleString('en-US')} more`;
}
