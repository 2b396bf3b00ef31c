import type { TraceMessage } from './capture-comparison';

function get(m: TraceMessage, key: string): string | undefined {
  const i = m.keys.indexOf(key);
  return i < 0 ? undefined : m.values[i];
}

const HANGUP_EVENTS = new Set(['Hangup', 'HangupRequest', 'SoftHangupRequest']);

/**
 * The differences `test/fixtures/ami22/README.md` lists between Asterisk 22 (chan_pjsip)
 * and Asterisk 20 (chan_sip), as checks over an event stream: every rule a stream breaks,
 * one line each. The real Asterisk 22 captures break none and the Asterisk 20 captures
 * break several, so the rules can judge calls no Asterisk 22 capture shows (no answer,
 * queue, Originate, hold by Redirect) as the simulator plays them in the 22 dialect.
 */
export function asterisk22RuleViolations(messages: readonly TraceMessage[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const note = (rule: string): void => {
    if (!seen.has(rule)) out.push(rule);
    seen.add(rule);
  };
  const born = new Map<string, string>();
  const requests = new Map<string, TraceMessage>();
  const gosubPending = new Map<string, 'args' | 'return'>();
  for (const m of messages) {
    if (m.keys[0] !== 'Event') continue;
    const name = m.values[0];
    const channel = get(m, 'Channel');
    // (OriginateResponse's Channel is the dial string asked for, not a channel name.)
    for (const key of name === 'OriginateResponse' ? [] : ['Channel', 'DestChannel', 'TransfererChannel', 'TransfereeChannel']) {
      const v = get(m, key);
      if (v !== undefined && !/^(PJSIP\/[^-]+-[0-9a-f]{8}|Local\/.+;[12])$/.test(v)) note(`${key} ${v} is not a PJSIP/<endpoint>-<8 hex> or Local channel`);
    }
    if (name === 'VarSet' && channel) {
      const variable = get(m, 'Variable') ?? '';
      if (variable === 'SIPURI' || variable === 'SIPCALLID') note(`chan_sip's ${variable} is set on ${channel}`);
      if (variable.startsWith('MACRO_')) note(`app_macro's ${variable} is set on ${channel} (Asterisk 22 has no Macro)`);
    }
    if (name === 'MonitorStart' || name === 'MonitorStop') note(`${name} on ${channel} (Asterisk 22 records with MixMonitor only)`);
    if (name === 'Newexten' && (get(m, 'Application') === 'Macro' || get(m, 'Application') === 'Monitor')) note(`${get(m, 'Application')}() runs on ${channel}`);
    if (!channel) continue;

    // An incoming call's channel starts in state 4 (Ring) and so has no Newstate 4.
    if (name === 'Newchannel') {
      const incoming = !channel.startsWith('Local/') && get(m, 'Exten') !== 's';
      born.set(channel, incoming ? 'incoming' : 'placed');
      if (incoming && get(m, 'ChannelState') !== '4') note(`incoming ${channel} is born in state ${get(m, 'ChannelState')}, not 4 (Ring)`);
    }
    if (name === 'Newstate' && get(m, 'ChannelState') === '4' && born.get(channel) === 'incoming') note(`incoming ${channel} reports Newstate 4`);

    // Gosub: LOCAL(ARGn) and LOCAL(ARGC) on entry; ARGC=, ARGn=, GOSUB_RETVAL at Return().
    const pending = gosubPending.get(channel);
    if (pending === 'args' && name === 'VarSet') {
      const variable = get(m, 'Variable') ?? '';
      if (!/^LOCAL\(ARG(C|\d+)\)$/.test(variable)) note(`Gosub on ${channel} is followed by VarSet ${variable}, not LOCAL(ARGn)/LOCAL(ARGC)`);
      if (variable === 'LOCAL(ARGC)') gosubPending.delete(channel);
    } else if (pending === 'args') note(`Gosub on ${channel} sets no LOCAL(ARGC) before ${name}`);
    if (pending === 'return' && name === 'VarSet' && get(m, 'Variable') === 'GOSUB_RETVAL') gosubPending.delete(channel);
    else if (pending === 'return' && name !== 'VarSet') note(`Return on ${channel} sets no GOSUB_RETVAL before ${name}`);
    if (name === 'Newexten' && get(m, 'Application') === 'Gosub') gosubPending.set(channel, 'args');
    if (name === 'Newexten' && get(m, 'Application') === 'Return') gosubPending.set(channel, 'return');

    // TechCause: the SIP status, only where a SIP failure is involved.
    if (HANGUP_EVENTS.has(name)) {
      const cause = get(m, 'Cause');
      const tech = get(m, 'TechCause');
      const earlier = requests.get(channel);
      if (cause === '16' && tech !== undefined && get(earlier ?? m, 'TechCause') === undefined) note(`${name} on ${channel}: Cause 16 with TechCause ${tech} and no SIP failure before`);
      if (cause === '17' && name !== 'SoftHangupRequest' && tech !== '486') note(`${name} on ${channel}: Cause 17 (busy) without TechCause 486`);
      if (cause === '127' && tech !== '487' && tech !== '500') note(`${name} on ${channel}: Cause 127 without TechCause 487/500`);
      if (name === 'HangupRequest' && cause === undefined) note(`HangupRequest on ${channel} without a Cause`);
      if (name === 'HangupRequest') requests.set(channel, m);
    }
    // Busy: the callee's HangupRequest (17/486) comes before DialEnd BUSY; abandoned: the calling phone's or trunk's (127/487) before DialEnd CANCEL.
    if (name === 'DialEnd') {
      const status = get(m, 'DialStatus');
      const dest = get(m, 'DestChannel') ?? '';
      if (status === 'BUSY' && get(requests.get(dest) ?? m, 'Cause') !== '17') note(`DialEnd BUSY to ${dest} without the callee's HangupRequest Cause 17 before it`);
      const callerRequest = requests.get(channel);
      if (status === 'CANCEL' && callerRequest && !channel.startsWith('Local/') && get(callerRequest, 'Cause') !== '127') note(`DialEnd CANCEL after ${channel}'s HangupRequest with Cause ${get(callerRequest, 'Cause')}, not 127`);
    }
  }
  return out;
}
