import { AmiAction, AmiActionValue } from '../protocol/ami-action';
import { AmiActionValidationError } from '../protocol/ami-errors';

/** An action plus what the gateway must know to send it safely. */
export interface AmiActionSpec extends AmiAction {
  /**
   * True only for reads: such an action may be sent again after a lost connection.
   * Anything that changes a call (Originate, Redirect, Hangup...) is never re-sent:
   * the PBX may have carried it out before the connection dropped.
   */
  readonly idempotent: boolean;
}

export interface RedirectParams {
  channel: string;
  context: string;
  exten: string;
  priority: number | string;
  /** Second channel moved in the same step (both legs of a bridge, e.g. into `crm-hold`/`crm-hold-wait`). */
  extraChannel?: string;
  extraContext?: string;
  extraExten?: string;
  extraPriority?: number | string;
}

export interface BlindTransferParams {
  channel: string;
  context: string;
  exten: string;
}

export interface AtxferParams {
  channel: string;
  exten: string;
  context?: string;
}

export interface HangupParams {
  channel: string;
  /** Q.850 cause (16 normal clearing, 17 busy...). */
  cause?: number;
}

interface OriginateCommon {
  /** What to dial first (`PJSIP/1001`, `SIP/provider/8495...`, `Local/1001@from-internal`). */
  channel: string;
  /** Default true: answer at once and report the outcome later in `OriginateResponse`. */
  async?: boolean;
  /** Uniqueid for the dialled channel, preset so the CRM can correlate before any event arrives. */
  channelId?: string;
  /** Uniqueid for the second channel (the `;2` of a Local channel). */
  otherChannelId?: string;
  /** Ring timeout in milliseconds (Originate's `Timeout` is in ms). */
  timeoutMs?: number;
  /** `"Name" <number>` or just a number. */
  callerId?: string;
  account?: string;
  variables?: Record<string, string | number>;
  earlyMedia?: boolean;
  codecs?: string;
}

export interface OriginateToExtension extends OriginateCommon {
  context: string;
  exten: string;
  priority: number | string;
}

export interface OriginateToApplication extends OriginateCommon {
  application: string;
  data?: string;
}

export type OriginateParams = OriginateToExtension | OriginateToApplication;

export interface ParkParams {
  channel: string;
  /** Channel told about the parking space and called back on timeout. */
  timeoutChannel?: string;
  announceChannel?: string;
  timeoutMs?: number;
  parkinglot?: string;
}

export interface BridgeParams {
  channel1: string;
  channel2: string;
  /** Play a courtesy tone to: `no` (default in Asterisk), `Channel1`, `Channel2` or `Both`. */
  tone?: 'no' | 'Channel1' | 'Channel2' | 'Both';
}

export interface MixMonitorParams {
  channel: string;
  /** File name or absolute path with extension (`/var/spool/asterisk/monitor/x.wav`). */
  file?: string;
  /**
   * Single-letter MixMonitor flags only (`b`, `a`...). Flags that take an argument can
   * name files or shell commands, so they are refused; so is MixMonitor's `Command`.
   */
  options?: string;
  /**
   * Adds the `i(<name>)` option: MixMonitor stores its MixMonitorID in this channel variable
   * and answers it (`MixMonitorID:`), so that StopMixMonitor can stop this recording and not
   * another one running on the same channel (the dialplan's). A variable name only.
   */
  idVariable?: string;
}

export interface CancelAtxferParams {
  /** The transferer's channel: the one `Atxfer` was sent for. */
  channel: string;
}

export interface StopMixMonitorParams {
  channel: string;
  mixMonitorId?: string;
}

export interface MixMonitorMuteParams {
  channel: string;
  direction: 'read' | 'write' | 'both';
  state: boolean;
}

export interface MonitorParams {
  channel: string;
  /** Base name, no extension. */
  file?: string;
  format?: string;
  mix?: boolean;
}

export interface QueuePauseParams {
  /** The queue member interface, e.g. `SIP/1001`. */
  interface: string;
  paused: boolean;
  queue?: string;
  reason?: string;
}

export interface GetvarParams {
  channel?: string;
  /** A variable or a function read (`CDR(userfield)`). */
  variable: string;
}

export interface SetvarParams {
  channel?: string;
  variable: string;
  value: string;
}

export interface StatusParams {
  channel?: string;
  variables?: string[];
  allVariables?: boolean;
}

