import { AmiMessage } from '@app/ami';

/**
 * AMI events of one inbound call, shaped like the Asterisk 20 captures
 * (`inbound_answered`, `inbound_no_answer`, `inbound_abandoned`): the same event
 * names, keys and order per channel. Fed to the call tracker they take the same
 * path as a real PBX's events, which is what the "test call" and the ingest
 * benchmark need. Each phase returns the events Asterisk would send at that moment.
 */
export interface SyntheticInboundCallOptions {
  pbxId: string;
  /** Unique per call on its PBX: becomes `<epoch>.<n>` uniqueids and the channel name suffixes. */
  sequence: number;
  epochSeconds: number;
  caller: string;
  callerName?: string;
  did: string;
  extension: string;
  agentName?: string;
  trunk?: string;
  /** `VarSet` events added per phase, as a real dialplan sends (benchmarks use them for a realistic event mix). */
  varSetsPerPhase?: number;
}

interface Channel {
  name: string;
  uniqueid: string;
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  connectedName: string;
  context: string;
  exten: string;
  priority: string;
}

const STATE_DESC: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' };
const CHANNEL_KEYS = [
  'Channel',
  'ChannelState',
  'ChannelStateDesc',
  'CallerIDNum',
  'CallerIDName',
  'ConnectedLineNum',
  'ConnectedLineName',
  'Language',
  'AccountCode',
  'Context',
  'Exten',
  'Priority',
  'Uniqueid',
  'Linkedid',
];
const BRIDGE_KEYS = ['BridgeUniqueid', 'BridgeType', 'BridgeTechnology', 'BridgeCreator', 'BridgeName', 'BridgeNumChannels', 'BridgeVideoSourceMode'];

export type SyntheticHangupBy = 'caller' | 'agent';

export class SyntheticInboundCall {
  readonly linkedid: string;
  private readonly caller: Channel;
  private readonly agent: Channel;
  private readonly bridgeId: string;
  private readonly varSets: number;

