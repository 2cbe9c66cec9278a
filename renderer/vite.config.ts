import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

// Built once, served by Electron (file://) and by `quantdesk serve` (http): relative base for both.
export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: join(here, '../out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
});