const CHANNEL = /^[A-Za-z][A-Za-z0-9_]*\/[^\s]+$/;
const CONTEXT = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const EXTEN = /^[A-Za-z0-9*#+_.-]+$/;
const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*(?:\([^()\r\n\0]*\))?$/;
const APPLICATION = /^[A-Za-z][A-Za-z0-9_]*$/;
const FILE = /^[A-Za-z0-9_.+@-][A-Za-z0-9_.+@/-]*$|^\/[A-Za-z0-9_.+@/-]+$/;
const FORMAT = /^[a-z0-9]+$/;
const FLAGS = /^[A-Za-z]*$/;
const UNIQUEID = /^[A-Za-z0-9._-]{1,150}$/;
const PLAIN_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Applications that run shell commands or arbitrary dialplan text: an AMI login must not become a shell. */
const FORBIDDEN_APPLICATIONS = new Set(['system', 'trysystem', 'exec', 'tryexec', 'execif', 'eval', 'agi', 'eagi', 'deadagi']);

type Fields = Array<[string, AmiActionValue]>;

/**
 * Builders for the actions the CRM sends. Each checks the shape of what it is given
 * (channel names, contexts, extensions, file names) so that user input that slipped
 * through the layers above cannot turn into a different action; the encoder then
 * refuses CR, LF, NUL and over-long lines in any value.
 */
export const amiActions = {
  login(username: string, secret: string, events: string): AmiActionSpec {
    return spec('Login', false, [
      ['Username', required('Login', 'Username', username)],
      ['Secret', required('Login', 'Secret', secret)],
      ['Events', events],
    ]);
  },

  logoff(): AmiActionSpec {
    return spec('Logoff', false, []);
  },

  ping(): AmiActionSpec {
    return spec('Ping', true, []);
  },

  redirect(p: RedirectParams): AmiActionSpec {
    const a = 'Redirect';
    const fields: Fields = [
      ['Channel', channel(a, 'Channel', p.channel)],
      ['Context', match(a, 'Context', p.context, CONTEXT)],
      ['Exten', match(a, 'Exten', p.exten, EXTEN)],
      ['Priority', priority(a, 'Priority', p.priority)],
    ];
    if (p.extraChannel !== undefined) {
      fields.push(['ExtraChannel', channel(a, 'ExtraChannel', p.extraChannel)]);
      if (p.extraContext !== undefined) fields.push(['ExtraContext', match(a, 'ExtraContext', p.extraContext, CONTEXT)]);
      if (p.extraExten !== undefined) fields.push(['ExtraExten', match(a, 'ExtraExten', p.extraExten, EXTEN)]);
      if (p.extraPriority !== undefined) fields.push(['ExtraPriority', priority(a, 'ExtraPriority', p.extraPriority)]);
    } else if (p.extraContext !== undefined || p.extraExten !== undefined || p.extraPriority !== undefined) {
      throw new AmiActionValidationError(a, 'ExtraContext/ExtraExten/ExtraPriority', 'need ExtraChannel');
    }
    return spec(a, false, fields);
  },

  blindTransfer(p: BlindTransferParams): AmiActionSpec {
    const a = 'BlindTransfer';
    return spec(a, false, [
      ['Channel', channel(a, 'Channel', p.channel)],
      ['Context', match(a, 'Context', p.context, CONTEXT)],
      ['Exten', match(a, 'Exten', p.exten, EXTEN)],
    ]);
  },

  /** Asterisk 13.18+: aborts the attended transfer `Atxfer` started on this channel (queues its atxferabort feature code). */
  cancelAtxfer(p: CancelAtxferParams): AmiActionSpec {
    return spec('CancelAtxfer', false, [['Channel', channel('CancelAtxfer', 'Channel', p.channel)]]);
  },

  atxfer(p: AtxferParams): AmiActionSpec {
    const a = 'Atxfer';
    const fields: Fields = [
      ['Channel', channel(a, 'Channel', p.channel)],
      ['Exten', match(a, 'Exten', p.exten, EXTEN)],
    ];
    if (p.context !== undefined) fields.push(['Context', match(a, 'Context', p.context, CONTEXT)]);
    return spec(a, false, fields);
  },

  hangup(p: HangupParams): AmiActionSpec {
    const a = 'Hangup';
    // CHANNEL also refuses `/regex/`, which Asterisk's Hangup would apply to every matching channel.
    const fields: Fields = [['Channel', channel(a, 'Channel', p.channel)]];
    if (p.cause !== undefined) fields.push(['Cause', integer(a, 'Cause', p.cause, 0, 127)]);
    return spec(a, false, fields);
  },

  originate(p: OriginateParams): AmiActionSpec {
    const a = 'Originate';
    const fields: Fields = [['Channel', channel(a, 'Channel', p.channel)]];
    const toApp = 'application' in p && p.application !== undefined;
    const toExten = 'exten' in p || 'context' in p || 'priority' in p;
    if (toApp === toExten) throw new AmiActionValidationError(a, 'target', 'must be either Context/Exten/Priority or Application');
    if (toApp) {
      const app = match(a, 'Application', (p as OriginateToApplication).application, APPLICATION);
      if (FORBIDDEN_APPLICATIONS.has(app.toLowerCase())) throw new AmiActionValidationError(a, 'Application', 'names an application that runs commands');
      fields.push(['Application', app]);
      const data = (p as OriginateToApplication).data;
      if (data !== undefined) fields.push(['Data', data]);
    } else {
      const e = p as OriginateToExtension;
      fields.push(['Context', match(a, 'Context', e.context, CONTEXT)], ['Exten', match(a, 'Exten', e.exten, EXTEN)], ['Priority', priority(a, 'Priority', e.priority)]);
    }
    if (p.timeoutMs !== undefined) fields.push(['Timeout', integer(a, 'Timeout', p.timeoutMs, 1, 24 * 3600 * 1000)]);
    if (p.callerId !== undefined) fields.push(['CallerID', p.callerId]);
    if (p.account !== undefined) fields.push(['Account', p.account]);
    if (p.earlyMedia !== undefined) fields.push(['EarlyMedia', p.earlyMedia]);
    if (p.codecs !== undefined) fields.push(['Codecs', match(a, 'Codecs', p.codecs, /^[a-z0-9,]+$/)]);
    fields.push(['Async', p.async ?? true]);
    if (p.channelId !== undefined) fields.push(['ChannelId', match(a, 'ChannelId', p.channelId, UNIQUEID)]);
    if (p.otherChannelId !== undefined) fields.push(['OtherChannelId', match(a, 'OtherChannelId', p.otherChannelId, UNIQUEID)]);
    for (const [name, value] of Object.entries(p.variables ?? {})) {
      fields.push(['Variable', `${match(a, 'Variable name', name, VARIABLE)}=${variableValue(a, name, value)}`]);
    }
    return spec(a, false, fields);
  },

  park(p: ParkParams): AmiActionSpec {
    const a = 'Park';
    const fields: Fields = [['Channel', channel(a, 'Channel', p.channel)]];
    if (p.timeoutChannel !== undefined) fields.push(['TimeoutChannel', channel(a, 'TimeoutChannel', p.timeoutChannel)]);
    if (p.announceChannel !== undefined) fields.push(['AnnounceChannel', channel(a, 'AnnounceChannel', p.announceChannel)]);
    if (p.timeoutMs !== undefined) fields.push(['Timeout', integer(a, 'Timeout', p.timeoutMs, 1, 24 * 3600 * 1000)]);
    if (p.parkinglot !== undefined) fields.push(['Parkinglot', match(a, 'Parkinglot', p.parkinglot, CONTEXT)]);
    return spec(a, false, fields);
  },

  bridge(p: BridgeParams): AmiActionSpec {
    const a = 'Bridge';
    const fields: Fields = [
      ['Channel1', channel(a, 'Channel1', p.channel1)],
      ['Channel2', channel(a, 'Channel2', p.channel2)],
    ];
    if (p.tone !== undefined) fields.push(['Tone', oneOf(a, 'Tone', p.tone, ['no', 'Channel1', 'Channel2', 'Both'])]);
    return spec(a, false, fields);
  },

  mixMonitor(p: MixMonitorParams): AmiActionSpec {
    const a = 'MixMonitor';
    const fields: Fields = [['Channel', channel(a, 'Channel', p.channel)]];
    if (p.file !== undefined) fields.push(['File', fileName(a, 'File', p.file)]);
    const flags = p.options === undefined ? undefined : match(a, 'Options', p.options, FLAGS);
    const id = p.idVariable === undefined ? '' : `i(${match(a, 'idVariable', p.idVariable, PLAIN_VARIABLE)})`;
    if (flags !== undefined || id !== '') fields.push(['Options', `${flags ?? ''}${id}`]);
    return spec(a, false, fields);
  },

  stopMixMonitor(p: StopMixMonitorParams): AmiActionSpec {
    const a = 'StopMixMonitor';
    const fields: Fields = [['Channel', channel(a, 'Channel', p.channel)]];
    if (p.mixMonitorId !== undefined) fields.push(['MixMonitorID', required(a, 'MixMonitorID', p.mixMonitorId)]);
    return spec(a, false, fields);
  },

  mixMonitorMute(p: MixMonitorMuteParams): AmiActionSpec {
    const a = 'MixMonitorMute';
    return spec(a, false, [
      ['Channel', channel(a, 'Channel', p.channel)],
      ['Direction', oneOf(a, 'Direction', p.direction, ['read', 'write', 'both'])],
      ['State', p.state ? 1 : 0],
    ]);
  },

  monitor(p: MonitorParams): AmiActionSpec {
    const a = 'Monitor';
    const fields: Fields = [['Channel', channel(a, 'Channel', p.channel)]];
    if (p.file !== undefined) fields.push(['File', fileName(a, 'File', p.file)]);
    if (p.format !== undefined) fields.push(['Format', match(a, 'Format', p.format, FORMAT)]);
    if (p.mix !== undefined) fields.push(['Mix', p.mix]);
    return spec(a, false, fields);
  },

  stopMonitor(p: { channel: string }): AmiActionSpec {
    return spec('StopMonitor', false, [['Channel', channel('StopMonitor', 'Channel', p.channel)]]);
  },

  queuePause(p: QueuePauseParams): AmiActionSpec {
    const a = 'QueuePause';
    const fields: Fields = [
      ['Interface', channel(a, 'Interface', p.interface)],
      ['Paused', p.paused],
    ];
    if (p.queue !== undefined) fields.push(['Queue', match(a, 'Queue', p.queue, CONTEXT)]);
    if (p.reason !== undefined) fields.push(['Reason', p.reason]);
    return spec(a, false, fields);
  },

  getvar(p: GetvarParams): AmiActionSpec {
    const a = 'Getvar';
    const fields: Fields = [];
    if (p.channel !== undefined) fields.push(['Channel', channel(a, 'Channel', p.channel)]);
    fields.push(['Variable', match(a, 'Variable', p.variable, VARIABLE)]);
    return spec(a, true, fields);
  },

  setvar(p: SetvarParams): AmiActionSpec {
    const a = 'Setvar';
    const fields: Fields = [];
    if (p.channel !== undefined) fields.push(['Channel', channel(a, 'Channel', p.channel)]);
    fields.push(['Variable', match(a, 'Variable', p.variable, VARIABLE)], ['Value', p.value]);
    return spec(a, false, fields);
  },

  coreShowChannels(): AmiActionSpec {
    return { ...spec('CoreShowChannels', true, []), list: true };
  },

  status(p: StatusParams = {}): AmiActionSpec {
    const a = 'Status';
    const fields: Fields = [];
    if (p.channel !== undefined) fields.push(['Channel', channel(a, 'Channel', p.channel)]);
    if (p.variables !== undefined) fields.push(['Variables', p.variables.map((v) => match(a, 'Variables', v, VARIABLE)).join(',')]);
    if (p.allVariables !== undefined) fields.push(['AllVariables', p.allVariables]);
    return { ...spec(a, true, fields), list: true };
  },

  /** A CLI command. Not idempotent: `core restart now` is a command too. */
  command(command: string): AmiActionSpec {
    return spec('Command', false, [['Command', required('Command', 'Command', command)]]);
  },
};

function spec(action: string, idempotent: boolean, fields: Fields): AmiActionSpec {
  return { action, idempotent, fields };
}

function required(action: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new AmiActionValidationError(action, field, 'is required');
  return value;
}

function match(action: string, field: string, value: unknown, pattern: RegExp): string {
  const text = required(action, field, value);
  if (!pattern.test(text)) throw new AmiActionValidationError(action, field, `has characters not allowed here (${pattern.source})`);
  return text;
}

function channel(action: string, field: string, value: unknown): string {
  return match(action, field, value, CHANNEL);
}

/** A dialplan priority: a number or a label. */
function priority(action: string, field: string, value: unknown): number | string {
  if (typeof value === 'number') return integer(action, field, value, 1, 1_000_000);
  const text = required(action, field, value);
  if (!/^[1-9][0-9]*$/.test(text) && !LABEL.test(text)) throw new AmiActionValidationError(action, field, 'must be a priority number or label');
  return text;
}

function integer(action: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AmiActionValidationError(action, field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(action: string, field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new AmiActionValidationError(action, field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function fileName(action: string, field: string, value: unknown): string {
  const text = match(action, field, value, FILE);
  if (text.split('/').includes('..')) throw new AmiActionValidationError(action, field, 'must not contain ".."');
  return text;
}

/** Asterisk splits a `Variable:` value on commas and reads quotes and backslashes: each would change the variables set. */
function variableValue(action: string, name: string, value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') throw new AmiActionValidationError(action, `Variable ${name}`, 'must be a string or a number');
  if (/[,"'\\]/.test(text)) throw new AmiActionValidationError(action, `Variable ${name}`, 'must not contain a comma, quote or backslash');
  return text;
}

/** The shapes the builders accept, for validators upstream (request DTOs) that should agree with them. */
export const AMI_NAME_PATTERNS = { CHANNEL, CONTEXT, EXTEN, LABEL, VARIABLE, FILE } as const;
