import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

const sdkDir = fileURLToPath(new URL('../sdk', import.meta.url));

// The dev server proxies /api to a local backend; `VITE_SALA_API` (read in src/config.ts)
// points the app at another origin instead.
const proxyTarget = process.env.SALA_DEV_PROXY ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [vue()],
  resolve: {
    // @sala/sdk is a symlink to ../sdk (TypeScript source): keep its real path so Vite compiles
    // it like our own code, and resolve its imports from here.
    preserveSymlinks: false,
  },
  server: {
    fs: { allow: ['.', sdkDir] },
    proxy: {
      '/api': {
        target: proxyTarget,
        changeOrigin: true,
        ws: true,
        // The backend accepts WebSocket upgrades from its own origin only (or
        // SALA_ALLOWED_ORIGINS): present the proxied requests as coming from it.
        configure: (proxy) => {
          proxy.on('proxyReq', (req) => req.setHeader('origin', proxyTarget));
          proxy.on('proxyReqWs', (req) => req.setHeader('origin', proxyTarget));
        },
      },
      '/healthz': { target: proxyTarget, changeOrigin: true },
    },
  },
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
  },
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.test.ts'],
    setupFiles: ['tests/unit/setup.ts'],
    restoreMocks: true,
  },
});
