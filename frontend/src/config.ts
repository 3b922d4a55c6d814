// The one place that reads the environment. Everything else imports `config`.

function origin(value: string | undefined): string {
  return (value ?? '').trim().replace(/\/+$/, '');
}

export const config = {
  /**
   * Origin of the Sala API and WebSocket: empty means the page's own origin (the Go binary
   * serves the SPA, and `npm run dev` proxies /api). Set `VITE_SALA_API` to use another backend.
   */
  apiBase: origin(import.meta.env.VITE_SALA_API),
  /** localStorage keys. */
  storage: {
    token: 'sala.token',
    user: 'sala.user',
    expiresAt: 'sala.expires_at',
    locale: 'sala.locale',
    /** sessionStorage (one per tab): the room this tab was in, to go back to after a reload. */
    room: 'sala.room',
  },
  /** Room history page size for infinite scroll. */
  pageSize: 50,
} as const;
