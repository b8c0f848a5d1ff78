import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// One multi-page build into dist/, served by the controller: each page is one entry of `input`
// (template/index.html → dist/template/index.html → /template/). Relative asset URLs, so a page works
// wherever the controller mounts dist/.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        template: resolve(import.meta.dirname, 'template/index.html'),
        // Operator pages (web/): dist/web/<page>.html, served by the controller at /<page>.
        director: resolve(import.meta.dirname, 'web/director.html'),
        graphics: resolve(import.meta.dirname, 'web/graphics.html'),
        camera: resolve(import.meta.dirname, 'web/camera.html'),
        commentary: resolve(import.meta.dirname, 'web/commentary.html'),
        watch: resolve(import.meta.dirname, 'web/watch.html'),
        console: resolve(import.meta.dirname, 'web/console.html'),
      },
    },
  },
});
