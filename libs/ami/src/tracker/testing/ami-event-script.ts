import { AmiMessage } from '../../protocol/ami-message';

/** A channel as a script knows it; `linkedid` may be changed mid-script (Asterisk re-links). */
export interface ScriptChannel {
  name: string;
  uniqueid: string;
  linkedid: string;
  callerNum: string;
  callerName: string;
  exten: string;
}

/**
 * Writes AMI event sequences the captures do not cover (queues, phone hold, transfers),
 * with the same keys Asterisk 20 sends, on a clock the script advances. For tests.
 */
export class AmiEventScript {
  readonly messages: AmiMessage[] = [];
  private counter = 0;
  private localCounter = 0;

  constructor(
    readonly pbxId = 'pbx',
    public now = Date.parse('2026-11-26T10:00:00Z'),
  ) {}

  wait(ms: number): this {
    this.now += ms;
    return this;
  }

  /** A channel; `linkedid` defaults to its own uniqueid (it starts a call). */
  channel(name: string, options: Partial<Omit<ScriptChannel, 'name'>> = {}): ScriptChannel {
    const uniqueid = options.uniqueid ?? `1795700000.${this.counter++}`;
    const peer = /^[^/]+\/(.+?)(-[0-9a-f]+)?$/.exec(name)?.[1] ?? '';
    return {
      name,
      uniqueid,
      linkedid: options.linkedid ?? uniqueid,
      callerNum: options.callerNum ?? peer,
      callerName: options.callerName ?? '<unknown>',
      exten: options.exten ?? 's',
    };
  }

  /**
   * Both halves of a Local channel to `dest` (`1001@from-ringgroup`), the way Asterisk names
   * them (`Local/1001@from-ringgroup-00000003;1` and `;2`), in the call `linkedid`.
   */
  localPair(dest: string, linkedid: string): [ScriptChannel, ScriptChannel] {
    const name = `Local/${dest}-${(this.localCounter++).toString(16).padStart(8, '0')}`;
    const exten = dest.split('@')[0];
    return [this.channel(`${name};1`, { linkedid, callerNum: exten, exten }), this.channel(`${name};2`, { linkedid, callerNum: exten, exten })];
  }

  event(name: string, fields: Record<string, string>): this {
    this.messages.push(new AmiMessage(['Event', 'Privilege', ...Object.keys(fields)], [name, 'call,all', ...Object.values(fields)], this.now, this.pbxId));
    return this;
  }

  response(fields: Record<string, string>): this {
    this.messages.push(new AmiMessage(Object.keys(fields), Object.values(fields), this.now, this.pbxId));
    return this;
  }

  newchannel(ch: ScriptChannel): this {
    return this.event('Newchannel', snapshot(ch));
  }

  /**
   * A Dial to `dest`, which starts ringing at once (`DialState RINGING`, as Asterisk reports a
   * phone's 180) unless `ringing: false` (a leg that is busy or fails before it rings).
   */
  dialBegin(caller: ScriptChannel | null, dest: ScriptChannel, dialString: string, { ringing = true } = {}): this {
    this.event('DialBegin', { ...(caller ? snapshot(caller) : {}), ...snapshot(dest, 'Dest'), DialString: dialString });
    return ringing ? this.dialState(caller, dest) : this;
  }

  dialState(caller: ScriptChannel | null, dest: ScriptChannel, status = 'RINGING'): this {
    return this.event('DialState', { ...(caller ? snapshot(caller) : {}), ...snapshot(dest, 'Dest'), DialStatus: status });
  }

  dialEnd(caller: ScriptChannel | null, dest: ScriptChannel, status: string): this {
    return this.event('DialEnd', { ...(caller ? snapshot(caller) : {}), ...snapshot(dest, 'Dest'), DialStatus: status });
  }

  bridgeEnter(ch: ScriptChannel, bridge: string): this {
    return this.event('BridgeEnter', { BridgeUniqueid: bridge, BridgeType: 'basic', ...snapshot(ch) });
  }

  bridgeLeave(ch: ScriptChannel, bridge: string): this {
    return this.event('BridgeLeave', { BridgeUniqueid: bridge, BridgeType: 'basic', ...snapshot(ch) });
  }

  /** Dial answered and bridged, the way Dial() reports it: DialEnd, then both BridgeEnters. */
  connect(caller: ScriptChannel, dest: ScriptChannel, bridge: string): this {
    return this.dialEnd(caller, dest, 'ANSWER').bridgeEnter(dest, bridge).bridgeEnter(caller, bridge);
  }

  hangupRequest(ch: ScriptChannel, soft = false): this {
    return this.event(soft ? 'SoftHangupRequest' : 'HangupRequest', { ...snapshot(ch), Cause: '16' });
  }

  hangup(ch: ScriptChannel, cause = 16): this {
    return this.event('Hangup', { ...snapshot(ch), Cause: String(cause), 'Cause-txt': 'Normal Clearing' });
  }

  varSet(ch: ScriptChannel, variable: string, value: string): this {
    return this.event('VarSet', { ...snapshot(ch), Variable: variable, Value: value });
  }

  on(name: 'Hold' | 'Unhold' | 'MusicOnHoldStart' | 'MusicOnHoldStop' | 'MonitorStart' | 'MonitorStop' | 'MixMonitorStart' | 'MixMonitorStop', ch: ScriptChannel): this {
    return this.event(name, snapshot(ch));
  }

  coreShowChannel(ch: ScriptChannel, row: { state: '4' | '5' | '6'; bridge?: string; duration: string; actionId?: string }): this {
    return this.event('CoreShowChannel', {
      ActionID: row.actionId ?? 'snap-1',
      ...snapshot(ch),
      ChannelState: row.state,
      Application: 'Dial',
      ApplicationData: '',
      Duration: row.duration,
      BridgeId: row.bridge ?? '',
    });
  }

  /** The answer that opens a CoreShowChannels listing (`EventList: start`). */
  coreShowChannelsStart(actionId = 'snap-1'): this {
    return this.response({ Response: 'Success', ActionID: actionId, EventList: 'start', Message: 'Channels will follow' });
  }

  coreShowChannelsComplete(items: number, actionId = 'snap-1'): this {
    return this.event('CoreShowChannelsComplete', { ActionID: actionId, EventList: 'Complete', ListItems: String(items) });
  }
}

/** The channel snapshot keys, optionally under a prefix (`Dest`, `Transferer`, ...). */
export function snapshot(ch: ScriptChannel, prefix = ''): Record<string, string> {
  return {
    [`${prefix}Channel`]: ch.name,
    [`${prefix}ChannelState`]: '6',
    [`${prefix}ChannelStateDesc`]: 'Up',
    [`${prefix}CallerIDNum`]: ch.callerNum,
    [`${prefix}CallerIDName`]: ch.callerName,
    [`${prefix}ConnectedLineNum`]: '<unknown>',
    [`${prefix}ConnectedLineName`]: '<unknown>',
    [`${prefix}Language`]: 'en',
    [`${prefix}AccountCode`]: '',
    [`${prefix}Context`]: 'from-internal',
    [`${prefix}Exten`]: ch.exten,
    [`${prefix}Priority`]: '1',
    [`${prefix}Uniqueid`]: ch.uniqueid,
    [`${prefix}Linkedid`]: ch.linkedid,
  };
}
