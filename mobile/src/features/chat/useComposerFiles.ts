import type { PendingAttachment } from '@sala/sdk';
import { useMemo } from 'react';

import { useChat, useChatStore } from './ChatProvider';
import type { ComposerProps } from './Composer';

const noFiles: readonly PendingAttachment[] = [];

/**
 * The Composer's file props for one conversation: `where` is 'room', or '@' and the other
 * person's login (as the SDK keys a composer's files). Files go to the conversation on screen.
 */
export function useComposerFiles(
  where: string,
): Pick<
  ComposerProps,
  'attachments' | 'onAttach' | 'onCancelFile' | 'onRemoveFile' | 'onRetryFile'
> {
  const store = useChatStore();
  const all = useChat((s) => s.attachments) ?? noFiles;
  const attachments = useMemo(() => all.filter((a) => a.where === where), [all, where]);
  return {
    attachments,
    onAttach: store ? (file) => void store.attach(file) : undefined,
    onCancelFile: (key) => store?.cancelAttachment(key),
    onRemoveFile: (key) => store?.removeAttachment(key),
    onRetryFile: (key) => store?.retryAttachment(key),
  };
}
