import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamicModule, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { WEB_DIST_DIR } from './web-build';

/**
 * Paths that belong to the server, never to the single-page app: an unknown /api route must
 * answer the API's 404, not the UI's index.html (and so must Socket.IO and the metrics).
 */
export const SERVER_PATHS = /^\/(?:api|socket\.io|metrics)(?:\/|$)/;

/** Vite names every asset by its content hash, so assets are cached for good; index.html is revalidated. */
function cacheHeaders(res: { setHeader(name: string, value: string): void }, path: string): void {
  const immutable = /[\\/]assets[\\/]/.test(path);
  res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
}

class WebUiMissingNotice implements OnModuleInit {
  onModuleInit(): void {
    new Logger('Web').warn(`Web UI: ${WEB_DIST_DIR}/index.html is missing, so / serves nothing; run \`npm run build:web\``);
  }
}

/** Serves the built web UI (apps/web -> dist/web) at /, with client routes falling back to index.html. */
@Module({})
export class WebModule {
  static forRoot(dir = resolve(WEB_DIST_DIR)): DynamicModule {
    if (!existsSync(join(dir, 'index.html'))) return { module: WebModule, providers: [WebUiMissingNotice] };
    return {
      module: WebModule,
      imports: [ServeStaticModule.forRoot({ rootPath: dir, exclude: SERVER_PATHS, serveStaticOptions: { setHeaders: cacheHeaders } })],
    };
  }
}
