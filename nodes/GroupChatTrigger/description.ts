import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { EVENT_LABELS } from '../../src/events';
import type { TriggerEvent } from '../../src/events';
import { ENTRIES } from '../../src/providers';
import type { ProviderEntry } from '../../src/providers/contract';
import { providerProperty as groupChatProvider } from '../GroupChat/descriptions/providers';
import { onceOptionsProperty } from './once';

/** The action node's Provider choice; the trigger starts on Linq, which delivers every event. */
export const providerProperty: INodeProperties = { ...groupChatProvider, default: 'linq' };

function eventOptions(entry: ProviderEntry): INodePropertyOptions[] {
	return entry.events.supported
		.map((value: TriggerEvent) => ({
			name: EVENT_LABELS[value].name,
			value,
			description: EVENT_LABELS[value].description,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

const EVENTS_DESCRIPTION =
	'The group events that start this workflow (only those this provider can deliver are listed)';

export const triggerProperties: INodeProperties[] = [
	providerProperty,
	...ENTRIES.map(
		(entry): INodeProperties => ({
			displayName: entry.editor.triggerNotice,
			name: `notice_${entry.id}`,
			type: 'notice',
			default: '',
			displayOptions: { show: { provider: [entry.id] } },
		}),
	),
	// Trigger On, once per provider: only the events it can deliver. n8n's node panel lists the
	// first Trigger On's options as the node's triggers: the provider with the most events first.
	...[...ENTRIES]
		.sort((a, b) => b.events.supported.length - a.events.supported.length)
		.map(
			(entry): INodeProperties => ({
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				required: true,
				noDataExpression: true,
				options: eventOptions(entry),
				default: [...entry.editor.defaultEvents],
				description: EVENTS_DESCRIPTION,
				displayOptions: { show: { provider: [entry.id] } },
			}),
		),
	{
		displayName: 'Sender Lines',
		name: 'senders',
		type: 'string',
		default: '',
		placeholder: '+15555550100, +15555550101',
		description:
			'Only events on these lines of yours (comma-separated). Linq filters at the source; Chert and Periskope events are filtered here when the event names the line. Numbers without a country code are read as US numbers. Empty: every line.',
	},
	{
		displayName: 'Chat IDs',
		name: 'chatIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. 7d4c1a20-0003-4b5e-9c6d-000000000003',
		description: 'Only events in these groups (comma-separated chat IDs). Empty: every group.',
	},
	onceOptionsProperty,
];
