import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { APP_VERSION } from './common/app-version';
import { ApiExceptionFilter } from './common/errors/api-exception.filter';
import { NestPinoLogger, rootLogger } from './common/logging/app-logger';
import { ErrorResponseDto } from './common/errors/error-response.dto';
import { createValidationPipe } from './common/errors/validation';
import { ContentTypeGuard, refuseDeepJson, SafeTextPipe } from './common/input';
import { AppConfig } from './config/app-config';
import { HttpMetrics, METRICS_SECURITY } from './metrics';
import { RealtimeIoAdapter } from './realtime';

export const API_PREFIX = 'api';
export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';
const MAX_TEXT_BODY = '5mb';
/** Deeper than any DTO (a body, a list, an item: 3); far below what recursive code can walk. */
const MAX_JSON_DEPTH = 32;

/** The HTTP application (roles all and server), fully configured but not yet listening. */
export async function createHttpApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: new NestPinoLogger(rootLogger(config)) });
  // Timed first, so that what the other middleware answers (helmet, the body parsers) counts too.
  app.use(app.get(HttpMetrics).middleware());
  // Prometheus looks for /metrics at the root.
  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
  // request.ip (login limits, audit) is the client's only through proxies named in TRUST_PROXY.
  app.set('trust proxy', config.trustProxy);
  // No upgrade-insecure-requests: on a LAN the server is often plain HTTP, and the directive
  // would send the browser to https:// for the docs' and the web UI's own assets.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.enableCors({ origin: config.corsOrigins === '*' ? true : config.corsOrigins });
  // Registered before Nest's own JSON parser, which is then left out: this one refuses deep nesting unparsed.
  app.use(json({ verify: refuseDeepJson(MAX_JSON_DEPTH) }));
  // CSV imports may be posted as a text/csv body: kept as bytes, since the import reads UTF-16 too.
  app.useBodyParser('raw', { type: ['text/csv', 'text/plain'], limit: MAX_TEXT_BODY });
  app.useGlobalGuards(new ContentTypeGuard(app.get(Reflector)));
  app.useGlobalPipes(new SafeTextPipe(), createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config));
  setupSwagger(app);
  return app;
}

function setupSwagger(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Asterisk CRM API')
      .setDescription(
        'CRM telephony for Asterisk. Log in with POST /api/auth/login and send the token as "Authorization: Bearer <token>". ' +
          'Every error has the body ErrorResponse: { statusCode, error (code), message, details?, path, timestamp }. ' +
          'Live updates (incoming-call popups, call state, presence) come over Socket.IO at /socket.io with { auth: { token } }: ' +
          'see docs/realtime.md for the events.',
      )
      .setVersion(APP_VERSION)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN (GET /metrics only)' }, METRICS_SECURITY)
      .build(),
    { extraModels: [ErrorResponseDto] },
  );
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH, customSiteTitle: 'Asterisk CRM API' });
}
