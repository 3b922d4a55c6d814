// @sala/sdk: Sala's shared TypeScript protocol client, for the web and mobile apps.
export * from './types';
export { ApiClient, ApiError, parseApiError, tokenCheck } from './api';
export type {
  ApiClientOptions,
  FetchLike,
  PageQuery,
  ResponseLike,
  ResponseOf,
  BodyOf,
} from './api';
export { ChatClient, RECEIPT_INTERVAL_MS, SEEN_KEPT } from './chat-client';
export {
  ChatModel,
  MENTIONS_KEPT,
  READ_INTERVAL_MS,
  attachmentsIn,
  emptyChatState,
  privateUnread,
  timeline,
  typingIn,
} from './chat-model';
export type {
  Alert,
  Announcement,
  MentionItem,
  NewMessagesLine,
  TypingPerson,
  ChatModelClient,
  ChatModelOptions,
  ChatModelState,
  ConversationLog,
  ConversationRef,
  Notice,
  NoticeBody,
  Paging,
  ShownPending,
  TimelineItem,
} from './chat-model';
export {
  COMMON_EMOJI,
  TYPING_INTERVAL_MS,
  TYPING_SHOWN_MS,
  applySnippet,
  applyUpdate,
  lastOwnMessage,
  reactedBy,
  reactionChoices,
  reactionLabel,
  typingText,
} from './conversation';
export type { AnyMessage } from './conversation';
export {
  IMAGE_BOX,
  MAX_ATTACHMENTS,
  attachmentStatus,
  attachmentView,
  attachmentsReady,
  fileUrl,
  fitIn,
  humanSize,
  uploadErrorText,
  uploadPercent,
} from './attachments';
export type { AttachmentView, AttachmentViewOptions, PendingAttachment } from './attachments';
export { UPLOAD_CANCELLED, uploadFile } from './uploads';
export type {
  FormDataCtor,
  FormDataLike,
  UploadInput,
  UploadOptions,
  UploadProgress,
  UploadTask,
  XhrCtor,
  XhrLike,
} from './uploads';
export {
  attachmentText,
  authErrorText,
  chatErrorText,
  commandDescription,
  conversationText,
  fieldErrorText,
  fieldErrorTexts,
  fill,
  noticeText,
  sentence,
  texts,
  usageText,
} from './texts';
export type { Lang } from './texts';
export {
  CLOSE_TOKEN_EXPIRED,
  TERMINAL_CLOSE_CODES,
  isTerminalClose,
  parseFrame,
  wsUrl,
} from './wire';
export type {
  BackoffOptions,
  ChatClientOptions,
  ChatError,
  ChatEvents,
  ConnectionState,
  ConnectionStatus,
  PendingMessage,
  PingOptions,
  SendOptions,
  Timers,
  WebSocketCtor,
  WebSocketLike,
} from './chat-types';
export { ClockSync } from './clock';
export type { ClockSample, ClockStats } from './clock';
export {
  MAX_TEXT_LENGTH,
  commandArgument,
  commandHints,
  commandWord,
  hintToComplete,
  isCommand,
  parsePrivateCommand,
  privateCommand,
  roomTextLength,
  textLength,
  typedCommand,
} from './commands';
export { Emitter } from './emitter';
export type { Unsubscribe } from './emitter';
export { fillGap } from './history';
export type { FillGapOptions, FillGapResult, HistoryPage } from './history';
export { mergeById, peerOf } from './messages';
export { applyRoomsChanged, isRoomName } from './rooms';
export { hasLink, linkify } from './links';
export {
  applyMention,
  findMentions,
  mentionedLogins,
  mentionChoices,
  mentionQuery,
  mentions,
  mentionsIn,
  messageSegments,
} from './mentions';
export type { MentionQuery, MessageSegment } from './mentions';
export {
  NO_UNREAD,
  afterRead,
  firstUnreadId,
  privateKey,
  roomKey,
  totalMentions,
  totalUnread,
  countLabel,
  unreadOf,
  unreadTitle,
} from './unread';
export type { UnreadCount, UnreadMap } from './unread';
export type { TextSegment } from './links';
export { compareNames, sortRooms } from './sort';
export { MessageSearch, emptySearch, highlight, resultConversation, resultRef } from './search';
export type { HighlightSegment, SearchState } from './search';
export type { HasId } from './messages';
