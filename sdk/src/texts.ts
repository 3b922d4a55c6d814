// The words both apps show for the server's machine-readable codes, in every language they speak:
// errors (WebSocket and REST), field errors, the model's own notices, and #help. One copy here;
// each app keeps only the words of its own screens. A code without words here (a newer
// server's) shows the server's English message, as a sentence.
import type { ApiError } from './api';
import type { FieldError, HelpItem } from './types';
import { commandWord } from './commands';

/** The languages the apps speak. */
export type Lang = 'en' | 'es';

interface Table {
  /** `error` envelopes by code. */
  chat: Record<string, string>;
  /** The same, naming the room or user the failed command was about, as {name}. */
  chatAbout: Record<string, string>;
  /** REST errors of the account forms by code; {message} is the server's. */
  auth: Record<string, string>;
  /** Field errors by code; {min}, {max}, {values}. */
  field: Record<string, string>;
  /** Notices the model makes itself. */
  notice: { alreadyInRoom: string; gap: string };
  /** The words of a conversation's actions and marks, the same in both apps. */
  conversation: {
    typingOne: string;
    typingTwo: string;
    typingMany: string;
    you: string;
    edited: string;
    deleted: string;
    reply: string;
    edit: string;
    delete: string;
    react: string;
    actions: string;
    confirmDelete: string;
    cancel: string;
    save: string;
    replyingTo: string;
    editing: string;
    /** Said politely to screen readers. */
    editedBy: string;
    deletedBy: string;
    /** A reaction chip's accessible name: {emoji}, {count}, {users}. */
    reactionLabel: string;
    /** "in reply to alice": the snippet's label. */
    inReplyTo: string;
  };
  /** The words of files: the composer's uploads and a message's attachments. */
  attachments: {
    /** The decimal separator of sizes ("1.5 MB"). */
    decimal: string;
    attach: string;
    /** Shown over the composer while files are dragged over it. */
    dropHere: string;
    /** {percent}. */
    uploading: string;
    uploaded: string;
    cancelled: string;
    /** {reason}. */
    failed: string;
    cancel: string;
    remove: string;
    retry: string;
    /** Sending waits for these. */
    waitForUploads: string;
    /** {max}. */
    tooMany: string;
    /** An inline image's accessible name: {name}. */
    openImage: string;
    close: string;
    /** A file link's accessible name: {name}, {size}. */
    download: string;
    /** Why an upload failed, by error code. */
    errors: Record<string, string>;
  };
  /** #help's descriptions by command word. */
  commands: Record<string, string>;
  /** The words of a command usage's placeholders (`<room>`), and the `invalid_command` text. */
  usage: Record<string, string>;
}

