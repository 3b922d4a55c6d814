import { ApiClient, ChatClient, type ChatClientOptions } from '@sala/sdk';
import { createContext, type ReactNode, useContext } from 'react';

import { type KeyValueStore, storage } from './storage';

/**
 * The app's outside world, injectable so that component tests can run the SDK's real clients
 * over a fake fetch and a fake WebSocket, and use memory instead of the device storage.
 */
export interface Services {
  /** The REST client of a server, authenticated when a token is given. */
  createApi(baseUrl: string, token?: string): ApiClient;
  /** The real-time client of a server (not connected yet). */
  createChatClient(options: ChatClientOptions): ChatClient;
  storage: KeyValueStore;
}

export const defaultServices: Services = {
  createApi: (baseUrl, token) => new ApiClient({ baseUrl, getToken: () => token }),
  createChatClient: (options) => new ChatClient(options),
  storage,
};

const ServicesContext = createContext<Services>(defaultServices);

export function ServicesProvider({
  services,
  children,
}: {
  services?: Partial<Services>;
  children: ReactNode;
}) {
  return (
    <ServicesContext.Provider value={{ ...defaultServices, ...services }}>
      {children}
    </ServicesContext.Provider>
  );
}

export function useServices(): Services {
  return useContext(ServicesContext);
}
