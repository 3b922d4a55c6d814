import { ApiError, authErrorText, fieldErrorTexts } from '@sala/sdk';

import type { Translate } from '@/i18n';

/** A failed REST call as the forms show it: a message for the form and one per field. */
export interface FormErrors {
  form?: string;
  fields: Record<string, string>;
}

/** Turns whatever a REST call threw into form errors. */
export function formErrors(err: unknown, t: Translate, serverUrl: string): FormErrors {
  if (err instanceof ApiError && err.status !== 0) {
    // Worded in the app's language from the codes (the SDK's words, shared with the web app);
    // a taken login is the login field's error even when the server names no field.
    const fields = fieldErrorTexts(t.language, err);
    // With field errors the message adds nothing ("some fields are invalid").
    return {
      form: Object.keys(fields).length ? undefined : authErrorText(t.language, err),
      fields,
    };
  }
  return { form: t('auth.error.network', { url: serverUrl }), fields: {} };
}
