// Builds the operator's console (console/src) into dist/console, which the server serves at /console/.
// Everything the page needs is bundled: no CDN, no request to any origin but the server's.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The AWS SDK clients are most of the bundle; one chunk for them keeps the console's own code small to revalidate.
    chunkSizeWarningLimit: 1500,
    // No inline module-preload polyfill or data: URLs: the Content-Security-Policy allows only files from the server.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
