import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import { closeListener, listenOn } from '../common/http/side-listener';
import { AppConfig } from '../config/app-config';
import { RealtimeHub } from './realtime-hub';

/**
 * WEBSOCKET_PORT, when it differs from PORT (the specification runs its WebSocket server on
 * 3001): a second listener whose Socket.IO requests and upgrades are handed to the HTTP
 * server's own, so both ports reach the same Socket.IO server. Anything else there is a 404.
 */
@Injectable()
export class WebsocketPort implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private server: Server | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly httpHost: HttpAdapterHost,
    private readonly hub: RealtimeHub,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.WEBSOCKET_PORT;
    if (port === undefined || port === this.config.PORT) return;
    const main: Server = this.httpHost.httpAdapter.getHttpServer();
    const prefix = `${this.hub.io.path()}/`;
    const server = createServer((request, response) => {
      if (request.url?.startsWith(prefix)) main.emit('request', request, response);
      else response.writeHead(404).end();
    });
    server.on('upgrade', (request, socket, head) => main.emit('upgrade', request, socket, head));
    await listenOn(server, port);
    this.server = server;
    this.logger.log(`Socket.IO also on port ${port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await closeListener(server);
  }
}
