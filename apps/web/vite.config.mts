import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built by the server (`npm start` / `npm run build:web`, which pass --outDir) into dist/web and
// served at /. `npm run web:dev` serves it with hot reload on :5173 against a server on :3000.
const server = 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  // @app/contracts (libs/contracts): the types and constants shared with the server, through tsconfig's paths.
  resolve: { tsconfigPaths: true },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // The libraries the first screen needs change less often than the app: their own chunk stays
    // cached across releases. The rest (the charts, most of the weight) is split off with the
    // lazily loaded statistics page.
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: 'vendor', test: /node_modules/, tags: ['$initial'] }] },
      },
    },
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