const en: Table = {
  chat: {
    room_not_found: 'There is no live room with that name.',
    room_exists: 'A room with that name already exists.',
    invalid_room_name: 'Room names are 1–32 letters, digits, - or _.',
    not_room_owner: 'Only the room’s creator can delete it.',
    cannot_delete_default: 'The default room cannot be deleted.',
    user_not_found: 'There is no user with that login.',
    unknown_command: 'Unknown command. Type #help to see them all.',
    invalid_text: 'Messages are 1–4000 characters and not only spaces.',
    rate_limited: 'You are sending too fast. Wait a moment.',
    not_sent: 'Not sent: the room was gone after the reconnect.',
    unavailable: 'The server is busy. Try again.',
    message_not_found: 'That message is gone or was deleted.',
    not_author: 'Only its author can change that message.',
    invalid_emoji: 'A reaction is one emoji.',
    attachment_not_found: 'An attached file is gone: attach it again.',
    not_upload_owner: 'Only the person who uploaded a file can attach it.',
    too_many_attachments: 'A message carries at most 10 files.',
  },
  chatAbout: {
    room_not_found: 'There is no live room named “{name}”.',
    room_exists: 'A room named “{name}” already exists.',
    invalid_room_name: '“{name}” is not a room name: use 1–32 letters, digits, - or _.',
    not_room_owner: 'Only the creator of “{name}” can delete it.',
    cannot_delete_default: '“{name}” is the default room: it cannot be deleted.',
    user_not_found: 'There is no user with the login “{name}”.',
    not_sent: 'Not sent: the room “{name}” was gone after the reconnect.',
  },
  auth: {
    invalid_credentials: 'Wrong login or password.',
    login_taken: 'This login is already taken.',
    validation_failed: 'Some fields need fixing.',
    rate_limited: 'Too many attempts. Try again in a moment.',
    network_error: 'Cannot reach the server. Check your connection.',
    generic: 'Something went wrong: {message}',
  },
  field: {
    required: 'Required.',
    min: 'Must be at least {min}.',
    max: 'Must be at most {max}.',
    min_length: 'Use at least {min} characters.',
    max_length: 'Use at most {max} characters.',
    pattern: 'Contains characters that are not allowed.',
    one_of: 'Choose one of: {values}.',
    taken: 'This login is already taken.',
    invalid: 'This value is not valid.',
  },
  notice: {
    alreadyInRoom: 'You are already in {room}.',
    gap: 'Some earlier messages could not be loaded.',
  },
  conversation: {
    typingOne: '{a} is typing…',
    typingTwo: '{a} and {b} are typing…',
    typingMany: '{a}, {b} and {n} more are typing…',
    you: 'you',
    edited: 'edited',
    deleted: 'message deleted',
    reply: 'Reply',
    edit: 'Edit',
    delete: 'Delete',
    react: 'React',
    actions: 'Message actions',
    confirmDelete: 'Delete this message for everyone?',
    cancel: 'Cancel',
    save: 'Save',
    replyingTo: 'Replying to {name}',
    editing: 'Editing your message',
    editedBy: '{name} edited a message',
    deletedBy: '{name} deleted a message',
    reactionLabel: '{emoji} {count}: {users}',
    inReplyTo: 'In reply to {name}',
  },
  attachments: {
    decimal: '.',
    attach: 'Attach files',
    dropHere: 'Drop files to attach them',
    uploading: 'Uploading… {percent}%',
    uploaded: 'Ready',
    cancelled: 'Cancelled',
    failed: 'Failed: {reason}',
    cancel: 'Cancel upload',
    remove: 'Remove',
    retry: 'Retry',
    waitForUploads: 'Wait until the files are uploaded, or remove the failed ones.',
    tooMany: 'A message carries at most {max} files.',
    openImage: 'Open {name} at full size',
    close: 'Close',
    download: 'Download {name} ({size})',
    errors: {
      payload_too_large: 'the file is too large.',
      network_error: 'the server could not be reached.',
      cancelled: 'cancelled.',
      rate_limited: 'too many uploads; try again in a moment.',
      unauthorized: 'sign in again.',
      unsupported_media_type: 'the upload was not a file.',
    },
  },
  commands: {
    cR: 'create a room you own and move into it',
    gR: 'move into an existing room',
    eR: 'go back to the default room',
    lR: 'list the live rooms with their number of participants (also #IR)',
    dR: 'delete a room you created; its members go back to the default room',
    show: 'list every registered user, online or not, and their room',
    private: 'send a private message (also #\\private)',
    help: 'list the commands',
    exit: 'leave the chat (closes the connection)',
  },
  usage: { room: 'room', login: 'login', text: 'text', invalid_command: 'Usage: {usage}' },
};

