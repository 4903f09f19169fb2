/// <reference types="vitest/config" />
// Build config for the Framecast pages, one entry each: the desktop UI
// (index.html, shown in the Wails window), the viewer page (viewer.html)
// and the grid of several streams (grid.html).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  // Relative asset URLs: the Go server serves dist/viewer.html at "/" and the
  // desktop webview may load it from elsewhere, so nothing may assume a root.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Vite 8 name for rollupOptions (which it still accepts as a deprecated alias).
    rolldownOptions: {
      input: {
        index: page('index.html'),
        viewer: page('viewer.html'),
        grid: page('grid.html'),
      },
    },
  },
  test: {
    // Unit tests only; the e2e/ suite runs under node:test against a real server.
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
