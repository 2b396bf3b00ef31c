import type { PbxEngine } from './pbx-engine';
import type { LegPlan } from './call-plans';
import type { SimChannel } from './sim-channel';
import { AmiFields } from './ami-event';
import { parseDialTarget } from './dial-app';

export interface OriginateRequest {
  /** `SIP/1001`, `SIP/provider/8495...`, `PJSIP/1001`, `PJSIP/8495...@provider`. */
  channel: string;
  context: string;
  exten: string;
  priority: number;
  application: string;
  data: string;
  callerNum: string | null;
  callerName: string | null;
  timeoutMs: number;
  variables: [string, string][];
  channelId: string;
  actionId: string | undefined;
}

/** What the originated endpoint does when no script says otherwise: the operator picks up after a second. */
const OPERATOR_PLAN: LegPlan = { response: 'answer', ringMs: 1000, talkMs: 0, hangup: 'none' };

/** Reason codes of OriginateResponse (the last control frame Asterisk saw). */
const REASON = { failure: 0, ringTimeout: 3, answered: 4, busy: 5, congestion: 8 } as const;

/**
 * The AMI Originate flow of originate_click_to_call: Asterisk rings the first
 * endpoint (DialBegin with no caller), reports OriginateResponse when it answers,
 * and only then runs `exten@context` on that channel, which dials the target.
 */
export class Originator {
  constructor(private readonly engine: PbxEngine) {}

  /** Starts the call; `done` is told the outcome (for a synchronous Originate). */
  originate(req: OriginateRequest, done: (ok: boolean) => void = () => undefined): void {
    const e = this.engine;
    const { peer, number, dialString } = parseDialTarget(req.channel, e.dialect.tech, e.peers);
    if (!peer || !peer.registered || (peer.kind === 'trunk' && !number)) {
      this.respond(req, false, REASON.failure, null);
      done(false);
      return;
    }
    const ch = e.newOutgoingLeg(peer, { uniqueid: req.channelId || undefined, outgoing: true });
    e.newexten(ch, ch.context, '', 1, 'AppDial2', '(Outgoing Line)');
    for (const [name, value] of req.variables) e.varSet(ch, name, value);
    if (req.callerNum !== null || req.callerName !== null) {
      ch.callerNum = req.callerNum ?? ch.callerNum;
      ch.callerName = req.callerName ?? ch.callerName;
      e.newCallerid(ch);
    }
    ch.connectedNum = ch.callerNum;
    ch.connectedName = ch.callerName;
    e.channelEvent('NewConnectedLine', 'call,all', ch);
    e.pairEvent('DialBegin', 'call,all', null, ch, new AmiFields().add('DialString', dialString));
    e.cdrs.open(ch);
    const scripted = e.plans.get(ch.linkedid)?.legs.get(peer.name)?.shift();
    const plan = scripted ?? OPERATOR_PLAN;
    const timeout = e.timer(ch, req.timeoutMs, () => this.fail(req, ch, 'NOANSWER', REASON.ringTimeout, 16, done));
    if (plan.response === 'busy' || plan.response === 'congestion') {
      const busy = plan.response === 'busy';
      e.timer(ch, plan.ringMs, () => {
        timeout.cancel();
        this.fail(req, ch, busy ? 'BUSY' : 'CONGESTION', busy ? REASON.busy : REASON.congestion, busy ? 17 : 34, done);
      });
      return;
    }
    e.timer(ch, 3, () => {
      e.setState(ch, 5);
      e.pairEvent('DialState', 'call,all', null, ch, new AmiFields().add('DialStatus', 'RINGING'));
      if (plan.response !== 'answer') return;
      e.timer(ch, Math.max(0, plan.ringMs - 3), () => {
        timeout.cancel();
        this.answered(req, ch, plan);
        done(true);
      });
    });
  }

  private answered(req: OriginateRequest, ch: SimChannel, plan: LegPlan): void {
    const e = this.engine;
    e.setState(ch, 6);
    e.pairEvent('DialEnd', 'call,all', null, ch, new AmiFields().add('DialStatus', 'ANSWER'));
    e.cdrs.answered(ch);
    this.respond(req, true, REASON.answered, ch);
    ch.outgoing = false;
    if (plan.hangup === 'self') e.timer(ch, plan.talkMs, () => e.control.phoneBye(ch));
    if (req.application) {
      e.runApplication(ch, req.application, req.data);
      return;
    }
    ch.moveTo(req);
    ch.hasPbx = true;
    e.runPbx(ch);
  }

  private fail(req: OriginateRequest, ch: SimChannel, status: string, reason: number, cause: number, done: (ok: boolean) => void): void {
    const e = this.engine;
    if (ch.hungUp) return;
    e.pairEvent('DialEnd', 'call,all', null, ch, new AmiFields().add('DialStatus', status));
    e.hangup(ch, cause);
    this.respond(req, false, reason, null);
    done(false);
  }

  private respond(req: OriginateRequest, ok: boolean, reason: number, ch: SimChannel | null): void {
    const f = new AmiFields();
    if (req.actionId !== undefined) f.add('ActionID', req.actionId);
    f.add('Response', ok ? 'Success' : 'Failure').add('Channel', ch ? ch.name : req.channel);
    if (req.application) f.add('Application', req.application).add('Data', req.data);
    else f.add('Context', req.context).add('Exten', req.exten);
    f.add('Reason', reason)
      .add('Uniqueid', ch ? ch.uniqueid : req.channelId || '<unknown>')
      .add('CallerIDNum', req.callerNum ?? '<unknown>')
      .add('CallerIDName', req.callerName ?? '<unknown>');
    this.engine.emit('OriginateResponse', 'call,all', f);
  }
}
