import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { NestPinoLogger, rootLogger } from './common/logging/app-logger';
import { AppConfig } from './config/app-config';
import { loadConfigOrExit } from './config/load-config';
import { createHttpApp, DOCS_PATH } from './http-app';
import { ensureWebBuild } from './web';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

async function bootstrap(config: AppConfig): Promise<void> {
  const logger = new NestLogger('Bootstrap');
  // useProcessExit: exit 0 after the shutdown hooks (TypeORM closes, then embedded PostgreSQL stops).
  if (config.APP_ROLE === 'asterisk') {
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new NestPinoLogger(rootLogger(config)) });
    context.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });
    await context.init();
    logger.log(`Asterisk CRM started: role asterisk (AMI ingest)${config.TEST_MODE ? ', TEST_MODE' : ''}`);
    return;
  }
  // The README's `npm ci && npm start` is the whole setup: the web UI is built here when missing or outdated.
  await ensureWebBuild(process.cwd(), logger);
  const app = await createHttpApp(config);
  app.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });
  await app.listen(config.PORT);
  const base = `http://localhost:${config.PORT}`;
  logger.log(
    `Asterisk CRM started: role ${config.APP_ROLE}${config.TEST_MODE ? ', TEST_MODE' : ''}${config.demoEnabled ? ', demo mode' : ''}; ` +
      `web UI ${base}/, API ${base}/api, docs ${base}/${DOCS_PATH}, health ${base}/api/health`,
  );
}

const config = loadConfigOrExit();
bootstrap(config).catch((error: unknown) => {
  process.stderr.write(`Asterisk CRM failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
