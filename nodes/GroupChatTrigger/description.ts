import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { onlyForProvider, providerProperty as groupChatProvider } from '../GroupChat/descriptions/common';

import { EVENT_LABELS } from '../../src/events';
import type { TriggerEvent } from '../../src/events';
import { EVENT_SOURCES } from '../../src/trigger';
import { onceOptionsProperty } from './once';
import type { Provider } from '../../src/types';

const PROVIDERS: Provider[] = ['chert', 'linq', 'periskope'];

export { onlyForProvider };

/** The action node's Provider choice; the trigger starts on Linq, which delivers every event. */
export const providerProperty: INodeProperties = { ...groupChatProvider, default: 'linq' };

const NOTICES: Record<Provider, string> = {
	chert:
		'Chert delivers messages only: membership and name changes are not sent as events. Deliveries are signed and checked (signature over the raw body, 5-minute window, event ID). Chert only delivers to HTTPS addresses, so this n8n must be reachable over HTTPS (WEBHOOK_URL).',
	linq: 'Linq queues group changes (the Group Chat node answers "accepted"); this trigger receives the confirmation or the "Change Failed" event. Deliveries are signed and checked (Standard Webhooks signature over the raw body, 5-minute window, event ID).',
	periskope:
		'Periskope does not publish how it signs deliveries, so no Periskope signature is verified. Deliveries are accepted only on this workflow’s unguessable webhook URL with the random token this node adds to it when it creates the subscription.',
};

function eventOptions(provider: Provider): INodePropertyOptions[] {
	return EVENT_SOURCES[provider].supported
		.map((value: TriggerEvent) => ({ name: EVENT_LABELS[value].name, value, description: EVENT_LABELS[value].description }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

const EVENTS_DESCRIPTION =
	'The group events that start this workflow (only those this provider can deliver are listed)';

export const triggerProperties: INodeProperties[] = [
	providerProperty,
	...PROVIDERS.map(
		(provider): INodeProperties => ({
			displayName: NOTICES[provider],
			name: `notice_${provider}`,
			type: 'notice',
			default: '',
			displayOptions: { show: { provider: [provider] } },
		}),
	),
	{
		displayName: 'Trigger On',
		name: 'events',
		type: 'multiOptions',
		required: true,
		noDataExpression: true,
		options: eventOptions('chert'),
		default: ['message.received'],
		description: EVENTS_DESCRIPTION,
		displayOptions: { show: { provider: ['chert'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'events',
		type: 'multiOptions',
		required: true,
		noDataExpression: true,
		options: eventOptions('linq'),
		default: ['participant.added', 'participant.removed'],
		description: EVENTS_DESCRIPTION,
		displayOptions: { show: { provider: ['linq'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'events',
		type: 'multiOptions',
		required: true,
		noDataExpression: true,
		options: eventOptions('periskope'),
		default: ['participant.added', 'participant.removed'],
		description: EVENTS_DESCRIPTION,
		displayOptions: { show: { provider: ['periskope'] } },
	},
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
