import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { RealtimeAck, SelectableUserStatus } from '@app/contracts';
import { AppConfig } from '../config/app-config';
import { PresenceService } from './presence.service';
import { RealtimeHub } from './realtime-hub';
import { RealtimeSessionsService } from './realtime-sessions.service';
import type { RealtimeIo, RealtimeSocket } from './realtime-types';

/**
 * The Socket.IO endpoint (`/socket.io` on the HTTP port, and on WEBSOCKET_PORT when that
 * differs): authenticates the handshake, hands connections to the sessions service and
 * commands to theirs. Pushes are sent by the relays through the RealtimeHub.
 */
@WebSocketGateway({ serveClient: false })
export class RealtimeGateway implements OnGatewayInit<RealtimeIo>, OnGatewayConnection<RealtimeSocket>, OnGatewayDisconnect<RealtimeSocket> {
  private readonly logger = new Logger('Realtime');

  constructor(
    private readonly sessions: RealtimeSessionsService,
    private readonly presence: PresenceService,
    private readonly hub: RealtimeHub,
    private readonly config: AppConfig,
  ) {}

  afterInit(server: RealtimeIo): void {
    // The IO adapter links instances through Redis whenever REDIS_URL is set.
    this.hub.attach(server, Boolean(this.config.REDIS_URL));
    server.use((socket, next) => {
      this.sessions.authenticate(socket).then(
        () => next(),
        (error: Error) => next(error),
      );
    });
  }

  handleConnection(socket: RealtimeSocket): void {
    this.sessions.open(socket).catch((error: Error) => this.logger.error(`opening a connection failed: ${error.message}`));
  }

  handleDisconnect(socket: RealtimeSocket): void {
    this.sessions.close(socket);
  }

  @SubscribeMessage('set-status')
  setStatus(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() request: unknown): Promise<RealtimeAck<{ status: SelectableUserStatus }>> {
    return this.presence.choose(socket.data.user, request);
  }
}
