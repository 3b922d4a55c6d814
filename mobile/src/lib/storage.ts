import * as SecureStore from 'expo-secure-store';

/**
 * Small key-value storage for the token and settings: expo-secure-store (Keychain / Keystore)
 * where it exists, else the browser's localStorage (web), else memory (tests, SSR).
 */
export interface KeyValueStore {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

const memory = new Map<string, string>();

function webStorage(): Storage | null {
  try {
    return typeof globalThis.localStorage === 'undefined' ? null : globalThis.localStorage;
  } catch {
    return null; // access can throw when storage is disabled
  }
}

let secureAvailable: Promise<boolean> | null = null;

function secureStoreAvailable(): Promise<boolean> {
  secureAvailable ??= SecureStore.isAvailableAsync().catch(() => false);
  return secureAvailable;
}

export const storage: KeyValueStore = {
  async getItem(key) {
    if (await secureStoreAvailable()) return SecureStore.getItemAsync(key);
    const web = webStorage();
    return web ? web.getItem(key) : (memory.get(key) ?? null);
  },
  async setItem(key, value) {
    if (await secureStoreAvailable()) return SecureStore.setItemAsync(key, value);
    const web = webStorage();
    if (web) web.setItem(key, value);
    else memory.set(key, value);
  },
  async removeItem(key) {
    if (await secureStoreAvailable()) return SecureStore.deleteItemAsync(key);
    const web = webStorage();
    if (web) web.removeItem(key);
    else memory.delete(key);
  },
};

/** Storage keys, in one place. */
export const keys = {
  session: 'sala.session',
  serverUrl: 'sala.serverUrl',
  language: 'sala.language',
} as const;
