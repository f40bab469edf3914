/** Chert in the registry: its adapter, its events, its credential and how the editor offers it. */
import type { ProviderEntry } from '../contract';
import { chert } from './adapter';
import { CHERT_CREDENTIAL_TYPE, CHERT_LABEL } from './constants';
import { chertEvents } from './events';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const chertEntry: ProviderEntry = {
	id: 'chert',
	label: CHERT_LABEL,
	credentialType: CHERT_CREDENTIAL_TYPE,
	adapter: chert,
	events: chertEvents,
	editor: {
		name: 'Chert · iMessage',
		description: 'Apple iMessage groups through Chert',
		chat: {
			description:
				'The iMessage group on Chert: its ID (ch_… or a UUID). Chert cannot list groups; the Create Group output has the ID as chatId.',
			placeholder: 'e.g. ch_01HGROUP',
			hint: 'Use {{ $json.chatId }} to take it from a Create Group before this node',
			pattern: `^\\s*(ch_[^\\s/?#]+|${UUID})?\\s*$`,
			patternError: 'A Chert chat ID starts with ch_ or is a UUID',
		},
		notices: {
			create:
				'Apple needs at least 3 people in an iMessage group: add 2 to 31 participants besides the sender.',
			leave: 'Chert needs at least 4 members to leave, so that 3 remain.',
		},
		triggerNotice:
			'Chert delivers messages only: membership and name changes are not sent as events. Deliveries are signed and checked (signature over the raw body, 5-minute window, event ID). Chert only delivers to HTTPS addresses, so this n8n must be reachable over HTTPS (WEBHOOK_URL).',
		defaultEvents: ['message.received'],
	},
};
