// A tiny typed event emitter: no dependency, no inheritance tricks.

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/** Emits events of the map `Events` (event name → payload type). */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Calls `fn` for every `type` event until the returned function is called. */
  on<K extends keyof Events>(type: K, fn: (payload: Events[K]) => void): Unsubscribe {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(fn as (payload: never) => void);
    return () => this.off(type, fn);
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof Events>(type: K, fn: (payload: Events[K]) => void): void {
    this.listeners.get(type)?.delete(fn as (payload: never) => void);
  }

  /**
   * Calls every listener of `type`. A listener that throws does not stop the others nor the
   * caller: its error is rethrown asynchronously, so it still reaches the console/test runner.
   */
  protected emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (p: Events[K]) => void)(payload);
      } catch (err) {
        void Promise.reject(err);
      }
    }
  }
}
