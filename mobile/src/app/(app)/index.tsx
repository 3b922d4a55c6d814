import { ChatScreen } from '@/features/chat/ChatScreen';

export default ChatScreen;
