import { randomInt } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CallTracker, type AmiMessage } from '@app/ami';
import { CallIngestService } from '../call-ingest.service';
import { WriterLiveness } from '../writer-liveness.service';
import { SimulatedCallNotFoundError, SimulatedCallStateError, SimulatorBusyError } from './simulator-errors';
import { SyntheticInboundCall, type SyntheticHangupBy } from './synthetic-inbound-call';

/** PBX id of the simulated calls: their rows never mix with a real PBX's. */
export const SIMULATOR_PBX_ID = 'simulator';
const MAX_CONCURRENT = 50;

export interface SimulateCallRequest {
  callerNumber: string;
  extension: string;
  /** Dialled number shown as the DID (default: the extension). */
  did?: string;
  callerName?: string;
  /** Nobody answers within this: the call ends as missed. */
  ringTimeoutSeconds: number;
  /** An answered call is hung up by the agent after this. */
  talkTimeoutSeconds: number;
}

export type SimulatedCallState = 'ringing' | 'answered' | 'ended';

export interface SimulatedCallInfo {
  /** Id for the answer/hangup endpoints: the call's Linkedid on the `simulator` PBX. */
  id: string;
  pbxId: string;
  linkedid: string;
  state: SimulatedCallState;
}

interface Session {
  call: SyntheticInboundCall;
  request: SimulateCallRequest;
  state: SimulatedCallState;
  timer: NodeJS.Timeout | null;
}

/**
 * The specification's "test call": a synthetic inbound call on the `simulator` PBX.
 * It is made of the AMI events Asterisk sends for such a call and goes through the
 * same tracker and ingest as a real PBX's, so rows, timeline, assignment, company
 * lookup, Nest events and TEST_MODE all behave as for real calls. It rings until
 * answered, hung up or the ring timeout; an answered call ends on hang-up or after
 * the talk timeout.
 *
 * Its calls live in this process: at start it ends the test calls a stopped process left
 * open (their writer's lock is free), as the AMI ingest ends a PBX's calls left open.
 */
@Injectable()
export class CallSimulatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CallSimulator');
  private readonly tracker = new CallTracker();
  private readonly sessions = new Map<string, Session>();
  /** Random start: several server instances must not mint the same Linkedid. */
  private sequence = randomInt(0, 2 ** 40);

  constructor(
    private readonly ingest: CallIngestService,
    private readonly liveness: WriterLiveness,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const mark = await this.ingest.lostCallsMark();
      await this.liveness.hold(this.ingest.writerId);
      const open = await this.ingest.openCalls(SIMULATOR_PBX_ID);
      const writers = [...new Set(open.map((c) => c.writer).filter((w) => w !== null))];
      const gone = new Set(await this.liveness.gone(writers));
      const live = open.filter((c) => c.writer !== null && !gone.has(c.writer)).map((c) => c.linkedid);
      await this.ingest.closeLost(SIMULATOR_PBX_ID, live, mark);
    } catch (error) {
      this.logger.warn(`could not end the test calls a stopped process left open: ${(error as Error).message}`);
    }
  }

  async start(request: SimulateCallRequest): Promise<SimulatedCallInfo> {
    if (this.liveSessions() >= MAX_CONCURRENT) throw new SimulatorBusyError(MAX_CONCURRENT);
    const call = new SyntheticInboundCall({
      pbxId: SIMULATOR_PBX_ID,
      sequence: this.sequence++,
      epochSeconds: Math.floor(Date.now() / 1000),
      caller: request.callerNumber,
      callerName: request.callerName,
      did: request.did ?? request.extension,
      extension: request.extension,
    });
    const session: Session = { call, request, state: 'ringing', timer: null };
    this.sessions.set(call.linkedid, session);
    this.feed(call.ring(Date.now()));
    this.arm(session, request.ringTimeoutSeconds, () => this.finish(session, call.noAnswer(Date.now())));
    await this.ingest.drain();
    return this.info(session);
  }

  async answer(id: string): Promise<SimulatedCallInfo> {
    const session = this.session(id);
    if (session.state !== 'ringing') throw new SimulatedCallStateError(id, 'be answered', session.state);
    session.state = 'answered';
    this.feed(session.call.answer(Date.now()));
    this.arm(session, session.request.talkTimeoutSeconds, () => this.finish(session, session.call.hangup(Date.now(), 'agent')));
    await this.ingest.drain();
    return this.info(session);
  }

  /** Ends the call: while ringing the caller gives up (abandoned); once answered `by` hangs up. */
  async hangup(id: string, by: SyntheticHangupBy): Promise<SimulatedCallInfo> {
    const session = this.session(id);
    if (session.state === 'ended') throw new SimulatedCallStateError(id, 'be hung up', session.state);
    const now = Date.now();
    this.finish(session, session.state === 'ringing' ? session.call.cancel(now) : session.call.hangup(now, by));
    await this.ingest.drain();
    return this.info(session);
  }

  onApplicationShutdown(): void {
    for (const session of this.sessions.values()) if (session.timer) clearTimeout(session.timer);
    this.sessions.clear();
  }

  private session(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) throw new SimulatedCallNotFoundError(id);
    return session;
  }

  private finish(session: Session, events: AmiMessage[]): void {
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
    session.state = 'ended';
    this.feed(events);
    // Kept briefly so a late answer/hangup gets "it has ended" rather than "no such call".
    const forget = setTimeout(() => this.sessions.delete(session.call.linkedid), 60_000);
    forget.unref();
  }

  private arm(session: Session, seconds: number, fire: () => void): void {
    if (session.timer) clearTimeout(session.timer);
    session.timer = setTimeout(fire, seconds * 1000);
    session.timer.unref();
  }

  private feed(messages: AmiMessage[]): void {
    for (const message of messages) for (const event of this.tracker.handle(message)) this.ingest.handle(event);
  }

  private liveSessions(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.state !== 'ended') n++;
    return n;
  }

  private info(session: Session): SimulatedCallInfo {
    return { id: session.call.linkedid, pbxId: SIMULATOR_PBX_ID, linkedid: session.call.linkedid, state: session.state };
  }
}
