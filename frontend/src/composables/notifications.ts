// Browser notifications: asked for only when the user presses the button (a prompt on load is
// what browsers and people penalise), shown for a private message or a mention while the tab is
// hidden; a click brings the tab back on that conversation.
import { ref, watch, type Ref } from 'vue';
import type { Alert } from '@sala/sdk';

export type NotifyPermission = 'default' | 'granted' | 'denied' | 'unsupported';

function current(): NotifyPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export interface NotificationOptions {
  alert: Ref<Alert | null>;
  /** The notification's title and body for an alert. */
  describe: (a: Alert) => { title: string; body: string };
  /** Opens the conversation an alert is about. */
  open: (a: Alert) => void;
}

export function useNotifications(opts: NotificationOptions) {
  const permission = ref<NotifyPermission>(current());

  async function enable(): Promise<void> {
    if (permission.value === 'unsupported') return;
    permission.value = await Notification.requestPermission();
  }

  watch(opts.alert, (a) => {
    if (!a || permission.value !== 'granted' || document.visibilityState !== 'hidden') return;
    const { title, body } = opts.describe(a);
    const n = new Notification(title, { body, tag: `sala-${a.key}` });
    n.onclick = () => {
      window.focus();
      opts.open(a);
      n.close();
    };
  });

  return { permission, enable };
}
