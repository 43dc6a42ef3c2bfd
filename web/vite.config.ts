// The app is served by liboo itself, on the same origin as /api, /chat and /media. In
// development, Vite serves the app and forwards those paths to a running liboo
// (LIBOO_URL, default http://127.0.0.1:8080).
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

const liboo = process.env.LIBOO_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [preact()],
  worker: { format: 'es' },
  build: {
    target: 'es2020',
    // The build is embedded in the liboo binary: no source maps to ship.
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': liboo,
      '/media': liboo,
      '/chat': { target: liboo, ws: true },
      '/healthz': liboo,
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
