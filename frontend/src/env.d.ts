/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the Sala backend for `npm run dev` against another server; empty = same origin. */
  readonly VITE_SALA_API?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
