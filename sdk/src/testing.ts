// Fixtures that both apps' tests share, typed by the generated schema: a signed-in person and
// the wire envelopes the tests hand to a fake socket. Exported as `@sala/sdk/testing`; the
// apps' own code never imports it.
import type { Profile, ServerEnvelope, UpdateEnvelope } from './types';

/** The person the apps' tests sign in as. */
export const alice: Profile = {
  login: 'alice',
  first_name: 'Alice',
  last_name: 'Liddell',
  age: 30,
  gender: 'female',
  created_at: 1_700_000_000_000,
};

/** An `update` envelope with stream id `id` for message `messageId`: by default bob's edit in #general. */
export function updateEnvelope(
  id: number,
  messageId: number,
  fields: Partial<UpdateEnvelope> = {},
): ServerEnvelope {
  return {
    type: 'update',
    id,
    message_id: messageId,
    kind: 'edited',
    room: 'general',
    by: 'bob',
    at: Date.now(),
    ...fields,
  } as UpdateEnvelope;
}
