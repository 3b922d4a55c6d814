import Ionicons from '@expo/vector-icons/Ionicons';
import {
  type Attachment,
  attachmentText,
  attachmentView,
  type AttachmentView,
  IMAGE_BOX,
} from '@sala/sdk';
import { useState } from 'react';
import {
  Image,
  Linking,
  Modal,
  Pressable,
  StyleSheet,
  Text,
  useWindowDimensions,
  View,
} from 'react-native';

import { useSession } from '@/features/auth/session';
import { useChatStore } from '@/features/chat/ChatProvider';
import { useI18n } from '@/i18n';
import { space, useTheme } from '@/ui/theme';

type ImageView = Extract<AttachmentView, { kind: 'image' }>;

/**
 * A message's files: raster images inline at a bounded size (a tap opens the full view), any
 * other file a named link that opens it in the browser, which downloads it.
 */
export function MessageAttachments({
  attachments,
  messageId,
}: {
  attachments: readonly Attachment[];
  messageId?: number;
}) {
  const store = useChatStore();
  const { language } = useI18n();
  const theme = useTheme();
  const baseUrl = useSession().session?.serverUrl ?? '';
  const [open, setOpen] = useState<ImageView | null>(null);
  // A bubble is at most 85% of the screen wide, less its padding: a narrow phone's box is
  // narrower than IMAGE_BOX, and the image keeps its ratio inside it.
  const { width: screenWidth } = useWindowDimensions();
  const box = {
    width: Math.max(80, Math.min(IMAGE_BOX.width, Math.floor(screenWidth * 0.85) - 2 * space.md)),
    height: IMAGE_BOX.height,
  };
  const views = attachments.map((a) => attachmentView(a, language, { baseUrl, box }));
  return (
    <View testID="message-files" style={styles.files}>
      {views.map((v) =>
        v.kind === 'image' ? (
          <Pressable
            key={v.key}
            testID="message-image"
            accessibilityRole="imagebutton"
            accessibilityLabel={attachmentText(language, 'openImage', { name: v.name })}
            onPress={() => setOpen(v)}>
            <Image
              testID="message-image-img"
              source={{ uri: v.url }}
              style={[styles.image, { width: v.width, height: v.height }]}
              resizeMode="cover"
              accessibilityIgnoresInvertColors
              // A signed link expires: a failed load fetches the message's fresh links.
              onError={() => messageId !== undefined && store?.refreshLinks(messageId)}
            />
          </Pressable>
        ) : (
          <Pressable
            key={v.key}
            testID="message-file"
            accessibilityRole="link"
            accessibilityLabel={attachmentText(language, 'download', {
              name: v.name,
              size: v.size,
            })}
            {...({ href: v.url } as object)}
            onPress={() => void Linking.openURL(v.url)}
            style={[styles.file, { borderColor: theme.border }]}>
            <Ionicons name="document-outline" size={18} color={theme.primary} />
            <Text numberOfLines={1} style={[styles.fileName, { color: theme.primary }]}>
              {v.name}
            </Text>
            <Text style={[styles.fileSize, { color: theme.textMuted }]}>{v.size}</Text>
          </Pressable>
        ),
      )}
      <FullImage image={open} onClose={() => setOpen(null)} />
    </View>
  );
}

/** An image at full size over everything: a tap, the close button or Back closes it. */
function FullImage({ image, onClose }: { image: ImageView | null; onClose: () => void }) {
  const { language } = useI18n();
  return (
    <Modal
      visible={image !== null}
      transparent
      animationType="fade"
      onRequestClose={onClose}
      statusBarTranslucent>
      {image ? (
        <Pressable
          testID="image-viewer"
          accessibilityLabel={image.name}
          onPress={onClose}
          style={styles.viewer}>
          <Image
            testID="image-viewer-image"
            source={{ uri: image.url }}
            style={styles.full}
            resizeMode="contain"
            accessibilityLabel={image.name}
          />
          <Text style={styles.viewerName}>{image.name}</Text>
          <Pressable
            testID="image-viewer-close"
            accessibilityRole="button"
            accessibilityLabel={attachmentText(language, 'close')}
            onPress={onClose}
            hitSlop={12}
            style={styles.viewerClose}>
            <Text style={styles.viewerCloseText}>✕</Text>
          </Pressable>
        </Pressable>
      ) : null}
    </Modal>
  );
}

const styles = StyleSheet.create({
  files: { gap: space.xs, marginTop: space.xs },
  image: { borderRadius: 8 },
  file: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: space.xs,
    borderWidth: StyleSheet.hairlineWidth,
    borderRadius: 8,
    paddingHorizontal: space.sm,
    paddingVertical: space.xs,
  },
  fileName: { flexShrink: 1, fontWeight: '600', textDecorationLine: 'underline' },
  fileSize: { fontSize: 12 },
  viewer: {
    flex: 1,
    backgroundColor: 'rgba(0,0,0,0.9)',
    alignItems: 'center',
    justifyContent: 'center',
    padding: space.md,
  },
  full: { width: '100%', height: '85%' },
  viewerName: { color: '#fff', marginTop: space.sm },
  viewerClose: { position: 'absolute', top: space.xl * 2, right: space.lg, padding: space.sm },
  viewerCloseText: { color: '#fff', fontSize: 22 },
});
