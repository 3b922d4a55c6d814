// What both apps need to show attachments (docs/protocol.md, "Uploads"): a message's files as
// an inline image at a bounded size or a named download with its size, and the composer's
// files on their way (uploading, done, failed, cancelled).
import { fill, texts, type Lang } from './texts';
import type { Attachment, Upload } from './types';

/** The most attachments one message carries (the server refuses more). */
export const MAX_ATTACHMENTS = 10;

/** The box an inline image fits in, CSS pixels / density-independent points. */
export const IMAGE_BOX = { width: 320, height: 240 } as const;

/** Raster types a browser shows in `<img>` and the server serves inline. */
const INLINE_IMAGE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
]);

/** One attachment as a message shows it. */
export type AttachmentView =
  | {
      kind: 'image';
      key: string;
      url: string;
      name: string;
      /** Shown size: the image's own, scaled down (never up) to fit the box. */
      width: number;
      height: number;
      /** The size in words ("1.2 MB"). */
      size: string;
    }
  | { kind: 'file'; key: string; url: string; name: string; size: string; contentType: string };

/** Options of {@link attachmentView}. */
export interface AttachmentViewOptions {
  /** The server's origin: an attachment's `url` is a path on it. Empty: same origin. */
  baseUrl?: string;
  /** The box an inline image fits in (IMAGE_BOX by default). */
  box?: { width: number; height: number };
}

/**
 * An attachment's view: a raster image with known dimensions shows inline, scaled to fit the
 * box keeping its ratio; anything else (an image without dimensions too) is a named file.
 */
export function attachmentView(
  a: Attachment,
  lang: Lang,
  options: AttachmentViewOptions = {},
): AttachmentView {
  const box = options.box ?? IMAGE_BOX;
  const url = fileUrl(a.url, options.baseUrl);
  const size = humanSize(a.size, lang);
  const w = a.width ?? 0;
  const h = a.height ?? 0;
  if (INLINE_IMAGE_TYPES.has(a.content_type) && w > 0 && h > 0) {
    const fitted = fitIn(w, h, box);
    return { kind: 'image', key: a.id, url, name: a.name, size, ...fitted };
  }
  return { kind: 'file', key: a.id, url, name: a.name, size, contentType: a.content_type };
}

/** A file's `url` (a path on the server) as an address the app can load. */
export function fileUrl(url: string, baseUrl = ''): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  return baseUrl.replace(/\/+$/, '') + url;
}

/** `width`×`height` scaled down (never up) to fit `box`, keeping the ratio, at least 1×1. */
export function fitIn(
  width: number,
  height: number,
  box: { width: number; height: number },
): { width: number; height: number } {
  const scale = Math.min(1, box.width / width, box.height / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

const UNITS = ['B', 'KB', 'MB', 'GB'] as const;

/**
 * A byte count in words, in 1024 steps: "980 B", "1.5 KB", "12 MB" (one decimal below 10, the
 * decimal separator of `lang`).
 */
export function humanSize(bytes: number, lang: Lang): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let digits: string;
  if (unit === 0) digits = String(Math.round(value));
  else if (value < 10) digits = (Math.round(value * 10) / 10).toFixed(1).replace(/\.0$/, '');
  else digits = String(Math.round(value));
  if (digits === '1024' && unit < UNITS.length - 1) {
    digits = '1';
    unit++;
  }
  return `${digits.replace('.', texts[lang].attachments.decimal)} ${UNITS[unit]}`;
}

/**
 * A file of the composer: `uploading` (with progress), `done` (its upload stored), `failed`
 * (error says why; retry or remove) or `cancelled` (called off; remove, or send without it).
 */
export interface PendingAttachment {
  key: string;
  /** The conversation whose composer holds it: 'room', or '@' and the other person's login. */
  where: string;
  name: string;
  size: number;
  type: string;
  state: 'uploading' | 'done' | 'failed' | 'cancelled';
  /** Bytes sent so far, of `total`. */
  loaded: number;
  total: number;
  /** The stored upload, once `done`. */
  upload?: Upload;
  /** Why it failed: the server's code and message (`network_error` when unreachable). */
  error?: { code: string; message: string };
}

/** A pending attachment's progress as a whole percentage, 0–100. */
export function uploadPercent(a: Pick<PendingAttachment, 'loaded' | 'total' | 'state'>): number {
  if (a.state === 'done') return 100;
  if (a.total <= 0) return 0;
  return Math.min(100, Math.floor((a.loaded / a.total) * 100));
}

/** What a composer says of one of its files in `lang`: "42%", "Failed: …", "Cancelled". */
export function attachmentStatus(a: PendingAttachment, lang: Lang): string {
  const t = texts[lang].attachments;
  switch (a.state) {
    case 'uploading':
      return fill(t.uploading, { percent: uploadPercent(a) });
    case 'done':
      return t.uploaded;
    case 'cancelled':
      return t.cancelled;
    case 'failed':
      return fill(t.failed, { reason: uploadErrorText(lang, a.error) });
  }
}

/** Why an upload failed, in `lang`; an unknown code keeps the server's message. */
export function uploadErrorText(lang: Lang, error: { code: string; message: string } | undefined) {
  const t = texts[lang].attachments.errors;
  if (!error) return t.network_error!;
  return t[error.code] ?? error.message;
}

/**
 * Whether a conversation's composer can send its files: none still uploading, none failed (a
 * failed file is retried or removed first, never dropped silently).
 */
export function attachmentsReady(list: readonly PendingAttachment[]): boolean {
  return list.every((a) => a.state === 'done' || a.state === 'cancelled');
}