const es: Table = {
  chat: {
    room_not_found: 'No hay ninguna sala activa con ese nombre.',
    room_exists: 'Ya existe una sala con ese nombre.',
    invalid_room_name: 'Los nombres de sala tienen 1–32 letras, cifras, - o _.',
    not_room_owner: 'Solo quien creó la sala puede borrarla.',
    cannot_delete_default: 'La sala principal no se puede borrar.',
    user_not_found: 'No hay ningún usuario con ese nombre.',
    unknown_command: 'Comando desconocido. Escribe #help para verlos todos.',
    invalid_text: 'Los mensajes tienen 1–4000 caracteres y no solo espacios.',
    rate_limited: 'Estás enviando demasiado rápido. Espera un momento.',
    not_sent: 'No enviado: la sala ya no existía al reconectar.',
    unavailable: 'El servidor está ocupado. Inténtalo de nuevo.',
    message_not_found: 'Ese mensaje ya no existe o se borró.',
    not_author: 'Solo quien lo escribió puede cambiar ese mensaje.',
    invalid_emoji: 'Una reacción es un solo emoji.',
    attachment_not_found: 'Un archivo adjunto ya no existe: adjúntalo de nuevo.',
    not_upload_owner: 'Solo quien subió un archivo puede adjuntarlo.',
    too_many_attachments: 'Un mensaje lleva como máximo 10 archivos.',
  },
  chatAbout: {
    room_not_found: 'No hay ninguna sala activa llamada «{name}».',
    room_exists: 'Ya existe una sala llamada «{name}».',
    invalid_room_name: '«{name}» no es un nombre de sala: usa 1–32 letras, cifras, - o _.',
    not_room_owner: 'Solo quien creó «{name}» puede borrarla.',
    cannot_delete_default: '«{name}» es la sala principal: no se puede borrar.',
    user_not_found: 'No hay ningún usuario con el login «{name}».',
    not_sent: 'No enviado: la sala «{name}» ya no existía al reconectar.',
  },
  auth: {
    invalid_credentials: 'Usuario o contraseña incorrectos.',
    login_taken: 'Ese usuario ya existe.',
    validation_failed: 'Hay campos que corregir.',
    rate_limited: 'Demasiados intentos. Prueba dentro de un momento.',
    network_error: 'No se puede contactar con el servidor. Revisa tu conexión.',
    generic: 'Algo ha fallado: {message}',
  },
  field: {
    required: 'Obligatorio.',
    min: 'Debe ser como mínimo {min}.',
    max: 'Debe ser como máximo {max}.',
    min_length: 'Usa al menos {min} caracteres.',
    max_length: 'Usa como máximo {max} caracteres.',
    pattern: 'Tiene caracteres no permitidos.',
    one_of: 'Elige uno de: {values}.',
    taken: 'Ese usuario ya existe.',
    invalid: 'Este valor no es válido.',
  },
  notice: {
    alreadyInRoom: 'Ya estás en {room}.',
    gap: 'No se pudieron cargar algunos mensajes anteriores.',
  },
  conversation: {
    typingOne: '{a} está escribiendo…',
    typingTwo: '{a} y {b} están escribiendo…',
    typingMany: '{a}, {b} y {n} más están escribiendo…',
    you: 'tú',
    edited: 'editado',
    deleted: 'mensaje borrado',
    reply: 'Responder',
    edit: 'Editar',
    delete: 'Borrar',
    react: 'Reaccionar',
    actions: 'Acciones del mensaje',
    confirmDelete: '¿Borrar este mensaje para todos?',
    cancel: 'Cancelar',
    save: 'Guardar',
    replyingTo: 'Respondiendo a {name}',
    editing: 'Editando tu mensaje',
    editedBy: '{name} editó un mensaje',
    deletedBy: '{name} borró un mensaje',
    reactionLabel: '{emoji} {count}: {users}',
    inReplyTo: 'En respuesta a {name}',
  },
  attachments: {
    decimal: ',',
    attach: 'Adjuntar archivos',
    dropHere: 'Suelta los archivos para adjuntarlos',
    uploading: 'Subiendo… {percent} %',
    uploaded: 'Listo',
    cancelled: 'Cancelado',
    failed: 'Error: {reason}',
    cancel: 'Cancelar la subida',
    remove: 'Quitar',
    retry: 'Reintentar',
    waitForUploads: 'Espera a que se suban los archivos, o quita los que fallaron.',
    tooMany: 'Un mensaje lleva como máximo {max} archivos.',
    openImage: 'Abrir {name} a tamaño completo',
    close: 'Cerrar',
    download: 'Descargar {name} ({size})',
    errors: {
      payload_too_large: 'el archivo es demasiado grande.',
      network_error: 'no se pudo contactar con el servidor.',
      cancelled: 'cancelado.',
      rate_limited: 'demasiadas subidas; prueba dentro de un momento.',
      unauthorized: 'vuelve a iniciar sesión.',
      unsupported_media_type: 'lo subido no era un archivo.',
    },
  },
  commands: {
    cR: 'crea una sala tuya y entra en ella',
    gR: 'entra en una sala que ya existe',
    eR: 'vuelve a la sala principal',
    lR: 'lista las salas activas con cuántas personas hay (también #IR)',
    dR: 'borra una sala que creaste; quienes estén en ella vuelven a la sala principal',
    show: 'lista todas las personas registradas, conectadas o no, y su sala',
    private: 'envía un mensaje privado (también #\\private)',
    help: 'lista los comandos',
    exit: 'sal del chat (cierra la conexión)',
  },
  usage: { room: 'sala', login: 'usuario', text: 'texto', invalid_command: 'Uso: {usage}' },
};

