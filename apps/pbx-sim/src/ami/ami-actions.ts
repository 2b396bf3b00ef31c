import { createHash, randomInt } from 'node:crypto';
import type { AmiMessage } from '@app/ami';
import type { PbxEngine } from '../engine/pbx-engine';
import type { SimChannel } from '../engine/sim-channel';
import { AmiFields, formatEpochMicro } from '../engine/ami-event';
import { CallPlacer, PlaceCallError, CallKind, CallOutcome } from '../engine/call-placer';
import { PbxActionError } from '../engine/channel-control';
import { mixMonitorIdVariable } from '../engine/dialplan-apps';
import { parseEventMask, EventMask } from './event-mask';

export interface AmiUser {
  username: string;
  secret: string;
}

/** What an action needs from the connection it arrived on. */
export interface AmiSession {
  authenticated: boolean;
  username: string | null;
  challenge: string | null;
  events: EventMask;
  /** Writes one response or list event (already ordered keys) to this client only. */
  send(fields: AmiFields): void;
  /** Closes the connection after what was written so far. */
  close(): void;
}

type Handler = (s: AmiSession, m: AmiMessage, id: string | undefined) => void | Promise<void>;

/** Dialplan applications a `write = ... originate` user may not Originate without the `system` class (manager.c). */
const FORBIDDEN_APPS = ['agi', 'dbdeltree', 'exec', 'externalivr', 'mixmonitor', 'originate', 'reload', 'system'];
const FORBIDDEN_DATA = ['CURL', 'DB', 'EVAL', 'FILE', 'ODBC', 'REALTIME', 'SHELL'];
const COMMAND_BLACKLIST = [['module', 'load'], ['module', 'unload'], ['restart', 'gracefully']];
const MAX_UNIQUEID = 150;

const SYNOPSIS: Record<string, string> = {
  Login: 'Login Manager.',
  Challenge: 'Generate Challenge for MD5 Auth.',
  Logoff: 'Logoff Manager.',
  Ping: 'Keepalive command.',
  Events: 'Control Event Flow.',
  ListCommands: 'List available manager commands.',
  CoreShowChannels: 'List currently active channels.',
  Status: 'List channel status.',
  Command: 'Execute Asterisk CLI Command.',
  SIPpeers: 'List SIP peers (text format).',
  Getvar: 'Gets a channel variable or function value.',
  Setvar: 'Sets a channel variable or function value.',
  Hangup: 'Hangup channel.',
  Redirect: 'Redirect (transfer) a call.',
  BlindTransfer: 'Blind transfer channel(s) to the given destination.',
  Atxfer: 'Attended transfer.',
  CancelAtxfer: 'Cancel an attended transfer.',
  Originate: 'Originate a call.',
  Bridge: 'Bridge two channels already in the PBX.',
  Park: 'Park a channel.',
  MixMonitor: 'Record a call and mix the audio during the recording.',
  StopMixMonitor: 'Stop recording a call through MixMonitor, and free the recording\'s file handle.',
  Monitor: 'Monitor a channel.',
  StopMonitor: 'Stop monitoring a channel.',
  QueuePause: 'Makes a queue member temporarily unavailable.',
  SimPlaceCall: 'Place a scripted call (pbx-sim only).',
};

/**
 * The manager actions the simulator answers, with Asterisk 20's exact response texts
 * (from the captures and manager.c). Each handler validates, answers, and only then
 * changes the simulated PBX, so the response precedes the events it causes, as on a
 * real Asterisk.
 */
export class AmiActions {
  private readonly handlers = new Map<string, [string, Handler]>();

