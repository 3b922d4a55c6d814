/**
 * Which rows of a conversation show their sender's name, given each row's sender (null for a
 * notice): never your own, and only the first of consecutive messages from one person.
 */
export function sendersShown(senders: readonly (string | null)[], me: string): boolean[] {
  return senders.map((from, i) => from !== null && from !== me && senders[i - 1] !== from);
}
