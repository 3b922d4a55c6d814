import type { ApiClient, AuthResponse, Profile } from '@sala/sdk';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';

import { useSettings } from '@/features/settings/settings';
import { useServices } from '@/lib/services';
import { keys } from '@/lib/storage';

/** A signed-in user: the token is only valid on the server that issued it. */
export interface Session {
  token: string;
  expiresAt: number;
  user: Profile;
  serverUrl: string;
}

export interface SessionValue {
  /** False until the saved session is loaded. */
  ready: boolean;
  session: Session | null;
  /** REST client for the current server, authenticated when signed in. */
  api: ApiClient;
  signIn(auth: AuthResponse): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

function parseSession(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.serverUrl !== 'string' || !s.user) return null;
    if (typeof s.expiresAt !== 'number' || s.expiresAt <= Date.now()) return null;
    return s as Session;
  } catch {
    return null;
  }
}

/** Keeps the session (token in secure storage) and the REST client that goes with it. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const { storage, createApi } = useServices();
  const settings = useSettings();
  const [loaded, setLoaded] = useState(false);
  const [stored, setStored] = useState<Session | null>(null);

  useEffect(() => {
    let live = true;
    storage
      .getItem(keys.session)
      .then((raw) => live && setStored(parseSession(raw)))
      .catch(() => undefined)
      .finally(() => live && setLoaded(true));
    return () => {
      live = false;
    };
  }, [storage]);

  // A session for another server than the configured one does not count.
  const session = stored && stored.serverUrl === settings.serverUrl ? stored : null;

  const signIn = useCallback(
    async (auth: AuthResponse) => {
      const next: Session = {
        token: auth.token,
        expiresAt: auth.expires_at,
        user: auth.user,
        serverUrl: settings.serverUrl,
      };
      await storage.setItem(keys.session, JSON.stringify(next));
      setStored(next);
    },
    [storage, settings.serverUrl],
  );

  const signOut = useCallback(async () => {
    setStored(null);
    await storage.removeItem(keys.session);
  }, [storage]);

  const api = useMemo(
    () => createApi(settings.serverUrl, session?.token),
    [createApi, settings.serverUrl, session?.token],
  );

  const value = useMemo(
    () => ({ ready: loaded && settings.ready, session, api, signIn, signOut }),
    [loaded, settings.ready, session, api, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
