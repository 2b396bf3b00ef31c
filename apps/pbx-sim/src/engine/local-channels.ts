import type { PbxEngine } from './pbx-engine';
import type { SimChannel, SimPeer } from './sim-channel';
import { AmiFields } from './ami-event';

/** `Local/1001@from-ringgroup/n` as Dial and Queue name it. */
export interface LocalTarget {
  exten: string;
  context: string;
  /** Without `/n` Asterisk may optimise the pair away once both sides are bridged. */
  optimize: boolean;
  /** `1001@from-ringgroup/n`: what follows `Local/`. */
  dialString: string;
}

export function parseLocalTarget(target: string): LocalTarget | null {
  const m = /^Local\/([^@/]+)@([^/]+)(?:\/(\w*))?$/.exec(target);
  if (!m) return null;
  return { exten: m[1], context: m[2], optimize: !(m[3] ?? '').includes('n'), dialString: target.slice('Local/'.length) };
}

/**
 * chan_local as the FreePBX captures show it: a Local channel an application dials is a
 * pair of halves sharing the call's Linkedid; `;1` is the leg the application sees,
 * `;2` runs `exten@context`. Ringing and the answer travel from `;2` to `;1`, the
 * party `;2` reaches becomes `;1`'s caller id, and when one half ends the other gets a
 * HangupRequest with its cause (and, if `;2` had dialled, CHANLOCALSTATUS).
 */
export class LocalChannels {
  constructor(private readonly engine: PbxEngine) {}

  /**
   * The pair for a leg dialled by `caller`: `;1` born Down and `;2` born Ring at
   * `exten@context`; `;2` takes the caller's caller id (NewCallerid, NewConnectedLine
   * after `intro` has announced `;1`), then LocalBridge. `;2`'s dialplan starts once the
   * dialing application has announced the leg.
   */
  dial(caller: SimChannel, target: LocalTarget, dialedPeerNumber: string, intro: (one: SimChannel) => void): SimChannel {
    const e = this.engine;
    const [one, two] = e.newLocalPair(target.exten, target.context, caller.linkedid);
    intro(one);
    e.varSet(two, 'DIALEDPEERNUMBER', dialedPeerNumber);
    e.inheritVariables(caller, two);
    two.callerNum = caller.callerNum;
    two.callerName = caller.callerName;
    two.connectedNum = one.callerNum;
    two.connectedName = one.callerName;
    e.newCallerid(two);
    e.channelEvent('NewConnectedLine', 'call,all', two);
    const l1 = one.snapshot('LocalOne');
    const l2 = two.snapshot('LocalTwo');
    e.emit(
      'LocalBridge',
      'call,all',
      new AmiFields().addAll(l1.keys, l1.values).addAll(l2.keys, l2.values).add('Context', target.context).add('Exten', target.exten).add('LocalOptimization', target.optimize ? 'Yes' : 'No'),
    );
    two.hasPbx = true;
    e.cdrs.open(two);
    e.timer(two, 0, () => e.runPbx(two));
    return one;
  }

  /** `;2` now reaches `party` (its Dial offers or connects a phone): `;1` will present it. */
  reaches(two: SimChannel, party: { num: string; name: string }): void {
    const one = two.localPeer;
    if (!one || one.hungUp) return;
    one.pendingCallerId = party;
    // Whoever talks to `;1` (a single-leg Dial's caller, or its bridge peer) learns the new party at once.
    const e = this.engine;
    const listener = one.bridge?.peerOf(one) ?? e.dial.soleDialerOf(one);
    if (listener && (listener.connectedNum !== party.num || listener.connectedName !== party.name)) {
      listener.connectedNum = party.num;
      listener.connectedName = party.name;
      e.channelEvent('NewConnectedLine', 'call,all', listener);
      if (listener.localPeer && listener.name.endsWith(';2')) this.reaches(listener, party);
    }
  }

  /** `;2`'s far end rings: `;1` goes Ringing with the new caller id, then its dialing application hears of it. */
  ringing(two: SimChannel): void {
    const e = this.engine;
    const one = two.localPeer;
    if (!one || one.hungUp || one.state === 5 || one.state === 6) return;
    this.presentPending(one);
    if (e.queues.localLegRings(one)) return;
    e.setState(one, 5);
    e.newCallerid(one);
    e.timer(one, 0, () => e.dial.legRinging(one));
  }

  /** `;2` was answered: `;1` goes Up a moment later and its dialing application connects it. */
  answered(two: SimChannel): void {
    const e = this.engine;
    const one = two.localPeer;
    if (!one || one.hungUp || one.state === 6) return;
    e.timer(one, 0, () => {
      this.presentPending(one);
      e.setState(one, 6);
      e.dial.legAnswered(one);
      e.queues.legAnswered(one);
    });
  }

  /**
   * One half is going away with `cause`: the other gets CHANLOCALSTATUS (when `;2` had
   * dialled) and a HangupRequest now, then ends the way its endpoint hanging up would.
   */
  halfGone(gone: SimChannel, cause: number): void {
    const e = this.engine;
    const other = gone.localPeer;
    if (!other || other.hungUp || gone.optimizedAway) return;
    const status = gone.vars.get('DIALSTATUS');
    if (status && other.name.endsWith(';1')) e.varSet(other, 'CHANLOCALSTATUS', status);
    e.hangupRequest(other, cause);
    e.timer(null, 0, () => e.control.peerHungUp(other, cause));
  }

  /** The party beyond `ch` through any Local pairs (the channel bridged with the `;1` side), or `ch` when it is no Local half. */
  farEnd(ch: SimChannel): SimChannel | null {
    let at: SimChannel | null = ch;
    for (let depth = 0; at?.localPeer && depth < 16; depth++) {
      const one: SimChannel = at.localPeer;
      at = one.bridge?.peerOf(one) ?? null;
    }
    return at && !at.hungUp ? at : null;
  }

  /** Whom `ch` talks to: its bridge peer, or past a `;1` half the party its `;2` is bridged with (through any chain). */
  partyOf(ch: SimChannel): SimChannel | null {
    let peer = ch.bridge?.peerOf(ch) ?? null;
    for (let depth = 0; peer?.localPeer && peer.name.endsWith(';1') && depth < 16; depth++) {
      const two: SimChannel = peer.localPeer;
      peer = two.bridge?.peerOf(two) ?? null;
    }
    return peer;
  }

  /** A `;1` half leaving its bridge shows the caller id its `;2` last reached (NewCallerid), as the bridge held it back. */
  presentOnLeave(one: SimChannel): void {
    if (!one.pendingCallerId) return;
    this.presentPending(one);
    this.engine.newCallerid(one);
  }

  /** The leg `;1` presents the party `;2` reached (NewCallerid follows where the capture shows one). */
  private presentPending(one: SimChannel): void {
    const party = one.pendingCallerId;
    if (!party) return;
    one.pendingCallerId = null;
    one.callerNum = party.num;
    one.callerName = party.name;
  }

  /** Peer record of a Local pair (its halves are never a phone or a user). */
  static peer(exten: string, context: string): SimPeer {
    return { name: `Local/${exten}@${context}`, kind: 'extension', callerNum: '<unknown>', callerName: '<unknown>', context, registered: true, port: 0 };
  }
}
