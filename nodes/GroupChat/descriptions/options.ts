import type { INodePropertyOptions, INodeProperties } from 'n8n-workflow';

import { countryChoices } from '../../../src/countries';

const countries: INodePropertyOptions[] = countryChoices().map(({ code, name }) => ({
	name: `${name} (${code})`,
	value: code,
}));

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Default Country',
			name: 'defaultCountry',
			type: 'options',
			options: countries,
			default: 'US',
			description: 'Country for phone numbers typed without a country code, such as (415) 555-1234',
		},
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				'Makes a retried create safe: the same key and body return the original group. Leave empty to derive one from the workflow, node and group details, so re-running an execution never creates a second group.',
			displayOptions: { show: { '/operation': ['create'], '/provider': ['chert', 'linq'] } },
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 4,
			description:
				'How many times to send a request in total when the provider is rate limiting or briefly unavailable. Requests that are unsafe to repeat are never resent after they may have arrived.',
		},
		{
			displayName: 'On Partial Failure',
			name: 'onPartialFailure',
			type: 'options',
			options: [
				{
					name: 'Fail the Item',
					value: 'error',
					description: 'Stop with an error that lists every address and its outcome',
				},
				{
					name: 'Output With Status "Partial"',
					value: 'output',
					description: 'Output the item with status partial and each address’s outcome',
				},
			],
			default: 'error',
			description: 'What to do when some participants could be added or removed and others not',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 300 },
			default: 30,
			description: 'How long to wait for each answer from the provider',
		},
	],
};
