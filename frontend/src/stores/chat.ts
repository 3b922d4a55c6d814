// The chat session for Vue: a thin adapter over the SDK's ChatModel, which holds the
// conversations (rooms, private threads, pending sends, notices, paging) for both apps. This
// store keeps the model's snapshot in a shallowRef, names the parts the components read, and
// adds what is the web app's own: the tab's room in sessionStorage, log-out on an expired
// token, and reconnecting at once when the browser goes online or the tab comes back.
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import {
  ChatModel,
  MessageSearch,
  attachmentsIn,
  emptyChatState,
  emptySearch,
  privateKey,
  resultConversation,
  privateUnread,
  roomKey,
  timeline as timelineOf,
  totalMentions,
  totalUnread,
  typingIn,
  unreadOf,
  type ChatModelState,
  type ConversationLog,
  type PrivateEnvelope,
  type SearchResult,
  type SearchState,
} from '@sala/sdk';
import { config } from '../config';
import { salaServices } from '../services/sala';
import { saveRoom, savedRoom } from '../services/tabRoom';
import { useSessionStore } from './session';

export type { Notice, TimelineItem } from '@sala/sdk';
export type Thread = ConversationLog<PrivateEnvelope>;

export const useChatStore = defineStore('chat', () => {
  const session = useSessionStore();
  const idle = emptyChatState();
  const state = shallowRef<ChatModelState>(idle);
  let model: ChatModel | null = null;
  let detach: Array<() => void> = [];
  const searchState = shallowRef<SearchState>(emptySearch);
  let search: MessageSearch | null = null;

  /** The search box's results model, made on first use for the signed-in session. */
  function searcher(): MessageSearch {
    if (!search) {
      const m = new MessageSearch(session.api);
      m.subscribe(() => (searchState.value = m.getState()));
      search = m;
    }
    return search;
  }
  // What the message list said last: it may say so before the model exists (it mounts first).
  let newestVisible = false;

  const s = () => state.value;
  const status = computed(() => s().connection);
  const room = computed(() => s().room ?? '');
  const conversation = computed(() => s().active);
  const threads = computed(() => s().threads);
  const activeThread = computed<Thread | null>(() => {
    const a = s().active;
    return a.kind === 'private' ? (s().threads[a.login] ?? null) : null;
  });
  const log = computed(() => activeThread.value ?? s().roomLog);
  const paging = computed(() => {
    const a = s().active;
    return a.kind === 'private' && !activeThread.value ? null : log.value.paging;
  });

  /** Connects for the signed-in user (no-op when already started). */
  function start(): void {
    if (model) return;
    const services = salaServices();
    // A reload goes back to the room the tab was in, if it still lives.
    const client = services.chat(() => session.token, session.api, savedRoom());
    const m = new ChatModel({
      client,
      api: session.api,
      me: session.user?.login,
      pageSize: config.pageSize,
      onAuthLost: () => {
        stop();
        session.logout('auth.sessionExpired');
      },
    });
    model = m;
    m.subscribe(() => {
      const next = m.getState();
      if (next.room !== null && next.room !== state.value.room) saveRoom(next.room);
      state.value = next;
    });
    const again = () => {
      if (document.visibilityState !== 'hidden') m.reconnectNow();
    };
    // What is on screen is read only while the tab is shown and the window has the focus.
    const attention = () =>
      m.setFocused(document.visibilityState !== 'hidden' && document.hasFocus());
    window.addEventListener('online', again);
    document.addEventListener('visibilitychange', again);
    document.addEventListener('visibilitychange', attention);
    window.addEventListener('focus', attention);
    window.addEventListener('blur', attention);
    detach = [
      () => window.removeEventListener('online', again),
      () => document.removeEventListener('visibilitychange', again),
      () => document.removeEventListener('visibilitychange', attention),
      () => window.removeEventListener('focus', attention),
      () => window.removeEventListener('blur', attention),
    ];
    m.start();
    attention();
    m.setNewestVisible(newestVisible);
  }

  /** Disconnects and forgets everything (log out). */
  function stop(): void {
    for (const off of detach.splice(0)) off();
    model?.stop();
    model = null;
    search?.clear();
    search = null;
    saveRoom(null);
    state.value = idle;
  }

  /** After `closed` (e.g. #exit): connect again. While waiting to retry: retry now. */
  function reconnect(): void {
    if (model) model.reconnect();
    else start();
  }

  return {
    /** The model's latest snapshot (components read the names below). */
    state,
    status,
    clock: computed(() => s().clock),
    pending: computed(() => s().pending),
    commands: computed(() => s().commands),
    rooms: computed(() => s().rooms),
    users: computed(() => s().users),
    room,
    roomLog: computed(() => s().roomLog),
    /** The current room's unread messages. */
    roomUnread: computed(() => unreadOf(s().unread, roomKey(room.value)).count),
    /** A room's unread messages and mentions of me. */
    unreadIn: (name: string) => unreadOf(s().unread, roomKey(name)),
    /** A private thread's unread messages. */
    unreadWith: (login: string) => unreadOf(s().unread, privateKey(login)),
    /** Unread messages everywhere (the tab's title). */
    totalUnread: computed(() => totalUnread(s().unread)),
    /** Unread messages and mentions over the rooms other than the current one. */
    otherRoomsUnread: computed(
      () => totalUnread(s().unread, '#') - unreadOf(s().unread, roomKey(room.value)).count,
    ),
    roomMentions: computed(() => totalMentions(s().unread, '#')),
    /** Messages that mention me, newest first. */
    mentions: computed(() => s().mentions),
    /** Where the "New messages" line goes in the conversation on screen. */
    newMessagesId: computed(() => s().newMessages?.id ?? null),
    /** The latest private message or mention that needs me. */
    alert: computed(() => s().alert),
    threads,
    conversation,
    me: computed(() => s().me || session.user?.login || ''),
    defaultRoom: computed(() => s().defaultRoom),
    currentRoomInfo: computed(() => s().rooms.find((r) => r.name === room.value) ?? null),
    activeThread,
    totalPrivateUnread: computed(() => privateUnread(s())),
    timeline: computed(() => timelineOf(s())),
    hasMore: computed(() => paging.value?.hasMore ?? true),
    loadingOlder: computed(() => paging.value?.loading ?? false),
    // actions
    start,
    stop,
    reconnect,
    /** Who is typing in the conversation on screen. */
    typing: computed(() => typingIn(s())),
    /** The latest edit or deletion by someone else on screen, for screen readers. */
    announcement: computed(() => s().announcement),
    send: (text: string, replyTo?: number) => void model?.send(text, { replyTo }),
    /** The composer's files in the conversation on screen. */
    attachments: computed(() => attachmentsIn(s())),
    /** Uploads files into the composer of the conversation on screen. */
    attach: (files: readonly File[]) => {
      for (const f of files) model?.attach({ name: f.name, size: f.size, type: f.type, data: f });
    },
    cancelAttachment: (key: string) => model?.cancelAttachment(key),
    removeAttachment: (key: string) => model?.removeAttachment(key),
    retryAttachment: (key: string) => model?.retryAttachment(key),
    /** A file of a message on screen failed to load: fetch the message's fresh links. */
    refreshLinks: (messageId: number) => void model?.refreshLinks(messageId),
    edit: (messageId: number, text: string) => void model?.edit(messageId, text),
    deleteMessage: (messageId: number) => void model?.deleteMessage(messageId),
    react: (messageId: number, emoji: string) => void model?.react(messageId, emoji),
    /** The composer changed: tell the others (the SDK throttles). */
    typingNow: () => model?.typing(),
    createRoom: (name: string) => void model?.createRoom(name),
    joinRoom: (name: string) => void model?.joinRoom(name),
    leaveRoom: () => void model?.leaveRoom(),
    deleteRoom: (name: string) => void model?.deleteRoom(name),
    showHelp: () => void model?.showHelp(),
    refreshUsers: () => void model?.refreshUsers(),
    openRoom: () => model?.openRoom(),
    openPrivate: (login: string) => model?.openPrivate(login),
    /** The previous page of the conversation on screen; `retry` after a failed one. */
    loadOlder: (retry = false) => model?.loadOlder(undefined, retry) ?? Promise.resolve(),
    dismissNotice: (key: string) => model?.dismissNotice(key),
    /** The message list says whether its newest message is in view. */
    setNewestVisible: (visible: boolean) => {
      newestVisible = visible;
      model?.setNewestVisible(visible);
    },
    serverNow: () => model?.serverNow() ?? Date.now(),
    /** The search box: its query, results, matched words, paging. */
    search: searchState,
    /** The message to scroll to and mark (a search result opened), with a key per opening. */
    focus: computed(() => s().focus),
    searchMessages: (q: string) => searcher().search(q),
    searchMore: () => searcher().loadMore(),
    clearSearch: () => searcher().clear(),
    /** Opens a result in its conversation, history loaded around it; false if it could not be. */
    openResult: (r: SearchResult) =>
      model?.openMessage(resultConversation(r), r.id) ?? Promise.resolve(false),
  };
});
