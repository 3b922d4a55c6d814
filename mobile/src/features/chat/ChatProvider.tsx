import { tokenCheck } from '@sala/sdk';
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
} from 'react';
import { AppState } from 'react-native';

import { useSession } from '@/features/auth/session';
import { useServices } from '@/lib/services';

import { type ChatState, ChatStore } from './chatStore';
import { useReconnectTriggers } from './useReconnectTriggers';

const ChatContext = createContext<ChatStore | null>(null);

/**
 * Opens the chat connection while a user is signed in and closes it on sign-out. Children
 * render either way; the signed-in screens read the store through useChat().
 */
export function ChatProvider({ children }: { children: ReactNode }) {
  const { session, api, signOut } = useSession();
  const { createChatClient } = useServices();
  const token = session?.token;
  const serverUrl = session?.serverUrl;
  const login = session?.user.login;

  const store = useMemo(() => {
    if (!token || !serverUrl || !login) return null;
    const client = createChatClient({
      baseUrl: serverUrl,
      getToken: () => token,
      // A refused upgrade looks like any drop to a WebSocket: ask REST whether the token is good.
      checkAuth: tokenCheck(api),
    });
    return new ChatStore(client, login, api, () => void signOut());
  }, [createChatClient, api, token, serverUrl, login, signOut]);

  useEffect(() => {
    if (!store) return;
    store.start();
    return () => store.stop();
  }, [store]);

  // What is on screen is read only while the app is in the foreground (a state not known yet,
  // as before the first change on some platforms, counts as the foreground).
  useEffect(() => {
    if (!store) return;
    const inFront = (s: string | null | undefined) => !/background|inactive/.test(s ?? '');
    store.setFocused(inFront(AppState.currentState));
    const sub = AppState.addEventListener('change', (s) => store.setFocused(inFront(s)));
    return () => sub.remove();
  }, [store]);
  useReconnectTriggers(store);

  return <ChatContext.Provider value={store}>{children}</ChatContext.Provider>;
}

/** The chat store; null while signed out or before it is created. */
export function useChatStore(): ChatStore | null {
  return useContext(ChatContext);
}

const noStore = {
  subscribe: () => () => undefined,
  getState: () => null,
};

/** A slice of the chat state, re-rendering when it changes; null before the store exists. */
export function useChat<T>(select: (state: ChatState) => T): T | null {
  const store = useChatStore() ?? noStore;
  const state = useSyncExternalStore(store.subscribe, store.getState, store.getState);
  return state ? select(state) : null;
}
