import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { defineConfig } from 'vite';

// The pages are served by the API under /ui/ (api/web.ts) from web/dist (ignored).
// Element Plus components and their styles are imported where a template uses them, and
// every page is its own chunk, so the first load carries only the sign-in page and the shell.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false })],
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Which chunk imports which: scripts/bench-web.ts measures what a first load fetches from it.
    manifest: true,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1', proxy: { '^/(?!ui/|@|src/|node_modules/).*': 'http://127.0.0.1:3000' } },
});
