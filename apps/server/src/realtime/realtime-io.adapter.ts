import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config';

/**
 * Socket.IO as the configuration says: browser origins from WEBSOCKET_CORS_ORIGIN, and with
 * REDIS_URL the Redis adapter, so that several server instances form one Socket.IO cluster
 * (presence and session ends cross instances; fetchSockets sees every connection).
 */
export class RealtimeIoAdapter extends IoAdapter {
  private readonly redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.config.corsOrigins;
    const server = super.createIOServer(port, { ...options, cors: { origin: origins === '*' ? true : origins } } as ServerOptions);
    if (this.config.REDIS_URL) {
      const publisher = new Redis(this.config.REDIS_URL, { connectionName: 'crm-socket.io-publisher', maxRetriesPerRequest: 3 });
      const subscriber = publisher.duplicate({ connectionName: 'crm-socket.io-subscriber' });
      // Errors are retried by ioredis; the call-event bus already logs Redis being away.
      for (const client of [publisher, subscriber]) client.on('error', () => undefined);
      this.redisClients.push(publisher, subscriber);
      server.adapter(createAdapter(publisher, subscriber, { key: `${this.config.redisKeyPrefix}socket.io`, publishOnSpecificResponseChannel: true }));
    }
    return server;
  }

  override async dispose(): Promise<void> {
    await Promise.all(this.redisClients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
  }
}