  constructor(private readonly options: SyntheticInboundCallOptions) {
    const n = options.sequence * 2;
    this.linkedid = `${options.epochSeconds}.${n}`;
    const trunk = options.trunk ?? 'provider';
    this.caller = {
      name: `SIP/${trunk}-${hex8(n)}`,
      uniqueid: this.linkedid,
      state: 0,
      callerNum: options.caller,
      callerName: options.callerName ?? '<unknown>',
      connectedNum: '<unknown>',
      connectedName: '<unknown>',
      context: 'from-external',
      exten: options.did,
      priority: '1',
    };
    this.agent = {
      name: `SIP/${options.extension}-${hex8(n + 1)}`,
      uniqueid: `${options.epochSeconds}.${n + 1}`,
      state: 0,
      callerNum: options.extension,
      callerName: options.agentName ?? options.extension,
      connectedNum: '<unknown>',
      connectedName: '<unknown>',
      context: 'from-internal',
      exten: 's',
      priority: '1',
    };
    this.bridgeId = `5e1a0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    this.varSets = options.varSetsPerPhase ?? 0;
  }

  /** The trunk leg arrives and the agent's phone starts ringing. */
  ring(at: number): AmiMessage[] {
    const { caller, agent } = this;
    const out = [this.channelEvent('Newchannel', caller, at)];
    caller.state = 4;
    out.push(this.channelEvent('Newstate', caller, at), ...this.noise(caller, at));
    caller.priority = '3';
    out.push(this.channelEvent('Newchannel', agent, at));
    agent.connectedNum = caller.callerNum;
    agent.connectedName = caller.callerName;
    agent.exten = this.options.did;
    out.push(this.channelEvent('NewConnectedLine', agent, at));
    out.push(this.dialEvent('DialBegin', at, [['DialString', this.options.extension]]));
    caller.connectedNum = agent.callerNum;
    caller.connectedName = agent.callerName;
    out.push(this.channelEvent('NewConnectedLine', caller, at));
    agent.state = 5;
    out.push(this.channelEvent('Newstate', agent, at));
    out.push(this.dialEvent('DialState', at, [['DialStatus', 'RINGING']]));
    return out;
  }

  /** The agent picks up: Dial ends ANSWER and both legs join one bridge. */
  answer(at: number): AmiMessage[] {
    const { caller, agent } = this;
    agent.state = 6;
    const out = [this.channelEvent('Newstate', agent, at)];
    agent.exten = '';
    out.push(this.dialEvent('DialEnd', at, [['DialStatus', 'ANSWER']]));
    caller.state = 6;
    out.push(this.channelEvent('Newstate', caller, at));
    out.push(this.bridgeEvent('BridgeCreate', 0, null, at));
    out.push(this.bridgeEvent('BridgeEnter', 1, agent, at), this.bridgeEvent('BridgeEnter', 2, caller, at));
    out.push(...this.noise(caller, at));
    return out;
  }

  /** One side hangs up a connected call; the other leg is torn down by Asterisk. */
  hangup(at: number, by: SyntheticHangupBy): AmiMessage[] {
    const [first, second] = by === 'agent' ? [this.agent, this.caller] : [this.caller, this.agent];
    return [
      this.channelEvent('HangupRequest', first, at, [['Cause', '16']]),
      this.bridgeEvent('BridgeLeave', 1, first, at),
      this.hangupEvent(first, at, 16),
      this.bridgeEvent('BridgeLeave', 0, second, at),
      this.bridgeEvent('BridgeDestroy', 0, null, at),
      this.channelEvent('SoftHangupRequest', second, at, [['Cause', '16']]),
      this.hangupEvent(second, at, 16),
    ];
  }

  /** Nobody answered before the Dial timeout. */
  noAnswer(at: number): AmiMessage[] {
    return [
      this.dialEvent('DialEnd', at, [['DialStatus', 'NOANSWER']]),
      this.hangupEvent(this.agent, at, 16),
      this.channelEvent('SoftHangupRequest', this.caller, at, [['Cause', '16']]),
      this.hangupEvent(this.caller, at, 16),
    ];
  }

  /** The caller gives up while the agent's phone rings. */
  cancel(at: number): AmiMessage[] {
    return [
      this.channelEvent('HangupRequest', this.caller, at),
      this.dialEvent('DialEnd', at, [['DialStatus', 'CANCEL']]),
      this.hangupEvent(this.agent, at, 16),
      this.channelEvent('SoftHangupRequest', this.caller, at, [['Cause', '16']]),
      this.hangupEvent(this.caller, at, 0),
    ];
  }

  private hangupEvent(channel: Channel, at: number, cause: number): AmiMessage {
    return this.channelEvent('Hangup', channel, at, [
      ['Cause', String(cause)],
      ['Cause-txt', cause === 16 ? 'Normal Clearing' : 'Unknown'],
    ]);
  }

  private noise(channel: Channel, at: number): AmiMessage[] {
    return Array.from({ length: this.varSets }, (_, i) =>
      this.channelEvent('VarSet', channel, at, [
        ['Variable', `SIM_VAR_${i}`],
        ['Value', String(i)],
      ], 'dialplan,all'),
    );
  }

  private channelEvent(name: string, channel: Channel, at: number, extra: Array<[string, string]> = [], privilege = 'call,all'): AmiMessage {
    const keys = ['Event', 'Privilege', ...CHANNEL_KEYS];
    const values = [name, privilege, ...this.channelValues(channel)];
    for (const [k, v] of extra) keys.push(k), values.push(v);
    return new AmiMessage(keys, values, at, this.options.pbxId);
  }

  private dialEvent(name: string, at: number, extra: Array<[string, string]>): AmiMessage {
    const keys = ['Event', 'Privilege', ...CHANNEL_KEYS, ...CHANNEL_KEYS.map((k) => `Dest${k}`)];
    const values = [name, 'call,all', ...this.channelValues(this.caller), ...this.channelValues(this.agent)];
    for (const [k, v] of extra) keys.push(k), values.push(v);
    return new AmiMessage(keys, values, at, this.options.pbxId);
  }

  private bridgeEvent(name: string, count: number, channel: Channel | null, at: number): AmiMessage {
    const keys = ['Event', 'Privilege', ...BRIDGE_KEYS];
    const values = [name, 'call,all', this.bridgeId, 'basic', 'simple_bridge', '<unknown>', '<unknown>', String(count), 'none'];
    if (channel) keys.push(...CHANNEL_KEYS), values.push(...this.channelValues(channel));
    return new AmiMessage(keys, values, at, this.options.pbxId);
  }

  private channelValues(c: Channel): string[] {
    return [
      c.name,
      String(c.state),
      STATE_DESC[c.state],
      c.callerNum,
      c.callerName,
      c.connectedNum,
      c.connectedName,
      'en',
      '',
      c.context,
      c.exten,
      c.priority,
      c.uniqueid,
      this.linkedid,
    ];
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
