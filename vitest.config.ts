import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Every suite talks to in-process servers on 127.0.0.1 only.
    testTimeout: 30_000,
  },
});
