import { ApiError } from '@sala/sdk';

import type { Translate } from '@/i18n';

/** A failed REST call as the forms show it: a message for the form and one per field. */
export interface FormErrors {
  form?: string;
  fields: Record<string, string>;
}

/** Turns whatever a REST call threw into form errors. */
export function formErrors(err: unknown, t: Translate, serverUrl: string): FormErrors {
  if (err instanceof ApiError && err.status !== 0) {
    const fields = { ...err.fields };
    // A taken login is about the login field even when the server names no field.
    if (err.code === 'login_taken' && !fields.login) fields.login = err.message;
    // With field errors the message adds nothing ("some fields are invalid").
    return { form: Object.keys(fields).length ? undefined : err.message, fields };
  }
  return { form: t('auth.error.network', { url: serverUrl }), fields: {} };
}
