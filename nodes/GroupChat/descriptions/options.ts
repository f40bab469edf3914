import type { INodePropertyOptions, INodeProperties } from 'n8n-workflow';

import { countryChoices } from '../../../src/countries';
import { OPTION_RANGES } from '../../../src/operations';
import { providersWhere } from './providers';

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
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: {
				minValue: OPTION_RANGES.concurrency.min,
				maxValue: OPTION_RANGES.concurrency.max,
			},
			default: 10,
			description:
				'How many items of different chats are sent at the same time (1–50). Items that touch the same chat always run one after the other in input order, and a rate limit from the provider pauses them all.',
		},
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
				'Makes a retried create or send safe: the same key and body return the original group or message. Leave empty to derive one from the workflow, node, item and content, so re-running an execution never creates a second group or sends a message twice. If you set one, make it differ per item (an expression with something unique to the item): one key for two different messages is refused by the provider.',
			displayOptions: {
				show: {
					'/operation': ['create', 'sendMessage'],
					'/provider': providersWhere((entry) => entry.adapter.rules.idempotencyKeys),
				},
			},
		},
		{
			displayName: 'Include Raw Answers',
			name: 'includeRaw',
			type: 'boolean',
			default: true,
			description:
				'Whether to add the provider’s own answers to each item as raw (last key). Turn off for smaller items that hold only the normalized result.',
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: {
				minValue: OPTION_RANGES.maxAttempts.min,
				maxValue: OPTION_RANGES.maxAttempts.max,
			},
			default: 4,
			description:
				'How many times to send a request in total (1–10) when the provider is rate limiting or briefly unavailable. Requests that are unsafe to repeat are never resent after they may have arrived.',
		},
		{
			displayName: 'Max Rate Limit Wait (Seconds)',
			name: 'maxRateLimitWait',
			type: 'number',
			typeOptions: {
				minValue: OPTION_RANGES.maxRateLimitWaitSeconds.min,
				maxValue: OPTION_RANGES.maxRateLimitWaitSeconds.max,
			},
			default: 300,
			description:
				'How long to keep waiting on the provider’s rate limit while none of this credential’s requests gets through (1–3,600 seconds; default 5 minutes). A run that keeps making progress under a rate limit is never stopped by it; when the provider keeps answering "too many requests", the waiting items fail after this long, saying how long was waited and what the provider asked.',
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
			description:
				'What to do when some participants could be added, removed, promoted or demoted and others not (Sync Members too)',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: {
				minValue: OPTION_RANGES.timeoutSeconds.min,
				maxValue: OPTION_RANGES.timeoutSeconds.max,
			},
			default: 30,
			description:
				'The longest one attempt may take, answer included (1–300 seconds). A server that answers slowly byte by byte is cut off at this deadline.',
		},
	],
};
