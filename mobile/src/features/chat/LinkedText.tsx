import { messageSegments } from '@sala/sdk';
import { Linking, Platform, StyleSheet, Text, type TextProps } from 'react-native';

import { useI18n } from '@/i18n';

export interface LinkedTextProps extends Omit<TextProps, 'children'> {
  text: string;
  linkColor: string;
  /** The reader: mentions of them stand out (every mention is marked). */
  me?: string;
  /** The logins the server found mentioned (none for a send not stored yet: the text tells). */
  mentions?: readonly string[];
  mentionColor?: string;
}

// On the web a Text with `href` is an <a>: the browser opens it (in a new tab, with no opener,
// referrer or endorsement), so no onPress there; natively the press opens it with Linking.
const openInBrowser = (href: string): Pick<TextProps, 'onPress'> | object =>
  Platform.OS === 'web'
    ? { href, hrefAttrs: { target: '_blank', rel: 'noopener noreferrer nofollow' } }
    : { onPress: () => void Linking.openURL(href).catch(() => undefined) };

/**
 * A message's text with its web addresses (`http(s)://…`, `www.…`, as the SDK's `linkify`
 * finds them) as pressable links. Everything else stays plain text: the text is untrusted and
 * is never read as markup.
 */
export function LinkedText({
  text,
  linkColor,
  me,
  mentions,
  mentionColor = linkColor,
  style,
  ...rest
}: LinkedTextProps) {
  const { t } = useI18n();
  const segments = messageSegments(text, me, mentions);
  if (!segments.some((s) => s.type !== 'text')) {
    return (
      <Text style={style} {...rest}>
        {text}
      </Text>
    );
  }
  return (
    <Text style={style} {...rest}>
      {segments.map((s, i) =>
        s.type === 'mention' ? (
          <Text
            key={i}
            testID={s.me ? 'mention-me' : 'mention'}
            style={[
              styles.mention,
              { color: s.me ? '#1d1300' : linkColor },
              s.me ? { backgroundColor: mentionColor } : null,
            ]}>
            {s.text}
          </Text>
        ) : s.type === 'link' ? (
          <Text
            key={i}
            testID="message-link"
            accessibilityRole="link"
            accessibilityHint={t('chat.openLink')}
            style={[styles.link, { color: linkColor }]}
            {...openInBrowser(s.href)}>
            {s.text}
          </Text>
        ) : (
          s.text
        ),
      )}
    </Text>
  );
}

const styles = StyleSheet.create({
  link: { textDecorationLine: 'underline' },
  mention: { fontWeight: '700' },
});
