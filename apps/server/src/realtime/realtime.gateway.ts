import { createParamDecorator, Logger, type ExecutionContext } from '@nestjs/common';
import {
  ConnectedSocket,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { CallControlAck, RealtimeAck, SelectableUserStatus } from '@app/contracts';
import { AppConfig } from '../config/app-config';
import { CallControlCommands } from './call-control-commands.service';
import { PresenceService } from './presence.service';
import { RealtimeHub } from './realtime-hub';
import { RealtimeSessionsService } from './realtime-sessions.service';
import type { RealtimeIo, RealtimeSocket } from './realtime-types';

/**
 * A command's payload as the client sent it. A custom parameter, so the global pipes (made for
 * HTTP bodies) leave it alone: their refusal would become a Socket.IO `exception` event and the
 * command would never be acknowledged. Each command checks its payload itself and acks the error.
 */
const CommandPayload = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => context.switchToWs().getData());

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
    private readonly control: CallControlCommands,
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
  setStatus(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<RealtimeAck<{ status: SelectableUserStatus }>> {
    return this.presence.choose(socket.data.user, request);
  }

  // Call control (docs/call-control.md): each acked once the PBX's events confirm it.

  @SubscribeMessage('transfer-call')
  transferCall(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.transfer(socket, request);
  }

  @SubscribeMessage('complete-transfer')
  completeTransfer(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.completeTransfer(socket, request);
  }

  @SubscribeMessage('cancel-transfer')
  cancelTransfer(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.cancelTransfer(socket, request);
  }

  @SubscribeMessage('hold-call')
  holdCall(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.hold(socket, request);
  }

  @SubscribeMessage('hangup-call')
  hangupCall(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.hangup(socket, request);
  }

  @SubscribeMessage('record-call')
  recordCall(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.record(socket, request);
  }

  @SubscribeMessage('originate-call')
  originateCall(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.originate(socket, request);
  }

  @SubscribeMessage('agent-pause')
  agentPause(@ConnectedSocket() socket: RealtimeSocket, @CommandPayload() request: unknown): Promise<CallControlAck> {
    return this.control.pause(socket, request);
  }
}
