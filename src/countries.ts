/** Country choices for the Default Country option, named in English, sorted by name. */
import { getCountries } from 'libphonenumber-js/max';

export function countryChoices(): { code: string; name: string }[] {
	const names = new Intl.DisplayNames(['en'], { type: 'region' });
	return getCountries()
		.map((code) => ({ code, name: names.of(code) ?? code }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
