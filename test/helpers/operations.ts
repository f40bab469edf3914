/**
 * One set of parameters per provider × operation, valid and minimal: the matrix that the leak
 * scan and the hostile-provider suite both run. The first five of each provider are the five
 * original operations in the same order (suites pick them by index); the operations of issue 16
 * (Send Message, List Groups, admins, invite link, Sync Members) follow where the provider offers them.
 */
import type { IDataObject } from 'n8n-workflow';

export type ProviderName = 'chert' | 'linq' | 'periskope';

export const LINQ_CHAT = '550e8400-e29b-41d4-a716-446655440000';

export function operationsFor(
	chats: Record<ProviderName, string>,
): Record<ProviderName, IDataObject[]> {
	const imessage = (chatId: string): IDataObject[] => [
		{
			operation: 'create',
			sender: '+14155550100',
			participants: '+14155551234,+14155551235',
			firstMessage: 'hi',
		},
		{ operation: 'addParticipants', chatId, participants: '+14155551234,+14155551235' },
		{ operation: 'removeParticipants', chatId, participants: '+14155551234' },
		{ operation: 'rename', chatId, groupName: 'x' },
		{ operation: 'leave', chatId },
		{ operation: 'sendMessage', chatId, message: 'Welcome' },
	];
	return {
		chert: imessage(chats.chert),
		linq: [
			...imessage(chats.linq),
			{ operation: 'listGroups', returnAll: true },
			{
				operation: 'syncMembers',
				chatId: chats.linq,
				participants: '+14155551234,+14155551235',
				syncOptions: { allowRemovals: true },
			},
		],
		periskope: [
			{ operation: 'create', groupName: 'g', participants: '+14155551234' },
			{ operation: 'addParticipants', chatId: chats.periskope, participants: '+14155551234' },
			{ operation: 'removeParticipants', chatId: chats.periskope, participants: '+14155551234' },
			{ operation: 'rename', chatId: chats.periskope, groupName: 'x' },
			{ operation: 'leave', chatId: chats.periskope },
			{
				operation: 'sendMessage',
				chatId: chats.periskope,
				message: 'Welcome',
				messageOptions: { hideLinkPreview: true },
			},
			{ operation: 'listGroups', returnAll: true },
			{ operation: 'promoteAdmins', chatId: chats.periskope, participants: '+14155551234' },
			{ operation: 'demoteAdmins', chatId: chats.periskope, participants: '+14155551234' },
			{ operation: 'inviteLink', chatId: chats.periskope, inviteLinkAction: 'reset' },
			{
				operation: 'syncMembers',
				chatId: chats.periskope,
				participants: '+14155551234',
				syncOptions: { allowRemovals: true },
			},
		],
	};
}
