import NetInfo from '@react-native-community/netinfo';
import { useEffect } from 'react';
import { AppState } from 'react-native';

import type { ChatStore } from './chatStore';

// Only the link state matters here; NetInfo's own reachability probe would call a third-party
// URL, which a self-hosted chat on a LAN must not do.
NetInfo.configure({ reachabilityShouldRun: () => false });

/**
 * A phone's network comes and goes: when the app returns to the foreground, or the network
 * comes back after being lost, skip the backoff wait and reconnect now (the SDK resumes and
 * re-sends pending messages with their ids).
 */
export function useReconnectTriggers(store: ChatStore | null) {
  useEffect(() => {
    if (!store) return;
    let appState: string = AppState.currentState ?? 'active';
    const appSub = AppState.addEventListener('change', (next) => {
      if (/inactive|background/.test(appState) && next === 'active') store.reconnectNow();
      appState = next;
    });
    let wasOffline = false;
    const unsubscribeNet = NetInfo.addEventListener((net) => {
      const offline = net.isConnected === false;
      if (wasOffline && !offline) store.reconnectNow();
      wasOffline = offline;
    });
    return () => {
      appSub.remove();
      unsubscribeNet();
    };
  }, [store]);
}