  constructor(
    private readonly engine: PbxEngine,
    private readonly placer: CallPlacer,
    private readonly users: readonly AmiUser[],
    private readonly authFailDelayMs: number,
  ) {
    const h: [string, Handler][] = [
      ['Login', (s, m, id) => this.login(s, m, id)],
      ['Challenge', (s, m, id) => this.challenge(s, m, id)],
      ['Logoff', (s, _m, id) => this.logoff(s, id)],
      ['Ping', (s, _m, id) => s.send(reply('Success', id).add('Ping', 'Pong').add('Timestamp', formatEpochMicro(this.engine.clock.now())))],
      ['Events', (s, m, id) => this.events(s, m, id)],
      ['ListCommands', (s, _m, id) => this.listCommands(s, id)],
      ['CoreShowChannels', (s, _m, id) => this.coreShowChannels(s, id)],
      ['Status', (s, m, id) => this.status(s, m, id)],
      ['Command', (s, m, id) => this.command(s, m, id)],
      ['SIPpeers', (s, _m, id) => this.sipPeers(s, id)],
      ['Getvar', (s, m, id) => this.getvar(s, m, id)],
      ['Setvar', (s, m, id) => this.setvar(s, m, id)],
      ['Hangup', (s, m, id) => this.hangup(s, m, id)],
      ['Redirect', (s, m, id) => this.redirect(s, m, id)],
      ['BlindTransfer', (s, m, id) => this.blindTransfer(s, m, id)],
      ['Atxfer', (s, m, id) => this.atxfer(s, m, id)],
      ['CancelAtxfer', (s, m, id) => this.cancelAtxfer(s, m, id)],
      ['Originate', (s, m, id) => this.originate(s, m, id)],
      ['Bridge', (s, m, id) => this.bridge(s, m, id)],
      ['Park', (s, m, id) => this.park(s, m, id)],
      ['MixMonitor', (s, m, id) => this.mixMonitor(s, m, id)],
      ['StopMixMonitor', (s, m, id) => this.stopMixMonitor(s, m, id)],
      ['Monitor', (s, m, id) => this.monitor(s, m, id)],
      ['StopMonitor', (s, m, id) => this.stopMonitor(s, m, id)],
      ['QueuePause', (s, m, id) => this.queuePause(s, m, id)],
      ['SimPlaceCall', (s, m, id) => this.simPlaceCall(s, m, id)],
    ];
    const removed = new Set(engine.dialect.removed.actions);
    for (const [name, fn] of h) if (!removed.has(name)) this.handlers.set(name.toLowerCase(), [name, fn]);
  }

  /** Handles one message from a client. Never throws: every failure becomes `Response: Error`. */
  async handle(s: AmiSession, m: AmiMessage): Promise<void> {
    const id = m.get('ActionID');
    const action = m.kind === 'action' ? m.name.trim() : '';
    if (!action) {
      s.send(error(id, 'Missing action in request'));
      return;
    }
    const lower = action.toLowerCase();
    if (!s.authenticated && lower !== 'login' && lower !== 'logoff' && lower !== 'challenge') {
      s.send(error(id, 'Permission denied'));
      return;
    }
    const entry = this.handlers.get(lower);
    if (!entry) {
      s.send(error(id, `Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`));
      return;
    }
    try {
      await entry[1](s, m, id);
    } catch (err) {
      if (err instanceof PbxActionError || err instanceof PlaceCallError) s.send(error(id, err.message));
      else {
        this.engine.reportError(err as Error);
        s.send(error(id, 'Internal error'));
      }
    }
  }

  // ---- session ------------------------------------------------------------------------------------

  private async login(s: AmiSession, m: AmiMessage, id: string | undefined): Promise<void> {
    if (s.authenticated) {
      s.send(reply('Success', id, 'Already authenticated'));
      return;
    }
    const username = m.get('Username') ?? '';
    const user = this.users.find((u) => u.username === username);
    const authType = (m.get('AuthType') ?? '').toLowerCase();
    let ok = false;
    if (user && authType === 'md5') {
      ok = !!s.challenge && md5(s.challenge + user.secret) === (m.get('Key') ?? '').toLowerCase();
    } else if (user) {
      ok = m.get('Secret') === user.secret;
    }
    if (!ok) {
      // manager.c sleeps a second before refusing, then drops the connection.
      if (this.authFailDelayMs > 0) await new Promise((r) => setTimeout(r, this.authFailDelayMs));
      s.send(error(id, 'Authentication failed'));
      s.close();
      return;
    }
    s.authenticated = true;
    s.username = username;
    const events = m.get('Events');
    s.events = events === undefined ? parseEventMask('on') : parseEventMask(events);
    s.send(reply('Success', id, 'Authentication accepted'));
    if (s.events.allows(['system'])) {
      const uptime = String(Math.floor((this.engine.clock.now() - this.engine.startedAt) / 1000));
      s.send(new AmiFields().add('Event', 'FullyBooted').add('Privilege', 'system,all').add('Uptime', uptime).add('LastReload', uptime).add('Status', 'Fully Booted'));
    }
  }

