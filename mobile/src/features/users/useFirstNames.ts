import { useEffect, useMemo, useRef } from 'react';

import { useSession } from '@/features/auth/session';
import { useChat, useChatStore } from '@/features/chat/ChatProvider';

/**
 * People's first names by login, from the users list (the chat model reads GET /users at every
 * welcome). When a login on screen is not in the loaded list, the list is read again once for
 * it; a login that still has no first name is shown as it is. Before the model's first read
 * arrives nothing is asked: that read answers it.
 */
export function useFirstNames(logins: readonly string[]): (login: string) => string {
  const store = useChatStore();
  const { api } = useSession();
  const users = useChat((s) => s.users);
  const names = useMemo(
    () => new Map((users ?? []).map((u) => [u.login, u.first_name || u.login])),
    [users],
  );
  const asked = useRef(new Set<string>());
  const loaded = (users?.length ?? 0) > 0;
  const key = loaded ? [...new Set(logins)].filter((l) => !names.has(l)).join(' ') : '';

  useEffect(() => {
    const unknown = key ? key.split(' ').filter((l) => !asked.current.has(l)) : [];
    if (!unknown.length || !store) return;
    for (const login of unknown) asked.current.add(login);
    api
      .users()
      .then((list) => store.setUsers(list))
      .catch(() => undefined); // the logins stay: a name is a nicety
  }, [key, api, store]);

  return (login) => names.get(login) ?? login;
}
