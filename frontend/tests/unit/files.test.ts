// The web app's files: the composer's picker, drop and paste, its progress and cancel, and a
// message's attachments (an image inline with its full view, any other file a download).
import { fireEvent, screen, within } from '@testing-library/vue';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Attachment, PendingAttachment } from '@sala/sdk';
import Composer from '../../src/components/Composer.vue';
import MessageAttachments from '../../src/components/MessageAttachments.vue';
import { commands } from './fakes';
import { renderApp } from './render';

const png = () =>
  new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'shot.png', { type: 'image/png' });

function pending(fields: Partial<PendingAttachment>): PendingAttachment {
  return {
    key: 'a1',
    where: 'room',
    name: 'shot.png',
    size: 2048,
    type: 'image/png',
    state: 'uploading',
    loaded: 512,
    total: 2048,
    ...fields,
  };
}

describe('Composer files', () => {
  it('takes files from the picker button', async () => {
    const user = userEvent.setup();
    const { emitted, container } = await renderApp(Composer, {
      props: { placeholder: 'x', commands },
    });
    const input = container.querySelector<HTMLInputElement>('input[type=file]')!;
    const button = screen.getByRole('button', { name: 'Attach files' });
    let opened = false;
    input.addEventListener('click', () => (opened = true));
    await user.click(button);
    expect(opened).toBe(true);
    const file = png();
    await user.upload(input, file);
    expect(emitted().attach).toEqual([[[file]]]);
  });

  it('takes dropped and pasted files', async () => {
    const { emitted, container } = await renderApp(Composer, {
      props: { placeholder: 'x', commands },
    });
    const form = container.querySelector('form')!;
    const file = png();
    const dataTransfer = { files: [file], types: ['Files'], dropEffect: 'none' };
    await fireEvent.dragOver(form, { dataTransfer });
    expect(screen.getByText('Drop files to attach them')).toBeTruthy();
    await fireEvent.drop(form, { dataTransfer });
    expect(screen.queryByText('Drop files to attach them')).toBeNull();
    await fireEvent.paste(screen.getByRole('textbox', { name: 'Message' }), {
      clipboardData: { files: [file] },
    });
    expect(emitted().attach).toEqual([[[file]], [[file]]]);
  });

  it('shows progress with a cancel while uploading, and sends only once every file is done', async () => {
    const user = userEvent.setup();
    const { emitted, rerender } = await renderApp(Composer, {
      props: { placeholder: 'x', commands, attachments: [pending({})] },
    });
    const bar = screen.getByRole('progressbar', { name: 'shot.png' }) as HTMLProgressElement;
    expect(bar.value).toBe(25);
    expect(screen.getByText('Uploading… 25%')).toBeTruthy();
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'look{Enter}');
    expect(emitted().send).toBeUndefined();
    expect(screen.getByText(/Wait until the files are uploaded/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Cancel upload: shot.png' }));
    expect(emitted().cancelFile).toEqual([['a1']]);

    await rerender({
      attachments: [
        pending({ state: 'failed', error: { code: 'payload_too_large', message: '' } }),
      ],
    });
    expect(screen.getByText('Failed: the file is too large.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(emitted().retryFile).toEqual([['a1']]);

    await rerender({ attachments: [pending({ state: 'done', loaded: 2048 })] });
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(emitted().send).toEqual([['look']]);
    await user.click(screen.getByRole('button', { name: 'Remove: shot.png' }));
    expect(emitted().removeFile).toEqual([['a1']]);
  });

  it('sends files without text', async () => {
    const user = userEvent.setup();
    const { emitted } = await renderApp(Composer, {
      props: { placeholder: 'x', commands, attachments: [pending({ state: 'done' })] },
    });
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(emitted().send).toEqual([['']]);
  });
});

describe('MessageAttachments', () => {
  const image: Attachment = {
    id: 'u1',
    name: 'shot.png',
    size: 1_572_864,
    content_type: 'image/png',
    url: '/api/v1/files/u1?exp=1&sig=s',
    width: 1280,
    height: 720,
  };
  const pdf: Attachment = {
    id: 'u2',
    name: 'plan.pdf',
    size: 2048,
    content_type: 'application/pdf',
    url: '/api/v1/files/u2?exp=1&sig=s',
  };

  it('shows an image inline at a bounded size; a click opens it full size, Escape closes', async () => {
    const user = userEvent.setup();
    await renderApp(MessageAttachments, { props: { attachments: [image], messageId: 1 } });
    const open = screen.getByRole('button', { name: 'Open shot.png at full size' });
    const img = within(open).getByRole('img', { name: 'shot.png' }) as HTMLImageElement;
    expect(img.getAttribute('src')).toBe(image.url);
    expect([img.width, img.height]).toEqual([320, 180]);
    await user.click(open);
    const dialog = screen.getByRole('dialog', { name: 'shot.png' });
    expect(within(dialog).getByRole('img', { name: 'shot.png' }).getAttribute('src')).toBe(
      image.url,
    );
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(open);
    await user.click(open);
    await user.click(screen.getByRole('dialog'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows any other file as a named download with its size', async () => {
    await renderApp(MessageAttachments, {
      props: { attachments: [pdf], messageId: 2 },
      locale: 'es',
    });
    const link = screen.getByRole('link', { name: 'Descargar plan.pdf (2 KB)' });
    expect(link.getAttribute('href')).toBe(pdf.url);
    expect(link.getAttribute('download')).toBe('plan.pdf');
    expect(link.textContent).toContain('plan.pdf');
  });
});
