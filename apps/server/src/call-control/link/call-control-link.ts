import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { RedisPubSub } from '../../call-events';
import { AppConfig } from '../../config/app-config';
import { refused, type ControlCommand, type ControlHandler, type ControlNotice, type ControlOutcome } from '../control-protocol';

/** How much longer than its confirmation deadline a requester waits for the controlling process. */
const ANSWER_GRACE_MS = 3_000;

interface Request {
  id: string;
  replyTo: string;
  command: ControlCommand;
}

type Reply = { id: string; type: 'outcome'; outcome: ControlOutcome } | { id: string; type: 'notice'; notice: ControlNotice };

interface Pending {
  resolve: (outcome: ControlOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * The way from a server process to the process that controls a PBX (docs/adr/0008-call-control.md).
 *
 * A PBX is controlled where it is ingested: the process holding its ingest lock follows its
 * calls, so it knows their live channels and sees the events that confirm a command. That
 * process `serve`s the PBX: in-process callers reach it directly, other processes through Redis
 * (a request channel per PBX, to which only the controlling process subscribes, and a reply
 * channel per requesting process). A PUBLISH that reaches nobody means no process controls the
 * PBX now: the command is refused at once, nothing was sent to the PBX.
 */
@Injectable()
export class CallControlLink implements OnApplicationShutdown {
  private readonly logger = new Logger('CallControl');
  private readonly handlers = new Map<string, ControlHandler>();
  private readonly pending = new Map<string, Pending>();
  private readonly noticeListeners = new Set<(notice: ControlNotice) => void>();
  private readonly prefix: string;
  private readonly replyChannel: string;
  private replies: Promise<void> | null = null;
  private replyHandler = false;

  constructor(
    config: AppConfig,
    @Optional() @Inject(RedisPubSub) private readonly redis: RedisPubSub | null,
  ) {
    this.prefix = `${config.redisKeyPrefix}call-control`;
    this.replyChannel = `${this.prefix}-reply:${randomUUID()}`;
  }

  /** PBXs whose commands this process runs. */
  get servedPbxIds(): string[] {
    return [...this.handlers.keys()];
  }

  /** This process controls `pbxId` from now on, until the returned function is called. */
  serve(pbxId: string, handler: ControlHandler): () => Promise<void> {
    this.handlers.set(pbxId, handler);
    const channel = this.requestChannel(pbxId);
    this.redis?.subscribe(channel, (value) => void this.take(pbxId, value as Request));
    return async () => {
      if (this.handlers.get(pbxId) !== handler) return;
      this.handlers.delete(pbxId);
      await this.redis?.unsubscribe(channel);
    };
  }

  /** Hands `notice`s of commands this process sent to `listener`. */
  onNotice(listener: (notice: ControlNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Runs the command where `pbxId` is controlled; `confirmWithinMs` is the command's own deadline. */
  async execute(pbxId: string, command: ControlCommand, confirmWithinMs: number): Promise<ControlOutcome> {
    const local = this.handlers.get(pbxId);
    if (local) return local(command, (notice) => this.announce(notice));
    if (!this.redis) return unavailable(pbxId);
    const id = randomUUID();
    try {
      await (this.replies ??= this.listenForReplies(this.redis));
    } catch (error) {
      // Not subscribed to our replies (Redis away): try again with the next command.
      this.replies = null;
      return refused('PBX_UNAVAILABLE', `The command could not be handed to the process controlling PBX ${pbxId} (Redis: ${(error as Error).message}); nothing was sent`);
    }
    const answer = new Promise<ControlOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(refused('NOT_CONFIRMED', `The process controlling PBX ${pbxId} did not answer within ${Math.round((confirmWithinMs + ANSWER_GRACE_MS) / 1000)} s: the outcome is unknown`));
      }, confirmWithinMs + ANSWER_GRACE_MS);
      this.pending.set(id, { resolve, timer });
    });
    let receivers: number;
    try {
      receivers = await this.redis.publishCounted(this.requestChannel(pbxId), { id, replyTo: this.replyChannel, command } satisfies Request);
    } catch (error) {
      this.settle(id, refused('PBX_UNAVAILABLE', `The command could not be handed to the process controlling PBX ${pbxId} (Redis: ${(error as Error).message}); nothing was sent`));
      return answer;
    }
    if (receivers === 0) this.settle(id, unavailable(pbxId));
    return answer;
  }

  onApplicationShutdown(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, refused('NOT_CONFIRMED', 'The server is shutting down: the outcome is unknown'));
  }

  private requestChannel(pbxId: string): string {
    return `${this.prefix}:${pbxId}`;
  }

  private async listenForReplies(redis: RedisPubSub): Promise<void> {
    if (!this.replyHandler) redis.subscribe(this.replyChannel, (value) => this.receive(value as Reply));
    this.replyHandler = true;
    await redis.ready(this.replyChannel);
  }

  /** A request from another process for a PBX this one serves. */
  private async take(pbxId: string, request: Request): Promise<void> {
    const handler = this.handlers.get(pbxId);
    if (!handler || typeof request?.id !== 'string' || typeof request.replyTo !== 'string') return;
    const reply = (message: Reply): void => {
      this.redis?.publishCounted(request.replyTo, message).catch((error: Error) => this.logger.warn(`a call-control answer was lost (Redis: ${error.message})`));
    };
    let outcome: ControlOutcome;
    try {
      outcome = await handler(request.command, (notice) => reply({ id: request.id, type: 'notice', notice }));
    } catch (error) {
      this.logger.error(`a ${request.command?.op} command failed: ${(error as Error).message}`);
      outcome = refused('NOT_CONFIRMED', 'The command failed in the process controlling the PBX: the outcome is unknown');
    }
    reply({ id: request.id, type: 'outcome', outcome });
  }

  private receive(reply: Reply): void {
    if (reply?.type === 'outcome') this.settle(reply.id, reply.outcome);
    else if (reply?.type === 'notice') this.announce(reply.notice);
  }

  private settle(id: string, outcome: ControlOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  private announce(notice: ControlNotice): void {
    for (const listener of this.noticeListeners) {
      try {
        listener(notice);
      } catch (error) {
        this.logger.error(`a call-control notice listener failed: ${(error as Error).message}`);
      }
    }
  }
}

function unavailable(pbxId: string): ControlOutcome {
  return refused('PBX_UNAVAILABLE', `No process controls PBX ${pbxId} now (its ingest is down, on standby or not logged in); nothing was sent`);
}
