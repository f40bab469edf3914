/** Linq in the registry: its adapter, its events, its credential and how the editor offers it. */
import type { ProviderEntry } from '../contract';
import { linq } from './adapter';
import { LINQ_CREDENTIAL_TYPE, LINQ_LABEL } from './constants';
import { linqEvents } from './events';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const linqEntry: ProviderEntry = {
	id: 'linq',
	label: LINQ_LABEL,
	credentialType: LINQ_CREDENTIAL_TYPE,
	adapter: linq,
	events: linqEvents,
	editor: {
		name: 'Linq · iMessage, RCS, SMS',
		description: 'Groups through Linq Partner API v3',
		chat: {
			description: 'The Linq group: pick it from your group chats, or enter its ID (a UUID)',
			placeholder: 'e.g. 550e8400-e29b-41d4-a716-446655440000',
			hint: 'The Create Group output has it as chatId',
			pattern: `^\\s*(${UUID})?\\s*$`,
			patternError: 'A Linq chat ID is a UUID',
		},
		notices: {
			leave: 'Linq leaves only iMessage groups with 4 or more active members.',
			sendMessage:
				'Linq queues adds: a welcome sent right after Add Participants can arrive before the new member has joined. To greet people once they are in, send it from a Group Chat Trigger on Participant Added.',
			syncMembers:
				'Linq queues adds and removals and keeps at least 3 members in a group: a sync that would leave fewer is refused before anything is sent.',
		},
		triggerNotice:
			'Linq queues group changes (the Group Chat node answers "accepted"); this trigger receives the confirmation or the "Change Failed" event. Deliveries are signed and checked (Standard Webhooks signature over the raw body, 5-minute window, event ID).',
		defaultEvents: ['participant.added', 'participant.removed'],
	},
};
