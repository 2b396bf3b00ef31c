import { AmiConnection } from '../connection/ami-connection';
import { AmiConnectionClosedError, AmiConnectionLostError, AmiNotConnectedError } from '../protocol/ami-errors';
import { AmiMessage } from '../protocol/ami-message';
import { AmiActionResult } from './ami-action-result';
import {
  AmiActionSpec,
  amiActions,
  AtxferParams,
  BlindTransferParams,
  BridgeParams,
  CancelAtxferParams,
  GetvarParams,
  HangupParams,
  MixMonitorMuteParams,
  MixMonitorParams,
  MonitorParams,
  OriginateParams,
  ParkParams,
  QueuePauseParams,
  RedirectParams,
  SetvarParams,
  StatusParams,
  StopMixMonitorParams,
} from './ami-actions';

export interface AmiActionGatewayOptions {
  /** Per-action timeout unless a call says otherwise, retries included (default 10 s). */
  timeoutMs?: number;
  /** How many times a read is sent again after a lost connection (default 2). */
  readRetries?: number;
}

export interface AmiCallOptions {
  timeoutMs?: number;
}

/**
 * Typed AMI actions over one connection.
 *
 * Retry policy, the part that matters: a read (`Ping`, `Getvar`, `Status`,
 * `CoreShowChannels`) that meets a lost or not-yet-up connection waits for the
 * next login and is sent again, within its timeout. Anything else is sent at most
 * once: if the connection is down it fails at once with `AMI_NOT_CONNECTED`
 * (nothing happened), and if the connection drops after it was written it fails
 * with `AMI_CONNECTION_LOST` ("outcome unknown") and is never re-sent, because the
 * PBX may already have hung up, transferred or dialled.
 */
export class AmiActionGateway {
  private readonly timeoutMs: number;
  private readonly readRetries: number;

  constructor(
    readonly connection: AmiConnection,
    options: AmiActionGatewayOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.readRetries = options.readRetries ?? 2;
  }

  get pbxId(): string {
    return this.connection.pbxId;
  }

  async send(spec: AmiActionSpec, options: AmiCallOptions = {}): Promise<AmiActionResult> {
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    for (let attempt = 0; ; attempt++) {
      try {
        if (spec.idempotent && !this.connection.isReady) await this.waitForLogin(spec, deadline);
        return await this.connection.send(spec, { timeoutMs: remaining(deadline) });
      } catch (error) {
        const retriable = error instanceof AmiConnectionLostError || error instanceof AmiNotConnectedError;
        if (!spec.idempotent || !retriable || attempt >= this.readRetries || Date.now() >= deadline) throw error;
      }
    }
  }

  async ping(options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.ping(), options);
  }

  /** Closes the connection with a `Logoff` (it does not reconnect afterwards). */
  async logoff(): Promise<void> {
    await this.connection.close();
  }

  async redirect(params: RedirectParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.redirect(params), options);
  }

  async blindTransfer(params: BlindTransferParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.blindTransfer(params), options);
  }

  /** "Queued" is not "done": the transfer shows in later events (or not). */
  async atxfer(params: AtxferParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.atxfer(params), options);
  }

  /** The transferer goes back to the held party; the consulted target is hung up. */
  async cancelAtxfer(params: CancelAtxferParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.cancelAtxfer(params), options);
  }

  async hangup(params: HangupParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.hangup(params), options);
  }

  /**
   * With `async` (the default) this resolves on "Originate successfully queued"; the
   * outcome comes later as an `OriginateResponse` event carrying the same ActionID
   * (`result.actionId`) and the preset `channelId` on the ingest connection.
   */
  async originate(params: OriginateParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.originate(params), options);
  }

  async park(params: ParkParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.park(params), options);
  }

  async bridge(params: BridgeParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.bridge(params), options);
  }

  async mixMonitor(params: MixMonitorParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.mixMonitor(params), options);
  }

  async stopMixMonitor(params: StopMixMonitorParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.stopMixMonitor(params), options);
  }

  async mixMonitorMute(params: MixMonitorMuteParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.mixMonitorMute(params), options);
  }

  async monitor(params: MonitorParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.monitor(params), options);
  }

  async stopMonitor(params: { channel: string }, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.stopMonitor(params), options);
  }

  /** Pauses a queue member (the seed's "hold" action, under its real meaning). */
  async queuePause(params: QueuePauseParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.queuePause(params), options);
  }

  /** The variable's value; undefined when Asterisk sends none. */
  async getvar(params: GetvarParams, options?: AmiCallOptions): Promise<string | undefined> {
    return (await this.send(amiActions.getvar(params), options)).get('Value');
  }

  async setvar(params: SetvarParams, options?: AmiCallOptions): Promise<AmiActionResult> {
    return this.send(amiActions.setvar(params), options);
  }

  /** One `CoreShowChannel` event per live channel: the snapshot a tracker rebuilds from. */
  async coreShowChannels(options?: AmiCallOptions): Promise<AmiMessage[]> {
    return [...(await this.send(amiActions.coreShowChannels(), options)).events];
  }

  async status(params?: StatusParams, options?: AmiCallOptions): Promise<AmiMessage[]> {
    return [...(await this.send(amiActions.status(params), options)).events];
  }

  /** CLI output, one entry per line. */
  async command(command: string, options?: AmiCallOptions): Promise<string[]> {
    return (await this.send(amiActions.command(command), options)).output;
  }

  private async waitForLogin(spec: AmiActionSpec, deadline: number): Promise<void> {
    if (this.connection.state === 'closed') throw new AmiConnectionClosedError(this.pbxId);
    await this.connection.next('connected', { timeoutMs: remaining(deadline) }).catch(() => {
      throw new AmiNotConnectedError(this.pbxId, spec.action);
    });
  }
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
