// Short names for the generated OpenAPI types (src/schema.d.ts). Nothing here is written by hand
// except the aliases: change openapi.yaml and run `npm run gen` instead.
import type { components, operations, paths } from './schema';

export type { components, operations, paths };

type Schemas = components['schemas'];

/** The one error body of every REST error. */
export type ErrorResponse = Schemas['ErrorResponse'];
/**
 * One field's machine-readable error (`field_errors` of a validation error). `code` is widened to
 * any string: a newer server may send a code this client has no words for (it then shows `fields`).
 */
export type FieldError = Omit<Schemas['FieldError'], 'code'> & {
  code: Schemas['FieldError']['code'] | (string & {});
};
export type Gender = Schemas['Gender'];
export type SignupRequest = Schemas['SignupRequest'];
export type LoginRequest = Schemas['LoginRequest'];
export type AuthResponse = Schemas['AuthResponse'];
/** The caller's own account (GET /me, welcome.user). */
export type Profile = Schemas['Profile'];
/** A registered user with presence (GET /users, `users` envelope). */
export type UserInfo = Schemas['UserInfo'];
/** A live room (GET /rooms, `rooms` envelope, welcome.rooms). */
export type RoomInfo = Schemas['RoomInfo'];
export type RoomMessagePage = Schemas['RoomMessagePage'];
export type PrivateMessagePage = Schemas['PrivateMessagePage'];
/** An answer of GET /search: results newest first, `more` older ones, the `terms` searched for. */
export type SearchPage = Schemas['SearchPage'];
/** A message a search found: a room's (`room`) or one of the caller's private threads' (`with`). */
export type SearchResult = Schemas['SearchResult'];
export type PostMessageRequest = Schemas['PostMessageRequest'];
export type ServerTime = Schemas['ServerTime'];
/** One `#` command as listed by `#help`, welcome.commands and GET /commands. */
export type HelpItem = Schemas['HelpItem'];

// WebSocket, client → server.
export type SendEnvelope = Schemas['SendEnvelope'];
export type PingEnvelope = Schemas['PingEnvelope'];
export type ClientEnvelope = Schemas['ClientEnvelope'];
/** `{"type":"receipt","last_id":N}`: the highest message id shown; no `id`, no answer. */
export type ReceiptEnvelope = Schemas['ReceiptEnvelope'];
export type EditEnvelope = Schemas['EditEnvelope'];
export type DeleteEnvelope = Schemas['DeleteEnvelope'];
export type ReactEnvelope = Schemas['ReactEnvelope'];
export type TypingClientEnvelope = Schemas['TypingClientEnvelope'];
/** `{"type":"read","id":…,"room"|"with":…,"message_id":N}`: the user has read up to N. */
export type ReadClientEnvelope = Schemas['ReadClientEnvelope'];

// WebSocket, server → client.
export type WelcomeEnvelope = Schemas['WelcomeEnvelope'];
export type JoinedEnvelope = Schemas['JoinedEnvelope'];
export type MessageEnvelope = Schemas['MessageEnvelope'];
export type PrivateEnvelope = Schemas['PrivateEnvelope'];
/** An edit, deletion or reaction of a message: an item of its conversation's stream. */
export type UpdateEnvelope = Schemas['UpdateEnvelope'];
/** Someone is typing in the connection's room (`room`) or to the user (`from`). */
export type TypingEnvelope = Schemas['TypingEnvelope'];
/** The user's read cursor of a conversation moved on another connection, with its counts after. */
export type ReadEnvelope = Schemas['ReadEnvelope'];
/** A message of a room the user is not in mentions them. */
export type MentionEnvelope = Schemas['MentionEnvelope'];
/** One conversation's unread state (welcome.unread, GET /unread). */
export type UnreadEntry = Schemas['UnreadEntry'];
export type UnreadList = Schemas['UnreadList'];
export type MentionPage = Schemas['MentionPage'];
/** One emoji on a message: how many put it, and who (in the order they reacted). */
export type Reaction = Schemas['Reaction'];
/** The message a reply answers: its id, author and first 100 characters. */
export type ReplySnippet = Schemas['ReplySnippet'];
/** A stored file: the answer to POST /uploads, and each of a message's `attachments`. */
export type Upload = Schemas['Upload'];
/** A file a message carries (the same shape as an upload). */
export type Attachment = Schemas['Upload'];
export type AckEnvelope = Schemas['AckEnvelope'];
export type PongEnvelope = Schemas['PongEnvelope'];
export type RoomsEnvelope = Schemas['RoomsEnvelope'];
export type RoomsChangedEnvelope = Schemas['RoomsChangedEnvelope'];
export type UsersEnvelope = Schemas['UsersEnvelope'];
export type EventEnvelope = Schemas['EventEnvelope'];
export type EventKind = EventEnvelope['kind'];
export type HelpEnvelope = Schemas['HelpEnvelope'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];
/** Any envelope the server sends; discriminated by `type`. */
export type ServerEnvelope = Schemas['ServerEnvelope'];
export type ServerEnvelopeType = ServerEnvelope['type'];
