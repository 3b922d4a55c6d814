// The SDK objects the stores use. Components never import this: they go through stores.
// Tests replace the factory with `setSalaServices`.
import { ApiClient, ChatClient, tokenCheck } from '@sala/sdk';
import { config } from '../config';

export interface SalaServices {
  /** A REST client that reads the current token from `getToken`. */
  api(getToken: () => string | null): ApiClient;
  /** A new real-time client for one signed-in session, landing in `room` if it is live. */
  chat(getToken: () => string | null, api: ApiClient, room?: string): ChatClient;
}

export const defaultServices: SalaServices = {
  api: (getToken) => new ApiClient({ baseUrl: config.apiBase, getToken }),
  chat: (getToken, api, room) =>
    new ChatClient({
      baseUrl: config.apiBase,
      getToken,
      room,
      // A refused upgrade looks like a network error in a browser: ask REST whether the token
      // still works before retrying forever.
      checkAuth: tokenCheck(api),
    }),
};

let current: SalaServices = defaultServices;

export function salaServices(): SalaServices {
  return current;
}

/** For tests: swap in fakes (call before the stores are created). */
export function setSalaServices(services: SalaServices): void {
  current = services;
}
