import type { PbxEngine } from './pbx-engine';
import type { SimChannel } from './sim-channel';
import type { SimBridge } from './sim-bridge';
import { AmiFields } from './ami-event';

const FIRST_SPACE = 701;
const LAST_SPACE = 720;

interface ParkedCall {
  ch: SimChannel;
  space: number;
  parker: string;
  parkedAt: number;
  timeoutMs: number;
}

/**
 * res_parking's default lot (701-720): a parked channel waits in a holding bridge
 * with music; when the timeout passes it is offered back to the parker's phone
 * (`comebacktoorigin = yes`).
 */
export class Parking {
  private lot: SimBridge | null = null;
  private readonly parked = new Map<number, ParkedCall>();

  constructor(private readonly engine: PbxEngine) {}

  /** Dialing 700 parks the caller itself. */
  parkFromDialplan(ch: SimChannel): 'wait' | 'next' {
    return this.park(ch, `${this.engine.dialect.tech}/${ch.peer.name}`, this.engine.config.parkingTimeoutMs) ? 'wait' : 'next';
  }

  /** Parks `ch` (already out of any bridge); false when the lot is full. */
  park(ch: SimChannel, parkerDialString: string, timeoutMs: number): boolean {
    const e = this.engine;
    let space = FIRST_SPACE;
    while (this.parked.has(space) && space <= LAST_SPACE) space++;
    if (space > LAST_SPACE) return false;
    const call: ParkedCall = { ch, space, parker: parkerDialString, parkedAt: e.clock.now(), timeoutMs };
    this.parked.set(space, call);
    this.event('ParkedCall', call);
    if (!this.lot || this.lot.members.length === 0) this.lot = e.createBridge('holding');
    if (ch.state !== 6) e.setState(ch, 6);
    e.bridgeEnter(ch, this.lot);
    e.mohStart(ch);
    ch.activity = { kind: 'parked' };
    ch.activityTimer = e.timer(ch, timeoutMs, () => this.timeout(call));
    return true;
  }

  /** The parked channel leaves the lot for another reason (redirect, hangup). */
  unpark(ch: SimChannel): void {
    const call = [...this.parked.values()].find((p) => p.ch === ch);
    if (!call) return;
    this.parked.delete(call.space);
    this.leaveLot(ch);
  }

  private timeout(call: ParkedCall): void {
    const e = this.engine;
    const { ch } = call;
    if (ch.hungUp || !this.parked.has(call.space)) return;
    this.parked.delete(call.space);
    this.event('ParkedCallTimeOut', call);
    this.leaveLot(ch);
    ch.activity = { kind: 'none' };
    ch.activityTimer = null;
    e.newexten(ch, 'park-dial', call.parker.replace('/', '_'), 1, 'Dial', `${call.parker},20`);
    e.cdrs.app(ch, 'Dial', `${call.parker},20`);
    ch.hasPbx = true;
    e.dial.exec(ch, `${call.parker},20`);
  }

  private leaveLot(ch: SimChannel): void {
    const e = this.engine;
    e.mohStop(ch);
    const lot = this.lot;
    e.bridgeLeave(ch);
    if (lot && lot.members.length === 0) {
      e.destroyBridge(lot);
      this.lot = null;
    }
  }

  private event(name: string, call: ParkedCall): void {
    const e = this.engine;
    const s = call.ch.snapshot('Parkee');
    e.emit(
      name,
      'call,all',
      new AmiFields()
        .addAll(s.keys, s.values)
        .add('ParkerDialString', call.parker)
        .add('Parkinglot', 'default')
        .add('ParkingSpace', call.space)
        .add('ParkingTimeout', Math.max(0, Math.round((call.timeoutMs - (e.clock.now() - call.parkedAt)) / 1000)))
        .add('ParkingDuration', Math.floor((e.clock.now() - call.parkedAt) / 1000)),
    );
  }
}
