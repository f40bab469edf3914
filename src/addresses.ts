/**
 * Participant addresses as people type them ("(415) 555-1234", "+44 20 7123 4567",
 * "ana@example.com") turned into the exact form a provider expects.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { getCountries } from 'libphonenumber-js/max';

import { InputError } from './errors';

/** How a provider wants its addresses: declared by each provider adapter. */
export interface AddressFormat {
	/** 'e164' → "+14155551234"; 'digits' → country code + number, "14155551234". */
	phone: 'e164' | 'digits';
	/** Whether an email address (Apple ID) is a valid participant. */
	emails: boolean;
	/** Provider name used in messages ("WhatsApp on Periskope"). */
	label: string;
}

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
			`${field} must be text or a list of phone numbers/emails, got ${describeValue(value)}`,
			field,
			value,
		);
	}
	return value
		.split(/[,;\n\r]+/)
		.map((entry) => entry.trim())
		.filter((entry) => entry.length > 0);
}

/** Normalizes one address for a provider, or throws an InputError that names the value. */
export function normalizeAddress(
	raw: string,
	format: AddressFormat,
	defaultCountry: CountryCode | undefined,
	field = 'participants',
): string {
	const value = raw.trim();
	if (value.includes('@')) {
		if (!EMAIL.test(value)) {
			throw new InputError(`"${raw}" is not a valid email address`, field, raw);
		}
		if (!format.emails) {
			throw new InputError(
				`"${raw}" is an email address, but ${format.label} only accepts phone numbers`,
				field,
				raw,
			);
		}
		return value.toLowerCase();
	}
	const e164 = parsePhone(value, defaultCountry);
	if (!e164) {
		const hint = defaultCountry
			? ` (numbers without a country code are read as ${defaultCountry})`
			: ' (add the country code, e.g. +1 415 555 1234)';
		throw new InputError(`"${raw}" is not a valid phone number${hint}`, field, raw);
	}
	return format.phone === 'e164' ? e164 : e164.slice(1);
}

/** The E.164 form of a phone number typed in any common human format, or undefined. */
function parsePhone(value: string, defaultCountry: CountryCode | undefined): string | undefined {
	if (!/^[+()\d\s.\-/]+$/.test(value) || !/\d/.test(value)) return undefined;
	const international = value.replace(/^00/, '+');
	const first = parsePhoneNumberFromString(international, defaultCountry);
	if (first?.isValid()) return first.number;
	// "14155551234" or "919537851844": country code + number without "+" (Periskope's style).
	const digits = international.replace(/\D/g, '');
	if (!international.startsWith('+') && digits.length >= 8) {
		const second = parsePhoneNumberFromString(`+${digits}`);
		if (second?.isValid()) return second.number;
	}
	return undefined;
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
	if (typeof value === 'string') return `"${value}"`;
	return `${typeof value} ${String(value)}`;
}