/** Every language's table. */
export const texts: Record<Lang, Table> = { en, es };

/** Replaces `{name}` by params.name. */
export function fill(text: string, params: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** A server's fragment ("is taken") as a sentence ("Is taken."). */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const first = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/**
 * An `error` envelope in `lang`: naming what the failed command was about when known
 * (`about`), by its code otherwise; `invalid_command` shows its usage with translated
 * placeholders; an unknown code keeps the server's message.
 */
export function chatErrorText(
  lang: Lang,
  e: { code: string; message: string; about?: string },
): string {
  const t = texts[lang];
  const about = t.chatAbout[e.code];
  if (e.about !== undefined && about) return fill(about, { name: e.about });
  const plain = t.chat[e.code];
  if (plain) return plain;
  const usage = /usage:\s*(.+)$/i.exec(e.message)?.[1];
  if (e.code === 'invalid_command' && usage) {
    return fill(t.usage.invalid_command!, { usage: usageText(lang, usage) });
  }
  return sentence(e.message);
}

/** A failed login or sign-up as a sentence in `lang` (status 0: the network). */
export function authErrorText(lang: Lang, e: unknown): string {
  const t = texts[lang].auth;
  const code = isApiError(e) ? (e.status === 0 ? 'network_error' : e.code) : undefined;
  if (code && t[code]) return t[code];
  const message = e instanceof Error ? e.message : String(e);
  return fill(t.generic!, { message });
}

/** One field error in `lang`; an unknown code keeps the server's English (`fallback`). */
export function fieldErrorText(lang: Lang, error: FieldError | undefined, fallback = ''): string {
  const words = error ? texts[lang].field[error.code] : undefined;
  if (!error || !words) return sentence(fallback);
  return fill(words, {
    min: error.min ?? '',
    max: error.max ?? '',
    values: (error.values ?? []).join(', '),
  });
}

/**
 * The field errors of a failed REST call in `lang`, by field: worded from `field_errors`, else
 * the server's `fields`; a taken login is the login field's error.
 */
export function fieldErrorTexts(lang: Lang, e: unknown): Record<string, string> {
  if (!isApiError(e)) return {};
  const out: Record<string, string> = {};
  for (const name of new Set([...Object.keys(e.fields), ...Object.keys(e.fieldErrors)])) {
    out[name] = fieldErrorText(lang, e.fieldErrors[name], e.fields[name]);
  }
  if (e.code === 'login_taken' && !out.login) out.login = texts[lang].field.taken!;
  return out;
}

/** A #help description in `lang`; a command without words here keeps the server's. */
export function commandDescription(lang: Lang, c: Pick<HelpItem, 'command' | 'description'>) {
  return texts[lang].commands[commandWord(c)] ?? c.description;
}

/** A command usage with its placeholders in `lang`: `#gR <sala>` for `#gR <room>`. */
export function usageText(lang: Lang, usage: string): string {
  const words = texts[lang].usage;
  return usage.replace(/<(\w+)>/g, (whole, name: string) =>
    name in words ? `<${words[name]}>` : whole,
  );
}

/** A model notice's words (`alreadyInRoom`, `gap`) in `lang`. */
export function noticeText(
  lang: Lang,
  key: keyof Table['notice'],
  params?: Record<string, string>,
): string {
  return fill(texts[lang].notice[key], params);
}

/** A conversation word (`edited`, `reply`, `replyingTo`…) in `lang`, with its {params}. */
export function conversationText(
  lang: Lang,
  key: keyof Table['conversation'],
  params?: Record<string, string | number>,
): string {
  return fill(texts[lang].conversation[key], params);
}

/** A word of files (`attach`, `remove`, `openImage`…) in `lang`, with its {params}. */
export function attachmentText(
  lang: Lang,
  key: Exclude<keyof Table['attachments'], 'errors'>,
  params?: Record<string, string | number>,
): string {
  return fill(texts[lang].attachments[key], params);
}

function isApiError(e: unknown): e is ApiError {
  return e instanceof Error && e.name === 'ApiError';
}
