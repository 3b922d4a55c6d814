// The tab's room: sessionStorage, so a reload keeps it and a new tab starts afresh.
import { config } from '../config';

/** The room this tab was in (sessionStorage: a reload keeps it, a new tab starts afresh). */
export function savedRoom(): string | undefined {
  try {
    return sessionStorage.getItem(config.storage.room) ?? undefined;
  } catch {
    return undefined; // storage unavailable: a reload starts in the default room
  }
}

/** Remembers the tab's room, or forgets it (null, on logout). */
export function saveRoom(name: string | null): void {
  try {
    if (name === null) sessionStorage.removeItem(config.storage.room);
    else sessionStorage.setItem(config.storage.room, name);
  } catch {
    // storage unavailable: nothing to keep
  }
}
