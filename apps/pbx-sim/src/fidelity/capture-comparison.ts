/**
 * Compares two AMI event streams the way a CRM experiences them: per channel (in
 * order of first appearance, labelled by peer), the sequence of events with the
 * details a tracker reads, and, per event type, the key lists. Used to prove that the
 * simulator speaks the same dialect as the real Asterisk captures.
 *
 * Left out on purpose, with the reason:
 * - `RTCPSent`: emitted on a 5 s media timer per channel; how many fall inside a call
 *   depends on sub-second timing, not on the call flow.
 * - `ExtensionStatus` / `QueueMemberStatus`: device state, published by another
 *   Asterisk thread; they carry no channel and interleave differently from run to run
 *   (see the `.timestamps` captures' notes).
 * - the position of `Cdr`: cdr_manager posts it from the CDR engine's own thread (the
 *   captures show it before and after the final `Hangup`); its count per channel is kept.
 * - `Timestamp:` (present only with timestampevents = yes).
 */
export interface TraceMessage {
  readonly keys: readonly string[];
  readonly values: readonly string[];
}

export type TraceDetail = 'events' | 'snapshot';

export interface ChannelTrace {
  /** `SIP/provider`, `PJSIP/1001`, `Local/1002@from-internal;1`: the channel name without its counter. */
  peer: string;
  channel: string;
  tokens: string[];
  cdrs: number;
}

export interface StreamTrace {
  channels: ChannelTrace[];
  /** Responses to the scenario's actions (`Response` / `Message` and the key list, login and logoff left out), in order. */
  responses: string[];
  /** Event name -> distinct key lists (comma-joined, Timestamp removed). */
  keyLists: Map<string, Set<string>>;
}

const IGNORED = new Set(['RTCPSent', 'ExtensionStatus', 'QueueMemberStatus', 'FullyBooted']);

/**
 * Variables whose values are compared too: what the dialplan and app_dial decide
 * (dial status and number, Gosub/Macro arguments, transfer marks), not times, ids or
 * file names, which depend on the moment and the run.
 */
const COMPARED_VALUES = /^(DIALSTATUS|DIALEDPEERNUMBER|(LOCAL\()?ARG(C|\d+)\)?|MACRO_(EXTEN|CONTEXT|PRIORITY|DEPTH)|GOSUB_RETVAL|_*FROM_DID|_*DIRECTION|_*REC_STATUS|_*REC_POLICY_MODE|_*NODEST|_*MON_FMT|RingGroupMethod|QUEUENUM|QAGENT|_*FROMQ|CIDLOOKUP_NAME|CIDSFSCHEME)$/;

export function peerOf(channel: string): string {
  const local = /^(Local\/.+)-[0-9a-f]{8}(;\d)$/.exec(channel);
  if (local) return local[1] + local[2];
  return channel.replace(/-[0-9a-f]{8}$/, '');
}

function get(m: TraceMessage, key: string): string | undefined {
  const i = m.keys.indexOf(key);
  return i < 0 ? undefined : m.values[i];
}

function token(m: TraceMessage, name: string, detail: TraceDetail): string {
  let t = name;
  switch (name) {
    case 'VarSet': {
      const variable = get(m, 'Variable') ?? '';
      const value = get(m, 'Value') ?? '';
      t += `(${variable}${COMPARED_VALUES.test(variable) ? `=${value}` : value === '' ? '=' : ''})`;
      break;
    }
    case 'Newexten':
      t += `(${get(m, 'Context')}:${get(m, 'Priority')}:${get(m, 'Application')})`;
      break;
    case 'DialBegin':
    case 'DialState':
    case 'DialEnd':
      t += `(${get(m, 'DialStatus') ?? ''}${get(m, 'Channel') === undefined ? ':no-caller' : ''})`;
      break;
    case 'Hangup':
    case 'HangupRequest':
    case 'SoftHangupRequest': {
      // Asterisk 22 adds the SIP status (TechCause) where one is involved.
      const tech = get(m, 'TechCause');
      t += `(${get(m, 'Cause') ?? '-'}${tech === undefined ? '' : `/${tech}`})`;
      break;
    }
    case 'Newstate':
      t += `(${get(m, 'ChannelState')})`;
      break;
    case 'OriginateResponse':
      t += `(${get(m, 'Response')}:${get(m, 'Reason')})`;
      break;
    default:
      break;
  }
  if (detail === 'snapshot' && get(m, 'Channel') !== undefined && get(m, 'ChannelState') !== undefined) {
    const conn = get(m, 'ConnectedLineNum');
    t += `@${get(m, 'ChannelState')}/${get(m, 'Context')}/${get(m, 'Exten')}/${get(m, 'Priority')}/${get(m, 'CallerIDNum')}/${conn}`;
  }
  return t;
}

