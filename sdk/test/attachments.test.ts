import { describe, expect, it } from 'vitest';
import {
  IMAGE_BOX,
  applyUpdate,
  attachmentView,
  fitIn,
  humanSize,
  texts,
  uploadPercent,
  type Attachment,
  type MessageEnvelope,
} from '../src';

const png: Attachment = {
  id: 'u1',
  name: 'shot.png',
  size: 1_572_864,
  content_type: 'image/png',
  url: '/api/v1/files/u1?exp=1&sig=s',
  width: 1280,
  height: 720,
};

describe('humanSize', () => {
  it('counts in 1024 steps with one decimal below 10, in the language’s separator', () => {
    expect(humanSize(0, 'en')).toBe('0 B');
    expect(humanSize(980, 'en')).toBe('980 B');
    expect(humanSize(1536, 'en')).toBe('1.5 KB');
    expect(humanSize(1536, 'es')).toBe('1,5 KB');
    expect(humanSize(2048, 'en')).toBe('2 KB');
    expect(humanSize(12 * 1024 * 1024, 'en')).toBe('12 MB');
    expect(humanSize(1024 * 1024 - 1, 'en')).toBe('1 MB');
  });
});

describe('fitIn', () => {
  it('scales down to the box keeping the ratio, never up', () => {
    expect(fitIn(1280, 720, IMAGE_BOX)).toEqual({ width: 320, height: 180 });
    expect(fitIn(600, 2400, IMAGE_BOX)).toEqual({ width: 60, height: 240 });
    expect(fitIn(100, 50, IMAGE_BOX)).toEqual({ width: 100, height: 50 });
    expect(fitIn(10_000, 1, IMAGE_BOX)).toEqual({ width: 320, height: 1 });
  });
});

describe('attachmentView', () => {
  it('shows a raster image inline at a bounded size, with its url on the server', () => {
    expect(attachmentView(png, 'en', { baseUrl: 'https://chat.example/' })).toEqual({
      kind: 'image',
      key: 'u1',
      url: 'https://chat.example/api/v1/files/u1?exp=1&sig=s',
      name: 'shot.png',
      size: '1.5 MB',
      width: 320,
      height: 180,
    });
  });

  it('shows anything else, and an image without dimensions, as a named file', () => {
    const pdf = { ...png, name: 'plan.pdf', content_type: 'application/pdf', size: 2048 };
    delete pdf.width;
    delete pdf.height;
    expect(attachmentView(pdf, 'es')).toEqual({
      kind: 'file',
      key: 'u1',
      url: '/api/v1/files/u1?exp=1&sig=s',
      name: 'plan.pdf',
      size: '2 KB',
      contentType: 'application/pdf',
    });
    const noSize = { ...png };
    delete noSize.width;
    expect(attachmentView(noSize, 'en').kind).toBe('file');
    const svg = { ...png, content_type: 'application/octet-stream' };
    expect(attachmentView(svg, 'en').kind).toBe('file');
  });
});

describe('uploadPercent', () => {
  it('is whole percents, 100 once done', () => {
    expect(uploadPercent({ loaded: 0, total: 0, state: 'uploading' })).toBe(0);
    expect(uploadPercent({ loaded: 999, total: 1000, state: 'uploading' })).toBe(99);
    expect(uploadPercent({ loaded: 0, total: 0, state: 'done' })).toBe(100);
  });
});

describe('a deleted message', () => {
  it('keeps no files', () => {
    const m: MessageEnvelope = {
      type: 'message',
      id: 5,
      room: 'general',
      from: 'bob',
      text: '',
      sent_at: 1,
      client_id: '',
      attachments: [png],
    };
    const gone = applyUpdate(m, {
      type: 'update',
      id: 9,
      message_id: 5,
      kind: 'deleted',
      room: 'general',
      by: 'bob',
      at: 2,
    });
    expect(gone.deleted).toBe(true);
    expect(gone).not.toHaveProperty('attachments');
  });
});

describe('the words of files', () => {
  it('has the same upload error codes in every language', () => {
    const codes = (lang: 'en' | 'es') => Object.keys(texts[lang].attachments.errors).sort();
    expect(codes('es')).toEqual(codes('en'));
  });
});
