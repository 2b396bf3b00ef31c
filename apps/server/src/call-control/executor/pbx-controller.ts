import { AmiActionGateway, AmiConnection, type AmiLogger, type AmiServerConfig } from '@app/ami';
import type { CallControlPbxSettings } from '../../config/app-config';
import { refused, type ControlCommand, type ControlNotice, type ControlOutcome } from '../control-protocol';
import { ControlContext, ControlMemory, type ControlledPbx } from './control-context';
import { HangupOperation } from './hangup-operation';
import { HoldOperation } from './hold-operation';
import { OriginateOperation } from './originate-operation';
import { PauseOperation } from './pause-operation';
import { RecordingOperation } from './recording-operation';
import { TransferOperation } from './transfer-operation';

export interface PbxControllerOptions {
  pbx: ControlledPbx;
  server: AmiServerConfig;
  settings: CallControlPbxSettings;
  confirmWithinMs: number;
  /** Overrides for the control login (tests shorten its timeouts), as the ingest's own login got them. */
  connection?: Partial<ConstructorParameters<typeof AmiConnection>[0]>;
  logger: AmiLogger;
}

/** How long a command waits for the control login when it is not up (the first command, a reconnect). */
const LOGIN_WAIT_MS = 3_000;

/**
 * Call control of one PBX, in the process that ingests it: its own AMI login with `Events: off`
 * (actions are answered at once even while the ingest's socket is paused or busy with a burst of
 * events; actions are never re-sent after a reconnect), the ingest's tracker for the live legs,
 * and the ingest's event stream for confirmations. The login opens with the first command and
 * then stays up (reconnecting by itself) for as long as this process controls the PBX: a
 * deployment that never uses call control keeps one AMI session per PBX.
 *
 * Commands on one call run one after another (also those of one user's extensions, for
 * click-to-call and pause): a second command sees the call as the first left it, so two
 * operators acting at once get one result each, in the order their commands arrived.
 */
export class PbxController {
  private readonly connection: AmiConnection;
  private readonly ctx: ControlContext;
  private readonly memory = new ControlMemory();
  private readonly holds: HoldOperation;
  private readonly transfers: TransferOperation;
  private readonly hangups: HangupOperation;
  private readonly recordings: RecordingOperation;
  private readonly originates: OriginateOperation;
  private readonly pauses: PauseOperation;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly stopObserving: () => void;

  constructor(private readonly options: PbxControllerOptions) {
    this.connection = new AmiConnection({ ...options.connection, server: options.server, events: 'off', logger: options.logger, actionIdPrefix: 'crm-ctl' });
    this.ctx = new ControlContext(options.pbx, new AmiActionGateway(this.connection), options.settings, this.memory, options.confirmWithinMs, options.logger);
    this.holds = new HoldOperation(this.ctx);
    this.transfers = new TransferOperation(this.ctx, this.holds);
    this.hangups = new HangupOperation(this.ctx, this.holds);
    this.recordings = new RecordingOperation(this.ctx);
    this.originates = new OriginateOperation(this.ctx);
    this.pauses = new PauseOperation(this.ctx);
    this.stopObserving = options.pbx.observe((msg, events) => {
      if (msg.name === 'Hangup' && this.memory.holds.size > 0) this.holds.legHungUp(msg.get('Uniqueid') ?? '');
      for (const event of events) if (event.type === 'ended') this.memory.forget(event.call.callId);
    });
  }

  get pbxId(): string {
    return this.options.pbx.pbxId;
  }

  async close(): Promise<void> {
    this.stopObserving();
    await this.connection.close();
  }

  /** Runs one command after the commands before it on the same call (or user). */
  run(command: ControlCommand, notify: (notice: ControlNotice) => void): Promise<ControlOutcome> {
    const key = 'call' in command ? command.call : `${command.op}:${command.actor.userId}`;
    const before = this.queues.get(key) ?? Promise.resolve();
    const turn = before.then(() => this.execute(command, notify));
    const tail = turn.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return turn;
  }

  private async execute(command: ControlCommand, notify: (notice: ControlNotice) => void): Promise<ControlOutcome> {
    const { pbx } = this.options;
    if (!pbx.following) return refused('PBX_UNAVAILABLE', `PBX ${this.pbxId} is not followed now (its ingest login is down); nothing was sent`);
    if (!(await this.loggedIn())) return refused('PBX_UNAVAILABLE', `The control login to PBX ${this.pbxId} is not up; nothing was sent`);
    switch (command.op) {
      case 'originate':
        return this.originates.originate({ userId: command.actor.userId, extension: command.extension, number: command.number, crmCallId: command.crmCallId }, notify);
      case 'pause':
        return this.pauses.pause({ extensions: command.actor.extensions, paused: command.paused, queue: command.queue, reason: command.reason });
      default:
        break;
    }
    const call = pbx.liveCall(command.call);
    if (!call) return refused('CALL_ENDED', 'The PBX has no such call in progress');
    switch (command.op) {
      case 'hold':
        return this.holds.hold(call, command.actor);
      case 'unhold':
        return this.holds.unhold(call, command.actor);
      case 'transfer':
        return this.transfers.start(call, command, notify);
      case 'transfer-complete':
        return this.transfers.complete(call, command.actor);
      case 'transfer-cancel':
        return this.transfers.cancel(call, command.actor);
      case 'hangup':
        return this.hangups.hangup(call, command.actor);
      case 'record':
        return command.on ? this.recordings.start(call, command.actor) : this.recordings.stop(call, command.actor);
    }
  }

  private async loggedIn(): Promise<boolean> {
    if (this.connection.isReady) return true;
    if (this.connection.state === 'closed') return false;
    return this.connection.start().ready(LOGIN_WAIT_MS).then(
      () => true,
      () => false,
    );
  }
}
