/** Periskope in the registry: its adapter, its events, its credential and how the editor offers it. */
import type { ProviderEntry } from '../contract';
import { periskope } from './adapter';
import { PERISKOPE_CREDENTIAL_TYPE, PERISKOPE_LABEL } from './constants';
import { periskopeEvents } from './events';

const WHATSAPP_ADDS =
	'WhatsApp adds people directly only if they are in your phone’s contacts and their privacy settings allow it; everyone else gets an invite. Adding unknown numbers can get your number banned.';

export const periskopeEntry: ProviderEntry = {
	id: 'periskope',
	label: PERISKOPE_LABEL,
	credentialType: PERISKOPE_CREDENTIAL_TYPE,
	adapter: periskope,
	events: periskopeEvents,
	editor: {
		name: 'Periskope · WhatsApp',
		description: 'WhatsApp groups through Periskope',
		chat: {
			description: 'The WhatsApp group: pick it from your groups, or enter its ID (digits@g.us)',
			placeholder: 'e.g. 120363371308389685@g.us',
			hint: 'The Create Group output has it as chatId',
			pattern: '^\\s*([\\d-]+(@g\\.us)?)?\\s*$',
			patternError: 'A WhatsApp group ID is digits followed by @g.us',
		},
		notices: {
			create: WHATSAPP_ADDS,
			addParticipants: WHATSAPP_ADDS,
			syncMembers: WHATSAPP_ADDS,
			sendMessage:
				'Periskope queues every message: the output’s messageId is its queue ID (status accepted) until WhatsApp has sent it.',
		},
		triggerNotice:
			'Periskope does not publish how it signs deliveries, so no Periskope signature is verified. Deliveries are accepted only on this workflow’s unguessable webhook URL with the random token this node adds to it when it creates the subscription.',
		defaultEvents: ['participant.added', 'participant.removed'],
	},
};
