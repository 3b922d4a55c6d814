import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import pluginVue from 'eslint-plugin-vue';
import { defineConfigWithVueTs, vueTsConfigs } from '@vue/eslint-config-typescript';

export default defineConfigWithVueTs(
  { ignores: ['node_modules', 'dist', 'e2e/.artifacts'] },
  js.configs.recommended,
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.strict,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Text is always rendered as text: no v-html anywhere.
      'vue/no-v-html': 'error',
      'vue/multi-word-component-names': 'off',
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Use the SDK (ApiClient) through a store.' },
        { name: 'WebSocket', message: 'Use the SDK (ChatClient) through the chat store.' },
      ],
    },
  },
  {
    files: ['e2e/**', 'vite.config.ts', 'vitest.e2e.config.ts', 'tests/**'],
    rules: { 'no-restricted-globals': 'off' },
  },
);