  private challenge(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    if ((m.get('AuthType') ?? '').toLowerCase() !== 'md5') {
      s.send(error(id, 'Must specify AuthType'));
      return;
    }
    s.challenge ??= String(randomInt(100000000, 999999999));
    s.send(reply('Success', id).add('Challenge', s.challenge));
  }

  private logoff(s: AmiSession, id: string | undefined): void {
    s.send(reply('Goodbye', id, 'Thanks for all the fish.'));
    s.close();
  }

  private events(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const mask = parseEventMask(m.get('EventMask') ?? '');
    if (mask.invalid) {
      s.send(error(id, 'Invalid event mask'));
      return;
    }
    s.events = mask;
    s.send(reply('Success', id).add('Events', mask.none ? 'Off' : 'On'));
  }

  private listCommands(s: AmiSession, id: string | undefined): void {
    const r = reply('Success', id);
    for (const [name] of this.handlers.values()) r.add(name, `${SYNOPSIS[name] ?? name}  (Priv: ${name === 'SimPlaceCall' ? 'originate' : '<none>'})`);
    s.send(r);
  }

  // ---- lists and queries --------------------------------------------------------------------------

  private coreShowChannels(s: AmiSession, id: string | undefined): void {
    s.send(reply('Success', id).add('EventList', 'start').add('Message', 'Channels will follow'));
    const channels = this.engine.liveChannels();
    for (const ch of channels) {
      const f = new AmiFields().add('Event', 'CoreShowChannel');
      if (id !== undefined) f.add('ActionID', id);
      const snap = ch.snapshot();
      f.addAll(snap.keys, snap.values)
        .add('Application', ch.app)
        .add('ApplicationData', ch.appData)
        .add('Duration', hms(this.engine.clock.now() - ch.createdAt))
        .add('BridgeId', ch.bridge?.uniqueid ?? '');
      s.send(f);
    }
    s.send(listComplete('CoreShowChannelsComplete', id, channels.length));
  }

