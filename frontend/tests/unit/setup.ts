import { cleanup } from '@testing-library/vue';
import { afterEach } from 'vitest';

// Vitest runs without globals, so Testing Library can't register its own cleanup.
afterEach(() => cleanup());
