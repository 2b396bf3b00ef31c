import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import type { CallControlAck, CallControlConfirmation } from '@app/contracts';
import {
  AgentPauseDto,
  CallControlService,
  OriginateCallDto,
  SocketCallDto,
  SocketHoldCallDto,
  SocketRecordCallDto,
  SocketTransferCallDto,
  type CommandSource,
} from '../call-control';
import { unsafeTextProblems } from '../common/input';
import { DomainError, ValidationFailedError } from '../common/errors/domain-error';
import { toFieldProblems } from '../common/errors/validation';
import { RealtimeHub } from './realtime-hub';
import { userRoom, type RealtimeSocket } from './realtime-types';

/**
 * The gateway's call-control commands: the payload checked like a REST body (the same DTOs,
 * unknown fields refused), the command run by the CallControlService, the answer as the ack.
 * What the user learns later (`call:originated`, `call:consultation`) is pushed to their
 * connections on every instance, whichever instance handed the command on.
 */
@Injectable()
export class CallControlCommands implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly control: CallControlService,
    private readonly hub: RealtimeHub,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.control.onNotice((notice) => this.hub.broadcast({ type: 'call-control', notice }));
    this.hub.onCluster((message) => {
      if (message.type !== 'call-control') return;
      const { notice } = message;
      const target = { to: [userRoom(notice.userId)] };
      if (notice.type === 'originated') this.hub.push({ target, event: 'call:originated', payload: notice.event });
      else this.hub.push({ target, event: 'call:consultation', payload: notice.event });
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  transfer(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, SocketTransferCallDto, payload, (source, { callId, ...target }) => this.control.transfer(source, Number(callId), target));
  }

  completeTransfer(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, SocketCallDto, payload, (source, r) => this.control.transferStep(source, Number(r.callId), 'complete'));
  }

  cancelTransfer(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, SocketCallDto, payload, (source, r) => this.control.transferStep(source, Number(r.callId), 'cancel'));
  }

  hold(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, SocketHoldCallDto, payload, (source, r) => this.control.hold(source, Number(r.callId), r.isHold));
  }

  hangup(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, SocketCallDto, payload, (source, r) => this.control.hangup(source, Number(r.callId)));
  }

  record(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, SocketRecordCallDto, payload, (source, r) => this.control.record(source, Number(r.callId), r.on));
  }

  originate(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, OriginateCallDto, payload, (source, r) => this.control.originate(source, r));
  }

  pause(socket: RealtimeSocket, payload: unknown): Promise<CallControlAck> {
    return this.run(socket, AgentPauseDto, payload, (source, r) => this.control.pause(source, r));
  }

  private async run<T extends object>(
    socket: RealtimeSocket,
    type: ClassConstructor<T>,
    payload: unknown,
    command: (source: CommandSource, request: T) => Promise<CallControlConfirmation>,
  ): Promise<CallControlAck> {
    try {
      const request = await checked(type, payload);
      const source: CommandSource = { user: socket.data.user, ip: socket.handshake.address || null };
      return { ok: true, ...(await command(source, request)) };
    } catch (error) {
      if (error instanceof DomainError) return { ok: false, error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
      this.logger.error(`a call-control command of ${socket.data.user.username} failed: ${(error as Error).message}`);
      return { ok: false, error: { code: 'UNAVAILABLE', message: 'The command could not be handled; try again' } };
    }
  }
}

/** The payload as its DTO, checked as the REST ValidationPipe checks a body. */
async function checked<T extends object>(type: ClassConstructor<T>, payload: unknown): Promise<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ValidationFailedError([{ field: 'payload', messages: ['the command needs an object payload'] }]);
  }
  const unsafe = unsafeTextProblems(payload);
  if (unsafe.length > 0) throw new ValidationFailedError(unsafe);
  const request = plainToInstance(type, payload);
  const errors = await validate(request, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new ValidationFailedError(toFieldProblems(errors));
  return request;
}