  private status(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const name = m.get('Channel') ?? '';
    const channels = name ? [this.engine.channel(name)].filter((c): c is SimChannel => !!c) : this.engine.liveChannels();
    if (name && channels.length === 0) {
      s.send(error(id, 'No such channel'));
      return;
    }
    const variables = (m.get('Variables') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    s.send(reply('Success', id).add('EventList', 'start').add('Message', 'Channel status will follow'));
    const now = this.engine.clock.now();
    for (const ch of channels) {
      const snap = ch.snapshot();
      const f = new AmiFields()
        .add('Event', 'Status')
        .add('Privilege', 'Call')
        .addAll(snap.keys, snap.values)
        .add('Type', this.engine.dialect.tech)
        .add('DNID', ch.dnid)
        .add('EffectiveConnectedLineNum', ch.connectedNum)
        .add('EffectiveConnectedLineName', ch.connectedName)
        .add('TimeToHangup', 0)
        .add('BridgeID', ch.bridge?.uniqueid ?? '')
        .add('Application', ch.app)
        .add('Data', ch.appData)
        .add('Nativeformats', '(ulaw)')
        .add('Readformat', 'ulaw')
        .add('Readtrans', '')
        .add('Writeformat', 'ulaw')
        .add('Writetrans', '')
        .add('Callgroup', 0)
        .add('Pickupgroup', 0)
        .add('Seconds', Math.floor((now - ch.createdAt) / 1000));
      for (const v of variables) f.add('Variable', `${v}=${this.engine.getVar(ch, v)}`);
      if (id !== undefined) f.add('ActionID', id);
      s.send(f);
    }
    s.send(listComplete('StatusComplete', id, channels.length).add('Items', channels.length));
  }

  private command(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const cmd = (m.get('Command') ?? '').trim();
    if (!cmd) {
      s.send(error(id, 'No command provided'));
      return;
    }
    const words = cmd.toLowerCase().split(/\s+/);
    if (COMMAND_BLACKLIST.some((b) => b.every((w, i) => words[i] === w))) {
      s.send(error(id, 'Command blacklisted'));
      return;
    }
    const output = this.cli(words);
    const r = reply(output ? 'Success' : 'Error', id).add('Message', 'Command output follows');
    for (const line of output ?? [`No such command '${cmd}' (type 'core show help ${cmd}' for other possible commands)`]) r.add('Output', line);
    s.send(r);
  }

  /** The few CLI commands a CRM runs; null for anything else. */
  private cli(words: string[]): string[] | null {
    const e = this.engine;
    const cmd = words.join(' ');
    if (cmd === 'core show channels' || cmd === 'core show channels verbose') {
      const row = (a: string, b: string, c: string, d: string): string => `${pad(a, 64)} ${pad(b, 32)} ${pad(c, 7)} ${pad(d, 30)}`;
      const live = e.liveChannels();
      const lines = [row('Channel', 'Location', 'State', 'Application(Data)')];
      for (const ch of live) {
        const location = ch.exten ? `${ch.exten}@${ch.context}:${ch.priority}` : '(None)';
        lines.push(row(ch.name, location, ch.stateDesc, ch.app ? `${ch.app}(${ch.appData})` : '(None)'));
      }
      const calls = new Set(live.map((c) => c.linkedid)).size;
      lines.push(plural(live.length, 'active channel'), plural(calls, 'active call'), plural(e.callsProcessed, 'call processed', 'calls processed'));
      return lines;
    }
    if (cmd === 'core show version') return [`${e.dialect.version} built by pbx-sim @ localhost on a x86_64 running Linux`];
    if (cmd === 'core show uptime' || cmd === 'core show uptime seconds') {
      const up = Math.floor((e.clock.now() - e.startedAt) / 1000);
      return words[3] === 'seconds' ? [`System uptime: ${up}`, `Last reload: ${up}`] : [`System uptime: ${up} seconds`, `Last reload: ${up} seconds`];
    }
    return null;
  }

  private sipPeers(s: AmiSession, id: string | undefined): void {
    s.send(reply('Success', id).add('EventList', 'start').add('Message', 'Peer status list will follow'));
    const peers = [...this.engine.peers.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const p of peers) {
      const f = new AmiFields().add('Event', 'PeerEntry');
      if (id !== undefined) f.add('ActionID', id);
      f.add('Channeltype', 'SIP')
        .add('ObjectName', p.name)
        .add('ChanObjectType', 'peer')
        .add('IPaddress', p.registered ? '127.0.0.1' : '-none-')
        .add('IPport', p.registered ? p.port : 0)
        .add('Dynamic', p.registered ? 'no' : 'yes')
        .add('AutoForcerport', 'yes')
        .add('Forcerport', 'no')
        .add('AutoComedia', 'no')
        .add('Comedia', 'no')
        .add('VideoSupport', 'no')
        .add('TextSupport', 'no')
        .add('ACL', 'no')
        .add('Status', 'Unmonitored')
        .add('RealtimeDevice', 'no')
        .add('Description', '')
        .add('Accountcode', '');
      s.send(f);
    }
    s.send(listComplete('PeerlistComplete', id, peers.length));
  }

  private getvar(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const variable = m.get('Variable') ?? '';
    if (!variable) {
      s.send(error(id, 'No variable specified'));
      return;
    }
    const name = m.get('Channel') ?? '';
    const ch = name ? this.engine.channel(name) : null;
    if (name && !ch) {
      s.send(error(id, 'No such channel'));
      return;
    }
    s.send(reply('Success', id).add('Variable', variable).add('Value', this.engine.getVar(ch ?? null, variable)));
  }

  private setvar(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const variable = m.get('Variable') ?? '';
    if (!variable) {
      s.send(error(id, 'No variable specified'));
      return;
    }
    const name = m.get('Channel') ?? '';
    const ch = name ? this.engine.channel(name) : undefined;
    if (name && !ch) {
      s.send(error(id, 'No such channel'));
      return;
    }
    s.send(reply('Success', id, 'Variable Set'));
    const value = m.get('Value') ?? '';
    if (!ch) this.engine.globals.set(variable, value);
    else if (variable === 'CDR(userfield)') ch.userField = value;
    else this.engine.varSet(ch, variable, value);
  }

  // ---- call control -------------------------------------------------------------------------------

  private hangup(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const name = m.get('Channel') ?? '';
    if (!name) {
      s.send(error(id, 'No channel specified'));
      return;
    }
    const causeText = m.get('Cause');
    let cause = causeText === undefined || causeText === '' ? 0 : Number(causeText);
    if (!Number.isInteger(cause) || cause < 0 || cause > 127) cause = 0;
    if (name.startsWith('/') && name.endsWith('/') && name.length > 1) {
      let re: RegExp;
      try {
        re = new RegExp(name.slice(1, -1));
      } catch {
        s.send(error(id, 'Regex compile failed on: ' + name));
        return;
      }
      const matched = this.engine.liveChannels().filter((c) => re.test(c.name));
      s.send(reply('Success', id).add('EventList', 'start').add('Message', 'Channels hung up will follow'));
      for (const ch of matched) {
        const f = new AmiFields().add('Event', 'ChannelHungup').add('Channel', ch.name);
        if (id !== undefined) f.add('ActionID', id);
        s.send(f);
        this.engine.control.amiHangup(ch, cause || 16);
      }
      s.send(listComplete('ChannelsHungupListComplete', id, matched.length));
      return;
    }
    const ch = this.engine.channel(name);
    if (!ch) {
      s.send(error(id, 'No such channel'));
      return;
    }
    s.send(reply('Success', id, 'Channel Hungup'));
    this.engine.control.amiHangup(ch, cause || ch.hangupCause || 16);
  }

  private redirect(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const name = m.get('Channel') ?? '';
    const extra = m.get('ExtraChannel') ?? '';
    const context = m.get('Context') ?? '';
    const exten = m.get('Exten') ?? '';
    const priority = m.get('Priority') ?? '';
    const required: [string, string][] = [
      [name, 'Channel not specified'],
      [context, 'Context not specified'],
      [exten, 'Exten not specified'],
      [priority, 'Priority not specified'],
    ];
    for (const [v, msg] of required) {
      if (!v) {
        s.send(error(id, msg));
        return;
      }
    }
    const pi = Number.parseInt(priority, 10);
    if (!(pi >= 1)) {
      s.send(error(id, 'Priority is invalid'));
      return;
    }
    const extraContext = m.get('ExtraContext') ?? '';
    let pi2 = pi;
    if (extra && extraContext) {
      if (!m.get('ExtraExten')) {
        s.send(error(id, 'ExtraExten not specified'));
        return;
      }
      if (!m.get('ExtraPriority')) {
        s.send(error(id, 'ExtraPriority not specified'));
        return;
      }
      pi2 = Number.parseInt(m.get('ExtraPriority') ?? '', 10);
      if (!(pi2 >= 1)) {
        s.send(error(id, 'ExtraPriority is invalid'));
        return;
      }
    }
    const ch = this.engine.channel(name);
    if (!ch) {
      s.send(error(id, `Channel does not exist: ${name}`));
      return;
    }
    const target = { context, exten, priority: pi };
    if (!extra) {
      if (!ch.hasPbx && !ch.bridge) {
        s.send(error(id, 'Redirect failed'));
        return;
      }
      s.send(reply('Success', id, 'Redirect successful'));
      this.engine.control.redirect(ch, target);
      return;
    }
    const ch2 = this.engine.channel(extra);
    if (!ch2) {
      s.send(error(id, `ExtraChannel does not exist: ${extra}`));
      return;
    }
    s.send(reply('Success', id, 'Dual Redirect successful'));
    const target2 = extraContext ? { context: extraContext, exten: m.get('ExtraExten') ?? exten, priority: pi2 } : target;
    this.engine.control.dualRedirect(ch, target, ch2, target2);
  }

  private blindTransfer(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const ch = this.transferChannel(s, m, id);
    if (!ch) return;
    const exten = m.get('Exten') ?? '';
    const context = m.get('Context') || ch.context;
    const peer = ch.bridge?.peerOf(ch);
    if (!ch.bridge || !peer || !this.engine.dialplan.exists(context, exten)) {
      s.send(error(id, 'Transfer invalid'));
      return;
    }
    s.send(reply('Success', id, 'Transfer succeeded'));
    this.engine.control.blindTransfer(ch, exten, context);
  }

  private atxfer(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const ch = this.transferChannel(s, m, id);
    if (!ch) return;
    const exten = m.get('Exten') ?? '';
    const context = m.get('Context') || 'from-internal';
    if (m.get('Context')) this.engine.varSet(ch, 'TRANSFER_CONTEXT', context);
    s.send(reply('Success', id, 'Atxfer successfully queued'));
    // The feature code and digits arrive as DTMF frames; the transfer starts once they are read.
    // Started over AMI, the transfer waits for the CRM to complete (Hangup) or cancel it.
    this.engine.timer(ch, 200, () => this.engine.control.atxfer(ch, exten, context, null));
  }

  /** manager.c action_cancel_atxfer: the atxferabort code (`*1`) queued as DTMF on the transferer. */
  private cancelAtxfer(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const name = m.get('Channel') ?? '';
    if (!name) {
      s.send(error(id, 'No channel specified'));
      return;
    }
    const ch = this.engine.channel(name);
    if (!ch) {
      s.send(error(id, 'Channel specified does not exist'));
      return;
    }
    s.send(reply('Success', id, 'CancelAtxfer successfully queued'));
    this.engine.timer(ch, 100, () => this.engine.control.cancelAtxfer(ch));
  }

  private transferChannel(s: AmiSession, m: AmiMessage, id: string | undefined): SimChannel | null {
    const name = m.get('Channel') ?? '';
    if (!name) {
      s.send(error(id, 'No channel specified'));
      return null;
    }
    if (!m.get('Exten')) {
      s.send(error(id, 'No extension specified'));
      return null;
    }
    const ch = this.engine.channel(name);
    if (!ch) s.send(error(id, 'Channel specified does not exist'));
    return ch ?? null;
  }

  private async originate(s: AmiSession, m: AmiMessage, id: string | undefined): Promise<void> {
    const e = this.engine;
    const channelId = m.get('ChannelId') ?? '';
    const otherId = m.get('OtherChannelId') ?? '';
    if (channelId.length > MAX_UNIQUEID || otherId.length > MAX_UNIQUEID) {
      s.send(error(id, `Uniqueid length exceeds maximum of ${MAX_UNIQUEID}`));
      return;
    }
    if (channelId && e.channelByUniqueid(channelId)) {
      s.send(error(id, 'Originate failed'));
      return;
    }
    const channel = m.get('Channel') ?? '';
    if (!channel) {
      s.send(error(id, 'Channel not specified'));
      return;
    }
    const priorityText = m.get('Priority') ?? '';
    const priority = priorityText ? Number.parseInt(priorityText, 10) : 0;
    if (priorityText && !(priority >= 1)) {
      s.send(error(id, 'Invalid priority'));
      return;
    }
    const timeoutText = m.get('Timeout') ?? '';
    const timeoutMs = timeoutText ? Number.parseInt(timeoutText, 10) : 30000;
    if (!Number.isFinite(timeoutMs)) {
      s.send(error(id, 'Invalid timeout'));
      return;
    }
    if (!channel.includes('/')) {
      s.send(error(id, 'Invalid channel'));
      return;
    }
    const application = m.get('Application') ?? '';
    const data = m.get('Data') ?? '';
    if (application && (FORBIDDEN_APPS.some((a) => application.toLowerCase().includes(a)) || FORBIDDEN_DATA.some((d) => data.includes(d)))) {
      s.send(error(id, 'Originate Access Forbidden: app or data blacklisted'));
      return;
    }
    const context = m.get('Context') ?? '';
    const exten = m.get('Exten') ?? '';
    if (!application) {
      if (!exten || !context || !priority) {
        s.send(error(id, "Originate with 'Exten' requires 'Context' and 'Priority'"));
        return;
      }
      if (!e.dialplan.exists(context, exten, priority)) {
        s.send(error(id, 'Extension does not exist.'));
        return;
      }
    }
    const { num, name } = parseCallerId(m.get('CallerID') ?? '');
    const variables: [string, string][] = [];
    for (const line of m.getAll('Variable')) {
      for (const part of line.split(',')) {
        const eq = part.indexOf('=');
        if (eq > 0) variables.push([part.slice(0, eq).trim(), part.slice(eq + 1)]);
      }
    }
    const req = { channel, context, exten, priority: priority || 1, application, data, callerNum: num, callerName: name, timeoutMs: Math.max(0, timeoutMs), variables, channelId, actionId: id };
    const async = /^(1|yes|true|y|t|on)$/i.test(m.get('Async') ?? '');
    if (async) {
      s.send(reply('Success', id, 'Originate successfully queued'));
      e.originator.originate(req);
      return;
    }
    const ok = await new Promise<boolean>((resolve) => e.originator.originate({ ...req, actionId: undefined }, resolve));
    s.send(ok ? reply('Success', id, 'Originate successfully queued') : error(id, 'Originate failed'));
  }

  private bridge(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const a = m.get('Channel1') ?? '';
    const b = m.get('Channel2') ?? '';
    if (!a || !b) {
      s.send(error(id, 'Missing channel parameter in request'));
      return;
    }
    const cha = this.byPrefix(a);
    if (!cha) {
      s.send(error(id, `Channel1 does not exist: ${a}`));
      return;
    }
    const chb = this.byPrefix(b);
    if (!chb) {
      s.send(error(id, `Channel2 does not exist: ${b}`));
      return;
    }
    if (cha === chb) {
      s.send(error(id, `Unable to add Channel2 to bridge: ${chb.name}`));
      return;
    }
    s.send(reply('Success', id, 'Channels have been bridged'));
    this.engine.control.bridgeChannels(cha, chb);
  }

  private park(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const name = m.get('Channel') ?? '';
    if (!name) {
      s.send(error(id, 'Channel not specified'));
      return;
    }
    const ch = this.engine.channel(name);
    if (!ch) {
      s.send(error(id, `Channel does not exist: ${name}`));
      return;
    }
    const timeoutName = m.get('TimeoutChannel') ?? '';
    const timeoutCh = timeoutName ? this.engine.channel(timeoutName) : ch.bridge?.peerOf(ch);
    if (timeoutName && !timeoutCh) {
      s.send(error(id, `Channel does not exist: ${timeoutName}`));
      return;
    }
    const timeoutMs = Number.parseInt(m.get('Timeout') ?? '', 10);
    s.send(reply('Success', id, 'Park successful'));
    const parker = `${this.engine.dialect.tech}/${(timeoutCh ?? ch).peer.name}`;
    this.engine.control.park(ch, parker, timeoutMs > 0 ? timeoutMs : this.engine.config.parkingTimeoutMs);
  }

  private mixMonitor(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const ch = this.requireChannel(s, m, id);
    if (!ch) return;
    const file = m.get('File') || `${ch.name.replace('/', '-')}-${Math.floor(this.engine.clock.now() / 1000)}.wav`;
    if (file.includes('..')) {
      s.send(error(id, 'Could not start monitoring channel'));
      return;
    }
    // With the i(<var>) option the answer carries the MixMonitorID, which StopMixMonitor can name.
    const idVariable = mixMonitorIdVariable(m.get('Options') ?? '');
    const monitorId = idVariable ? this.engine.newMixMonitorId() : '';
    const r = reply('Success', id);
    if (idVariable) r.add('MixMonitorID', monitorId);
    s.send(r);
    this.engine.startMixMonitor(ch, file, idVariable, monitorId);
    if (ch.bridge) this.engine.setBridgeVars(ch.bridge);
  }

  private stopMixMonitor(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const ch = this.requireChannel(s, m, id);
    if (!ch) return;
    const monitorId = m.get('MixMonitorID') || undefined;
    if (!ch.recordings.some((r) => r.source === 'mixmonitor' && r.stoppedAt === null && (monitorId === undefined || r.id === monitorId))) {
      s.send(error(id, 'Could not stop MixMonitor'));
      return;
    }
    s.send(reply('Success', id));
    this.engine.stopMixMonitor(ch, true, monitorId);
    // The bridge re-reads its members' variables once the audiohook is gone.
    this.engine.timer(ch, 15, () => {
      if (ch.bridge) this.engine.setBridgeVars(ch.bridge);
    });
  }

  private monitor(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const ch = this.requireChannel(s, m, id);
    if (!ch) return;
    const file = (m.get('File') || ch.name.replace('/', '-')).replace(/\.wav$/i, '');
    if (file.includes('..')) {
      s.send(error(id, 'Could not start monitoring channel'));
      return;
    }
    s.send(reply('Success', id, 'Started monitoring channel'));
    if (!ch.recordings.some((r) => r.source === 'monitor' && r.stoppedAt === null)) this.engine.startMonitor(ch, file);
  }

  private stopMonitor(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const ch = this.requireChannel(s, m, id);
    if (!ch) return;
    if (!ch.recordings.some((r) => r.source === 'monitor' && r.stoppedAt === null)) {
      s.send(error(id, 'Could not stop monitoring channel'));
      return;
    }
    s.send(reply('Success', id, 'Stopped monitoring channel'));
    this.engine.stopMonitor(ch);
  }

  private queuePause(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const iface = m.get('Interface') ?? '';
    const paused = m.get('Paused') ?? '';
    if (!iface) {
      s.send(error(id, "Need 'Interface' parameter."));
      return;
    }
    if (!paused) {
      s.send(error(id, "Need 'Paused' parameter."));
      return;
    }
    const prefix = `${this.engine.dialect.tech}/`;
    const member = iface.toUpperCase().startsWith(prefix.toUpperCase()) ? iface.slice(prefix.length) : iface;
    const only = m.get('Queue') ?? '';
    const queues = this.engine.queueConfigs.filter((q) => q.members.includes(member) && (!only || q.name === only));
    if (queues.length === 0) {
      s.send(error(id, 'Interface not found'));
      return;
    }
    const on = /^(1|yes|true|y|t|on)$/i.test(paused);
    s.send(reply('Success', id, on ? 'Interface paused successfully' : 'Interface unpaused successfully'));
    for (const q of queues) this.engine.devices.setPaused(q.name, member, on, m.get('Reason') ?? '');
  }

  private simPlaceCall(s: AmiSession, m: AmiMessage, id: string | undefined): void {
    const num = (key: string): number | undefined => {
      const v = m.get(key);
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new PlaceCallError('invalid-option', `${key} must be a number`);
      return n;
    };
    const hangupBy = m.get('HangupBy');
    const placed = this.placer.place({
      kind: (m.get('Kind') ?? 'inbound') as CallKind,
      from: m.get('From') || undefined,
      to: m.get('To') || undefined,
      outcome: (m.get('Outcome') || undefined) as CallOutcome | undefined,
      ringMs: num('RingMs'),
      talkMs: num('TalkMs'),
      hangupBy: hangupBy === 'caller' || hangupBy === 'callee' ? hangupBy : undefined,
      answeredBy: m.get('AnsweredBy') || undefined,
    });
    s.send(reply('Success', id, 'Call placed').add('Linkedid', placed.linkedid).add('Channel', placed.channel).add('Uniqueid', placed.uniqueid));
  }

  private requireChannel(s: AmiSession, m: AmiMessage, id: string | undefined): SimChannel | null {
    const name = m.get('Channel') ?? '';
    if (!name) {
      s.send(error(id, 'No channel specified'));
      return null;
    }
    const ch = this.engine.channel(name);
    if (!ch) s.send(error(id, 'No such channel'));
    return ch ?? null;
  }

  /** Bridge looks channels up by name prefix (`SIP/1001` finds `SIP/1001-00000049`, `PJSIP/1001` likewise). */
  private byPrefix(prefix: string): SimChannel | undefined {
    return this.engine.channel(prefix) ?? this.engine.liveChannels().find((c) => c.name.startsWith(prefix));
  }
}

function reply(response: string, id: string | undefined, message?: string): AmiFields {
  const f = new AmiFields().add('Response', response);
  if (id !== undefined) f.add('ActionID', id);
  if (message !== undefined) f.add('Message', message);
  return f;
}

function error(id: string | undefined, message: string): AmiFields {
  return reply('Error', id, message);
}

function listComplete(event: string, id: string | undefined, items: number): AmiFields {
  const f = new AmiFields().add('Event', event);
  if (id !== undefined) f.add('ActionID', id);
  return f.add('EventList', 'Complete').add('ListItems', items);
}

function hms(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(total / 3600))}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
}

function pad(s: string, width: number): string {
  return s.length > width ? s.slice(0, width) : s.padEnd(width);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** ast_callerid_parse: `"Name" <num>`, `Name <num>`, `<num>`, `num` or `Name`. */
export function parseCallerId(text: string): { num: string | null; name: string | null } {
  const t = text.trim();
  if (!t) return { num: null, name: null };
  const m = /^(.*?)<([^>]*)>\s*$/.exec(t);
  if (m) {
    const name = m[1].trim().replace(/^"(.*)"$/, '$1');
    return { num: m[2].trim() || null, name: name || null };
  }
  return /^[0-9+*#]+$/.test(t) ? { num: t, name: null } : { num: null, name: t.replace(/^"(.*)"$/, '$1') };
}
