import type { PbxEngine, SimCdrRecord } from './pbx-engine';
import type { CdrRecordDraft, SimChannel } from './sim-channel';
import { AmiFields } from './ami-event';
import { cdrTime } from './dialplan';

/** Applications that never become a CDR's `LastApplication` (they run inside the recording macro). */
const SILENT_APPS = new Set(['NoOp', 'Set', 'Macro', 'Monitor', 'MixMonitor']);

type Disposition = NonNullable<CdrRecordDraft['disposition']>;

/**
 * Asterisk's CDR lines as cdr_manager reports them (`Event: Cdr`), reduced to the
 * rules the captures show: one record per Dial attempt of the channel running the
 * dialplan; a failed Dial followed by `Hangup()` adds a zero-length `Hangup` record;
 * leaving a bridge for the dialplan (a Redirect, the peer gone) closes the record, and the
 * next application but `Hangup()` opens one from then on (blind_transfer_redirect,
 * hold_redirect_bridge); a dialed channel has records only once it has a party of its own
 * (an AMI Bridge, or a Dial it makes after a Redirect); every record of a channel is
 * reported at its hangup with the channel's final extension and context.
 */
export class CdrBook {
  constructor(private readonly engine: PbxEngine) {}

  open(ch: SimChannel, opts: Partial<CdrRecordDraft> = {}): void {
    const now = this.engine.clock.now();
    ch.cdr = {
      start: now,
      answer: null,
      end: null,
      lastApp: '',
      lastData: '',
      dstChannel: '',
      disposition: null,
      withUserField: true,
      ...opts,
    };
  }

  app(ch: SimChannel, app: string, data: string): void {
    if (SILENT_APPS.has(app)) return;
    const after = ch.cdrAfterBridge;
    if (!ch.cdr && after && app !== 'Hangup') {
      ch.cdrAfterBridge = null;
      this.open(ch, { answer: ch.state === 6 ? this.engine.clock.now() : null, dstChannel: after.dstChannel });
    }
    if (!ch.cdr) return;
    ch.cdr.lastApp = app;
    ch.cdr.lastData = data;
  }

  answered(ch: SimChannel): void {
    if (ch.cdr && ch.cdr.answer === null) ch.cdr.answer = this.engine.clock.now();
  }

  /**
   * The channel dials (or is bridged with) `dstChannel`. One with no record open gets one from
   * now: a dialed channel redirected into the dialplan (Asterisk posts a dialed channel's
   * record only once it has a party of its own), or one whose record closed with its bridge.
   */
  dialed(ch: SimChannel, dstChannel: string): void {
    if (!ch.cdr) {
      ch.cdrAfterBridge = null;
      this.open(ch, { answer: ch.state === 6 ? this.engine.clock.now() : null, lastApp: ch.app, lastData: ch.appData, withUserField: ch.dialedBy === null });
    }
    ch.cdr!.dstChannel = dstChannel;
  }

  /**
   * The channel left a bridge for the dialplan: its record ends now; the next application but
   * `Hangup()` opens the next one, still naming the party it talked to (a dialed channel has none).
   */
  leftBridge(ch: SimChannel): void {
    if (!ch.cdr) return;
    const dstChannel = ch.cdr.answer !== null ? ch.cdr.dstChannel : '';
    this.close(ch);
    ch.cdrAfterBridge = { dstChannel };
  }

  /**
   * One leg of a Dial to several destinations ended without being the one the record
   * follows: the CDR engine forks a record for it (same start, that leg, its disposition).
   */
  forkLeg(ch: SimChannel, dstChannel: string, disposition: Disposition): void {
    const r = ch.cdr;
    if (!r) return;
    ch.cdrDone.push({ ...r, answer: null, end: this.engine.clock.now(), dstChannel, disposition });
  }

  /** Ends the current record and starts the next one now (a failed Dial going on: the dialplan continues on a record of its own). */
  split(ch: SimChannel, disposition?: Disposition): void {
    if (!ch.cdr) return;
    const carried = ch.cdr.answer === null ? (disposition ?? ch.cdr.disposition) : null;
    const dstChannel = ch.cdr.answer !== null ? ch.cdr.dstChannel : '';
    this.close(ch, disposition);
    this.open(ch, {
      answer: ch.state === 6 ? this.engine.clock.now() : null,
      disposition: carried,
      dstChannel,
    });
  }

  /** Reports every record of the channel (called just before its `Hangup`). */
  report(ch: SimChannel): void {
    this.close(ch);
    for (const r of ch.cdrDone) this.emit(ch, r);
    ch.cdrDone.length = 0;
  }

  private close(ch: SimChannel, disposition?: Disposition): void {
    const r = ch.cdr;
    if (!r) return;
    r.end = this.engine.clock.now();
    r.disposition = r.answer !== null ? 'ANSWERED' : (disposition ?? r.disposition ?? 'NO ANSWER');
    ch.cdrDone.push(r);
    ch.cdr = null;
  }

  private emit(ch: SimChannel, r: CdrRecordDraft): void {
    const end = r.end ?? this.engine.clock.now();
    const record: SimCdrRecord = {
      accountcode: '',
      src: ch.callerNum === '<unknown>' ? '' : ch.callerNum,
      dst: ch.exten,
      dcontext: ch.context,
      clid: ch.callerIdAll,
      channel: ch.name,
      dstchannel: r.dstChannel,
      lastapp: r.lastApp,
      lastdata: r.lastData,
      start: r.start,
      answer: r.answer,
      end,
      duration: Math.floor((end - r.start) / 1000),
      billsec: r.answer === null ? 0 : Math.floor((end - r.answer) / 1000),
      disposition: r.disposition ?? 'NO ANSWER',
      amaflags: 'DOCUMENTATION',
      uniqueid: ch.uniqueid,
      linkedid: ch.linkedid,
      userfield: r.withUserField ? ch.userField : '',
    };
    this.engine.emit(
      'Cdr',
      'cdr,all',
      new AmiFields()
        .add('AccountCode', record.accountcode)
        .add('Source', record.src)
        .add('Destination', record.dst)
        .add('DestinationContext', record.dcontext)
        .add('CallerID', record.clid)
        .add('Channel', record.channel)
        .add('DestinationChannel', record.dstchannel)
        .add('LastApplication', record.lastapp)
        .add('LastData', record.lastdata)
        .add('StartTime', cdrTime(record.start))
        .add('AnswerTime', cdrTime(record.answer))
        .add('EndTime', cdrTime(record.end))
        .add('Duration', record.duration)
        .add('BillableSeconds', record.billsec)
        .add('Disposition', record.disposition)
        .add('AMAFlags', record.amaflags)
        .add('UniqueID', record.uniqueid)
        .add('UserField', record.userfield),
    );
    this.engine.onCdr?.(record);
  }
}