/** Builds the per-channel trace of a message stream (events only; responses and list events are skipped). */
export function traceStream(messages: readonly TraceMessage[], detail: TraceDetail = 'events', keepTimestamp = false): StreamTrace {
  const byChannel = new Map<string, ChannelTrace>();
  const keyLists = new Map<string, Set<string>>();
  const responses: string[] = [];
  for (const m of messages) {
    if (m.keys[0] === 'Response') {
      const text = `${m.values[0]}: ${get(m, 'Message') ?? ''}`;
      if (text !== 'Success: Authentication accepted' && m.values[0] !== 'Goodbye') {
        const keys = `Response,${m.keys.slice(1).join(',')}`;
        responses.push(`${text} [${keys}]`);
        let set = keyLists.get('(response)');
        if (!set) keyLists.set('(response)', (set = new Set()));
        set.add(keys);
      }
      continue;
    }
    if (m.keys[0] !== 'Event') continue;
    const name = m.values[0];
    const keys = (keepTimestamp ? m.keys : m.keys.filter((k) => k !== 'Timestamp')).join(',');
    let set = keyLists.get(name);
    if (!set) keyLists.set(name, (set = new Set()));
    set.add(keys);
    if (get(m, 'ActionID') !== undefined && name !== 'OriginateResponse') continue;
    if (IGNORED.has(name)) continue;
    // Events about a pair or a transfer count on their first party (LocalBridge on `;1`, BlindTransfer on the transferer).
    const channel = get(m, 'Channel') ?? get(m, 'DestChannel') ?? get(m, 'LocalOneChannel') ?? get(m, 'TransfererChannel');
    if (!channel) continue;
    let trace = byChannel.get(channel);
    if (!trace) byChannel.set(channel, (trace = { peer: peerOf(channel), channel, tokens: [], cdrs: 0 }));
    if (name === 'Cdr') trace.cdrs++;
    else trace.tokens.push(token(m, name, detail));
  }
  return { channels: [...byChannel.values()].filter((c) => c.tokens.length > 0 || c.cdrs > 0), responses, keyLists };
}

/** Every difference between an expected (captured) and an actual (simulated) trace; empty when they agree. */
export function compareTraces(expected: StreamTrace, actual: StreamTrace): string[] {
  const out: string[] = [];
  const exp = expected.channels;
  const act = actual.channels;
  if (exp.map((c) => c.peer).join(' ') !== act.map((c) => c.peer).join(' ')) {
    out.push(`channels differ: expected [${exp.map((c) => c.peer).join(', ')}], got [${act.map((c) => c.peer).join(', ')}]`);
  }
  for (let i = 0; i < Math.min(exp.length, act.length); i++) {
    const e = exp[i];
    const a = act[i];
    const role = `channel #${i + 1} (${e.peer}: ${e.channel} vs ${a.channel})`;
    const n = Math.max(e.tokens.length, a.tokens.length);
    for (let j = 0; j < n; j++) {
      if (e.tokens[j] === a.tokens[j]) continue;
      out.push(`${role}: event ${j + 1} differs: expected ${e.tokens[j] ?? '(end)'}, got ${a.tokens[j] ?? '(end)'}; context ${e.tokens.slice(Math.max(0, j - 2), j).join(' ')}`);
      break;
    }
    if (e.cdrs !== a.cdrs) out.push(`${role}: expected ${e.cdrs} Cdr events, got ${a.cdrs}`);
  }
  if (expected.responses.join(' | ') !== actual.responses.join(' | ')) {
    out.push(`responses differ: expected [${expected.responses.join(' | ')}], got [${actual.responses.join(' | ')}]`);
  }
  for (const [name, lists] of expected.keyLists) {
    const mine = actual.keyLists.get(name);
    if (!mine) continue;
    for (const l of mine) if (!lists.has(l)) out.push(`${name}: key list ${l} is not one Asterisk sends (expected ${[...lists].join(' | ')})`);
  }
  for (const name of actual.keyLists.keys()) {
    if (!expected.keyLists.has(name) && !IGNORED.has(name) && name !== 'Cdr') {
      const inExpected = exp.some((c) => c.tokens.some((t) => t.startsWith(name)));
      if (!inExpected) out.push(`${name}: event type not in the capture`);
    }
  }
  return out;
}
