/**
 * One set of parameters per provider × operation, valid and minimal: the matrix that the leak
 * scan and the hostile-provider suite both run.
 */
import type { IDataObject } from 'n8n-workflow';

export type ProviderName = 'chert' | 'linq' | 'periskope';

export const LINQ_CHAT = '550e8400-e29b-41d4-a716-446655440000';

export function operationsFor(chats: Record<ProviderName, string>): Record<ProviderName, IDataObject[]> {
	const imessage = (chatId: string): IDataObject[] => [
		{ operation: 'create', sender: '+14155550100', participants: '+14155551234,+14155551235', firstMessage: 'hi' },
		{ operation: 'addParticipants', chatId, participants: '+14155551234,+14155551235' },
		{ operation: 'removeParticipants', chatId, participants: '+14155551234' },
		{ operation: 'rename', chatId, groupName: 'x' },
		{ operation: 'leave', chatId },
	];
	return {
		chert: imessage(chats.chert),
		linq: imessage(chats.linq),
		periskope: [
			{ operation: 'create', groupName: 'g', participants: '+14155551234' },
			{ operation: 'addParticipants', chatId: chats.periskope, participants: '+14155551234' },
			{ operation: 'removeParticipants', chatId: chats.periskope, participants: '+14155551234' },
			{ operation: 'rename', chatId: chats.periskope, groupName: 'x' },
			{ operation: 'leave', chatId: chats.periskope },
		],
	};
}
