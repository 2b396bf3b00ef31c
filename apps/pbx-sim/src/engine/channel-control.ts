import type { PbxEngine } from './pbx-engine';
import type { SimChannel } from './sim-channel';
import type { SimBridge } from './sim-bridge';
import { AmiFields } from './ami-event';

/** A domain error an AMI action turns into `Response: Error` with this exact message. */
export class PbxActionError extends Error {
  constructor(
    readonly code: 'no-such-channel' | 'invalid' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

export interface RedirectTarget {
  context: string;
  exten: string;
  priority: number;
}

/** Consultation time before the transferer hangs up to complete an attended transfer. */
const ATXFER_CONSULT_MS = 4000;
/** features.conf atxfernoanswertimeout. */
const ATXFER_NO_ANSWER_MS = 15000;

/**
 * What happens to channels from outside their dialplan: an endpoint hanging up, and
 * the AMI control actions (Hangup, Redirect, Bridge, BlindTransfer, Atxfer). Each flow
 * reproduces the event order of the matching capture (inbound_answered,
 * internal_answered, actions_misc, blind_transfer_redirect, hold_redirect_bridge).
 */
interface AttendedTransferState {
  transferee: SimChannel;
  original: SimBridge;
  consult: SimBridge;
  one: SimChannel;
  two: SimChannel;
}

export class ChannelControl {
  /** Attended transfers in progress, by transferer. */
  private readonly transfers = new Map<SimChannel, AttendedTransferState>();

  constructor(private readonly engine: PbxEngine) {}

  /** The phone or trunk behind `ch` sends BYE (or CANCEL while the call rings). */
  phoneBye(ch: SimChannel): void {
    const e = this.engine;
    if (ch.hungUp) return;
    const xfer = this.transfers.get(ch);
    if (xfer) {
      // With atxferdropcall = no, the transferer hanging up completes the transfer once the target answered.
      if (xfer.one.bridge === xfer.consult && !xfer.transferee.hungUp) {
        this.atxferComplete(ch, xfer.transferee, xfer.original, xfer.consult, xfer.one, xfer.two);
        return;
      }
      this.abandonAtxfer(ch, xfer);
    }
    const bridge = ch.bridge;
    if (bridge) {
      const peer = bridge.peerOf(ch) ?? null;
      e.rtp.onBye(ch, peer);
      // chan_sip's BYE carries Cause 16 only in app_dial's bridge (not app_queue's).
      e.byeRequest(ch, bridge.kind === 'dial' && !bridge.queue);
      this.leaveForHangup(ch, 16, false);
      return;
    }
    switch (ch.activity.kind) {
      case 'dialing':
        e.dial.cancelByCaller(ch);
        return;
      case 'queue':
        e.queues.abandon(ch);
        return;
      default:
        break;
    }
    const leg = e.dial.legOf(ch) ?? e.queues.legOf(ch);
    if (leg) {
      // A ringing phone that gives up answers 486/603: Dial sees it as busy.
      e.endpointRejects(ch, 17);
      e.dial.legHungUp(ch, 17);
      e.queues.legHungUp(ch);
      return;
    }
    e.rtp.onBye(ch, null);
    e.hangupRequest(ch, 16);
    this.stopActivity(ch);
    e.softHangupRequest(ch);
    e.hangup(ch, 16);
  }

  /**
   * A Local half whose other half ended with `cause` (its HangupRequest already out): it
   * ends as if its endpoint had hung up, without media of its own.
   */
  peerHungUp(ch: SimChannel, cause: number): void {
    const e = this.engine;
    if (ch.hungUp) return;
    if (ch.bridge) {
      this.leaveForHangup(ch, cause, false);
      return;
    }
    if (ch.activity.kind === 'dialing') {
      e.dial.cancelByCaller(ch, cause);
      return;
    }
    if (e.dial.legOf(ch) || e.queues.legOf(ch)) {
      e.dial.legHungUp(ch, cause);
      e.queues.legHungUp(ch);
      e.hangup(ch, cause);
      return;
    }
    this.stopActivity(ch);
    e.softHangupRequest(ch);
    e.hangup(ch, cause);
  }

  /** AMI `Hangup`: only a SoftHangupRequest, the cause reported in the channel's `Hangup`. */
  amiHangup(ch: SimChannel, cause: number): void {
    const e = this.engine;
    if (ch.hungUp) return;
    const xfer = this.transfers.get(ch);
    if (xfer) {
      // bridge_basic.c: the transferer's hang-up, however it comes, completes a consultation that was answered.
      if (xfer.one.bridge === xfer.consult && !xfer.transferee.hungUp) {
        e.softHangupRequest(ch, cause);
        this.atxferComplete(ch, xfer.transferee, xfer.original, xfer.consult, xfer.one, xfer.two, false);
        return;
      }
      this.abandonAtxfer(ch, xfer);
    }
    if (ch.bridge) {
      this.leaveForHangup(ch, cause, true);
      return;
    }
    if (ch.activity.kind === 'dialing') {
      e.softHangupRequest(ch);
      e.dial.abort(ch);
      e.hangup(ch, cause);
      return;
    }
    if (e.dial.legOf(ch) || e.queues.legOf(ch)) {
      e.softHangupRequest(ch);
      e.dial.legHungUp(ch, cause);
      e.queues.legHungUp(ch);
      e.hangup(ch, cause);
      return;
    }
    if (ch.activity.kind === 'queue') {
      e.softHangupRequest(ch);
      e.queues.leave(ch, 'abandon');
      e.hangup(ch, cause);
      return;
    }
    e.softHangupRequest(ch);
    this.stopActivity(ch);
    e.hangup(ch, cause);
  }

  /**
   * `ch` leaves its bridge to be hung up (its endpoint's BYE or an AMI Hangup). In a
   * Dial bridge the Dial returns and both legs end; in a Bridge-action bridge the
   * other member goes on in its dialplan.
   */
  private leaveForHangup(ch: SimChannel, cause: number, byAmi: boolean): void {
    const e = this.engine;
    const bridge = ch.bridge as SimBridge;
    const peer = bridge.peerOf(ch);
    // app_queue reports the end of a queue call before the bridge comes apart.
    if (bridge.queue && bridge.dialer === ch) e.queues.complete(ch, bridge, 'caller');
    e.clearBridgeVars(ch);
    e.local.presentOnLeave(ch);
    if (peer) e.clearBridgeVars(peer);
    if (bridge.kind === 'dial' && bridge.dialer === ch) {
      e.bridgeLeave(ch);
      this.dialReturns(ch, bridge, 'hangup-self', cause, peer ?? null);
      return;
    }
    if (bridge.kind === 'dial' && bridge.dialer && peer === bridge.dialer) {
      e.bridgeLeave(ch);
      if (byAmi) e.softHangupRequest(ch);
      e.hangup(ch, cause);
      e.bridgeLeave(peer);
      e.destroyBridge(bridge);
      this.dialReturns(peer, bridge, 'peer-gone', 16, null);
      return;
    }
    e.bridgeLeave(ch);
    if (byAmi) e.softHangupRequest(ch);
    e.hangup(ch, cause);
    if (peer) {
      e.bridgeLeave(peer);
      e.destroyBridge(bridge);
      this.afterPeerLeft(peer, bridge);
    } else if (bridge.members.length === 0) {
      e.destroyBridge(bridge);
    }
  }

  /**
   * The caller's Dial (or Queue) ends because its bridge did. Without the `g` option
   * the caller is hung up; a queue call first reports AgentComplete.
   */
  private dialReturns(dialer: SimChannel, bridge: SimBridge, why: 'hangup-self' | 'peer-gone', cause: number, dialee: SimChannel | null): void {
    const e = this.engine;
    const queue = bridge.queue;
    if (queue) e.queues.callEnded(dialer, bridge, why === 'hangup-self' ? 'caller' : 'agent');
    else e.dial.setTalkTimes(dialer);
    if (dialee) {
      e.bridgeLeave(dialee);
      e.destroyBridge(bridge);
      e.hangup(dialee, 16);
    }
    if (queue) e.queues.afterMemberGone(dialer, queue.name);
    if (!bridge.queue) e.varSet(dialer, 'DIALSTATUS', 'ANSWER');
    e.dial.release(dialer);
    e.softHangupRequest(dialer);
    e.hangup(dialer, cause);
  }

  /** The other member of a bridge `left` just left, for a reason other than `peer` hanging up. */
  private afterPeerLeft(peer: SimChannel, bridge: SimBridge): void {
    const e = this.engine;
    const xfer = this.transfers.get(peer);
    if (xfer && xfer.consult === bridge) {
      // The consulted party is gone: the transferer goes back to the held party.
      this.atxferFails(peer, xfer.transferee, xfer.original, xfer.consult, xfer.one);
      return;
    }
    if (bridge.kind === 'dial' && bridge.dialer === peer) {
      // The caller's leg was taken away (redirected): its Dial returns and the dialplan goes on.
      e.dial.setTalkTimes(peer);
      e.varSet(peer, 'DIALSTATUS', 'ANSWER');
      e.dial.release(peer);
      e.cdrs.leftBridge(peer);
      e.continuePbx(peer);
      return;
    }
    if (bridge.kind === 'dial' || !peer.hasPbx) {
      // A dialed leg whose caller left: Asterisk hangs it up.
      e.hangup(peer, 16);
      return;
    }
    e.resumeAfterBridge(peer);
  }

  /** Ends whatever non-bridged application the channel is in (hold music, Wait, Queue, a ringing Dial). */
  private stopActivity(ch: SimChannel): void {
    const e = this.engine;
    ch.activityTimer?.cancel();
    ch.activityTimer = null;
    switch (ch.activity.kind) {
      case 'moh':
        e.mohStop(ch);
        break;
      case 'dialing':
        e.dial.abort(ch);
        break;
      case 'queue':
        e.queues.leave(ch, 'leave');
        break;
      case 'parked':
        e.parking.unpark(ch);
        break;
      default:
        break;
    }
    ch.activity = { kind: 'none' };
  }

  /** AMI Redirect of one channel (a blind transfer when it is the caller in a Dial bridge). */
  redirect(ch: SimChannel, to: RedirectTarget): void {
    const e = this.engine;
    if (!ch.hasPbx && !ch.bridge) throw new PbxActionError('failed', 'Redirect failed');
    const bridge = ch.bridge;
    if (!bridge) {
      this.stopActivity(ch);
      e.asyncGoto(ch, to.context, to.exten, to.priority);
      e.runPbx(ch);
      return;
    }
    const peer = bridge.peerOf(ch);
    e.clearBridgeVars(ch);
    e.asyncGoto(ch, to.context, to.exten, to.priority);
    if (peer) e.clearBridgeVars(peer);
    this.leaveToDialplan(ch, bridge);
    e.runPbx(ch);
    if (peer) {
      e.bridgeLeave(peer);
      e.destroyBridge(bridge);
      this.afterPeerLeft(peer, bridge);
    } else {
      e.destroyBridge(bridge);
    }
  }

  /**
   * AMI Redirect with ExtraChannel: both legs of one bridge leave it together and run
   * their own dialplan (the hold of hold_redirect_bridge), so neither is hung up.
   */
  dualRedirect(a: SimChannel, aTo: RedirectTarget, b: SimChannel, bTo: RedirectTarget): void {
    const e = this.engine;
    if (!a.bridge || a.bridge !== b.bridge) {
      this.redirect(a, aTo);
      if (!b.hungUp) this.redirect(b, bTo);
      return;
    }
    const bridge = a.bridge;
    e.clearBridgeVars(a);
    e.asyncGoto(a, aTo.context, aTo.exten, aTo.priority);
    e.clearBridgeVars(b);
    e.asyncGoto(b, bTo.context, bTo.exten, bTo.priority);
    this.leaveToDialplan(a, bridge);
    this.leaveToDialplan(b, bridge);
    e.destroyBridge(bridge);
    e.runPbx(a);
    e.runPbx(b);
  }

  /** A redirected channel leaves its bridge; a caller's Dial returns ANSWER and its CDR record closes. */
  private leaveToDialplan(ch: SimChannel, bridge: SimBridge): void {
    const e = this.engine;
    e.bridgeLeave(ch);
    if (bridge.dialer === ch) {
      if (!bridge.queue) e.varSet(ch, 'DIALSTATUS', 'ANSWER');
      else e.queues.complete(ch, bridge, 'transfer');
      e.dial.release(ch);
    }
    ch.activity = { kind: 'none' };
    ch.goOn = null;
    e.cdrs.leftBridge(ch);
  }

  /**
   * AMI Bridge: a new basic bridge with both channels; each remembers where its
   * dialplan goes on (the next priority) when the bridge breaks.
   */
  bridgeChannels(a: SimChannel, b: SimChannel): void {
    const e = this.engine;
    for (const ch of [a, b]) {
      if (ch.bridge) this.pullOutOfBridge(ch);
    }
    const goOn = (ch: SimChannel): { context: string; exten: string; priority: number } => ({ context: ch.context, exten: ch.exten, priority: ch.priority + 1 });
    const ga = goOn(a);
    const gb = goOn(b);
    const bridge = e.createBridge('basic');
    for (const [ch, g] of [
      [a, ga],
      [b, gb],
    ] as const) {
      this.stopActivity(ch);
      // Asterisk 20's bridging still resets app_macro's depth; 21+ has no app_macro.
      if (!e.dialect.removed.applications.includes('Macro')) e.varSet(ch, 'MACRO_DEPTH', '0');
      ch.priority = g.priority;
      ch.goOn = g;
      ch.activity = { kind: 'bridged' };
      if (ch.state !== 6) e.setState(ch, 6);
      e.bridgeEnter(ch, bridge);
      if (!ch.cdr && ch.cdrDone.length === 0) {
        e.cdrs.open(ch, { answer: e.clock.now(), lastApp: ch.dialedBy ? 'AppDial' : ch.app, lastData: ch.dialedBy ? '(Outgoing Line)' : ch.appData, withUserField: false });
      } else {
        e.cdrs.dialed(ch, (ch === a ? b : a).name);
      }
    }
    e.setBridgeVars(bridge);
  }

  /** Takes a channel out of its current bridge as a transfer does, without hanging it up. */
  private pullOutOfBridge(ch: SimChannel): void {
    const e = this.engine;
    const bridge = ch.bridge as SimBridge;
    const peer = bridge.peerOf(ch);
    e.clearBridgeVars(ch);
    if (peer) e.clearBridgeVars(peer);
    this.leaveToDialplan(ch, bridge);
    if (peer) {
      e.bridgeLeave(peer);
      e.destroyBridge(bridge);
      this.afterPeerLeft(peer, bridge);
    } else {
      e.destroyBridge(bridge);
    }
  }

  /** AMI Park: the channel leaves its bridge (its peer is hung up or goes on) and waits in the parking lot. */
  park(ch: SimChannel, parkerDialString: string, timeoutMs: number): void {
    const e = this.engine;
    if (ch.bridge) this.pullOutOfBridge(ch);
    else this.stopActivity(ch);
    if (!e.parking.park(ch, parkerDialString, timeoutMs)) throw new PbxActionError('failed', 'Park failed');
  }

  /**
   * AMI BlindTransfer of `transferer`'s bridge, in the order pjsip_blind_transfer_action
   * shows: an Unhold on the transferer (never held), BLINDTRANSFER on both, the
   * BlindTransfer event, the transferer leaves; the party it talked to goes to
   * `exten@context` (an async goto out of its bridge) and runs it; then the transferer
   * is hung up (no HangupRequest: Asterisk sends it the BYE).
   */
  blindTransfer(transferer: SimChannel, exten: string, context: string): void {
    const e = this.engine;
    const bridge = transferer.bridge;
    const transferee = bridge?.peerOf(transferer);
    if (!bridge || !transferee) throw new PbxActionError('invalid', 'Transfer invalid');
    if (!e.dialplan.exists(context, exten)) throw new PbxActionError('invalid', 'Transfer invalid');
    e.channelEvent('Unhold', 'call,all', transferer);
    e.varSet(transferee, 'BLINDTRANSFER', transferer.name);
    e.varSet(transferer, 'BLINDTRANSFER', transferee.name);
    e.clearBridgeVars(transferer);
    const ts = transferer.snapshot('Transferer');
    const te = transferee.snapshot('Transferee');
    const bs = bridge.snapshot();
    e.emit(
      'BlindTransfer',
      'call,all',
      new AmiFields()
        .add('Result', 'Success')
        .addAll(ts.keys, ts.values)
        .addAll(te.keys, te.values)
        .addAll(bs.keys, bs.values)
        .add('IsExternal', 'Yes')
        .add('Context', context)
        .add('Extension', exten),
    );
    e.bridgeLeave(transferer);
    e.clearBridgeVars(transferee);
    e.asyncGoto(transferee, context, exten, 1);
    this.leaveToDialplan(transferee, bridge);
    e.destroyBridge(bridge);
    e.runPbx(transferee);
    e.hangup(transferer, 16);
  }

  /**
   * The phone behind `agent` puts its call on hold (a re-INVITE with sendonly): `Hold` on its
   * channel, and the party bridged with it hears music on hold (`MusicOnHoldStart`, played by
   * the bridge's other channel driver). False when the channel talks to nobody.
   */
  phoneHold(agent: SimChannel): boolean {
    const peer = agent.bridge?.peerOf(agent);
    if (!peer || agent.phoneHeld) return false;
    agent.phoneHeld = true;
    this.engine.channelEvent('Hold', 'call,all', agent);
    this.engine.mohStart(peer);
    return true;
  }

  /** The phone takes the call off hold: `Unhold`, and the music stops for the other party. */
  phoneUnhold(agent: SimChannel): boolean {
    if (!agent.phoneHeld) return false;
    agent.phoneHeld = false;
    this.engine.channelEvent('Unhold', 'call,all', agent);
    const peer = agent.bridge?.peerOf(agent);
    if (peer) this.engine.mohStop(peer);
    return true;
  }

  /**
   * AMI Atxfer on the transferer's channel: the party it talks to is held, a Local
   * channel pair dials `exten@context`; when the target answers and the transferer
   * hangs up, AttendedTransfer joins the held party with the target. `completeAfterMs`:
   * the transferer's phone hangs up this long after the target answered (a scripted
   * call), or null: it waits for the CRM (AMI Hangup of the transferer completes,
   * CancelAtxfer goes back).
   */
  atxfer(transferer: SimChannel, exten: string, context: string, completeAfterMs: number | null = ATXFER_CONSULT_MS): void {
    const e = this.engine;
    const original = transferer.bridge;
    const transferee = original?.peerOf(transferer);
    if (!original || !transferee || !e.dialplan.exists(context, exten)) return;
    e.channelEvent('Hold', 'call,all', transferer);
    e.mohStart(transferee);
    e.bridgeLeave(transferer);
    const consult = e.createBridge('basic');
    e.bridgeEnter(transferer, consult);
    const [one, two] = e.newLocalPair(exten, context, transferer.linkedid);
    this.transfers.set(transferer, { transferee, original, consult, one, two });
    // The ;1 half is what the transferer dialed: it carries the target's number, connected to the transferer.
    const target = e.peers.get(exten);
    one.callerNum = exten;
    one.callerName = target?.callerName ?? exten;
    one.connectedNum = transferer.callerNum;
    one.connectedName = transferer.callerName;
    two.callerNum = transferer.callerNum;
    two.callerName = transferer.callerName;
    const ls = one.snapshot('LocalOne');
    const lt = two.snapshot('LocalTwo');
    e.emit('LocalBridge', 'call,all', new AmiFields().addAll(ls.keys, ls.values).addAll(lt.keys, lt.values).add('Context', context).add('Exten', exten).add('LocalOptimization', 'Yes'));
    e.cdrs.open(two);
    two.hasPbx = true;
    const state = this.transfers.get(transferer);
    const current = (): boolean => this.transfers.get(transferer) === state;
    const giveUp = e.timer(transferer, ATXFER_NO_ANSWER_MS, () => {
      if (current()) this.atxferFails(transferer, transferee, original, consult, one);
    });
    const watch = (): void => {
      if (transferer.hungUp || !current()) return;
      if (one.hungUp || two.hungUp) {
        giveUp.cancel();
        this.atxferFails(transferer, transferee, original, consult, one);
        return;
      }
      if (one.state === 6) {
        giveUp.cancel();
        e.bridgeEnter(one, consult);
        e.setBridgeVars(consult);
        if (completeAfterMs !== null) e.timer(transferer, completeAfterMs, () => this.atxferComplete(transferer, transferee, original, consult, one, two));
        return;
      }
      e.timer(transferer, 50, watch);
    };
    e.runPbx(two);
    e.timer(transferer, 50, watch);
  }

  /**
   * AMI CancelAtxfer (the atxferabort feature): the consulted target is hung up and the
   * transferer goes back to the held party, whether the target rang or talked. False when
   * no attended transfer of this channel is in progress (the DTMF then changes nothing).
   */
  cancelAtxfer(transferer: SimChannel): boolean {
    const xfer = this.transfers.get(transferer);
    if (!xfer) return false;
    this.atxferFails(transferer, xfer.transferee, xfer.original, xfer.consult, xfer.one);
    return true;
  }

  /** The transferer leaves before the target answered: the consultation and the held party end with it. */
  private abandonAtxfer(transferer: SimChannel, xfer: AttendedTransferState): void {
    this.transfers.delete(transferer);
    const held = xfer.transferee;
    this.engine.timer(null, 0, () => {
      if (!held.hungUp) this.amiHangup(held, 16);
    });
  }

  /** `byPhone`: the transferer's phone hung up (BYE); else an AMI Hangup did (its SoftHangupRequest is out). */
  private atxferComplete(transferer: SimChannel, transferee: SimChannel, original: SimBridge, consult: SimBridge, one: SimChannel, two: SimChannel, byPhone = true): void {
    const e = this.engine;
    if (one.hungUp || !this.transfers.has(transferer)) return;
    this.transfers.delete(transferer);
    if (transferee.hungUp) {
      // Nobody left to hand over: the transferer just ends the consultation call.
      this.phoneBye(transferer);
      return;
    }
    if (byPhone) {
      e.rtp.onBye(transferer, null);
      e.byeRequest(transferer, false);
    }
    const ot = transferer.snapshot('OrigTransferer');
    const ob = original.snapshot('OrigBridge');
    const st = transferer.snapshot('SecondTransferer');
    const sb = consult.snapshot('SecondBridge');
    const te = transferee.snapshot('Transferee');
    const tt = one.snapshot('TransferTarget');
    e.emit(
      'AttendedTransfer',
      'call,all',
      new AmiFields()
        .add('Result', 'Success')
        .addAll(ot.keys, ot.values)
        .addAll(ob.keys, ob.values)
        .addAll(st.keys, st.values)
        .addAll(sb.keys, sb.values)
        .addAll(te.keys, te.values)
        .addAll(tt.keys, tt.values)
        .add('IsExternal', 'No')
        .add('DestType', 'Bridge')
        .add('DestBridgeUniqueid', original.uniqueid),
    );
    e.mohStop(transferee);
    e.clearBridgeVars(transferer);
    e.bridgeLeave(transferer);
    e.hangup(transferer, 16);
    e.bridgeLeave(one);
    e.destroyBridge(consult);
    e.bridgeEnter(one, original);
    // The Local pair optimizes itself away: the target's SIP channel takes its place.
    const target = two.bridge?.peerOf(two);
    if (!target) return;
    const l1 = one.snapshot('LocalOne');
    const l2 = two.snapshot('LocalTwo');
    const id = String(e.rng.int(1, 1 << 30));
    e.emit('LocalOptimizationBegin', 'call,all', new AmiFields().addAll(l1.keys, l1.values).addAll(l2.keys, l2.values).add('DestUniqueId', target.uniqueid).add('Id', id));
    const targetBridge = two.bridge as SimBridge;
    e.bridgeLeave(target);
    e.bridgeEnter(target, original);
    e.bridgeLeave(one);
    if (original.dialer === transferer) {
      e.dial.release(transferer);
      original.dialer = transferee;
    }
    e.emit('LocalOptimizationEnd', 'call,all', new AmiFields().addAll(l1.keys, l1.values).addAll(l2.keys, l2.values).add('Success', 'Yes').add('Id', id));
    original.dialee = target;
    target.dialedBy = transferee;
    e.setBridgeVars(original);
    e.bridgeLeave(two);
    e.destroyBridge(targetBridge);
    e.dial.release(two);
    // Optimised away: the halves end quietly, neither telling the other.
    one.optimizedAway = two.optimizedAway = true;
    e.hangup(one, 16);
    e.hangup(two, 16);
  }

  /** The target did not answer (or hung up): the transferer goes back to the held party. */
  private atxferFails(transferer: SimChannel, transferee: SimChannel, original: SimBridge, consult: SimBridge, one: SimChannel): void {
    const e = this.engine;
    this.transfers.delete(transferer);
    if (transferer.hungUp) return;
    // The transferer leaves the consultation first (bridge_basic.c rebridge: bridge_move, then
    // the target's bridge dissolves): hanging up a target that answered must not take it along.
    if (transferer.bridge === consult) e.bridgeLeave(transferer);
    if (!one.hungUp) {
      if (one.localPeer && !one.localPeer.hungUp) this.amiHangup(one.localPeer, 16);
      if (!one.hungUp) this.amiHangup(one, 16);
    }
    if (consult.members.length === 0) e.destroyBridge(consult);
    if (transferee.hungUp) {
      e.softHangupRequest(transferer);
      e.hangup(transferer, 16);
      return;
    }
    e.mohStop(transferee);
    e.bridgeEnter(transferer, original);
    e.channelEvent('Unhold', 'call,all', transferer);
  }
}
