export { GroupChat } from './nodes/GroupChat/GroupChat.node';
export { GroupChatTrigger } from './nodes/GroupChatTrigger/GroupChatTrigger.node';
export { ChertApi } from './credentials/ChertApi.credentials';
export { LinqApi } from './credentials/LinqApi.credentials';
export { PeriskopeApi } from './credentials/PeriskopeApi.credentials';
