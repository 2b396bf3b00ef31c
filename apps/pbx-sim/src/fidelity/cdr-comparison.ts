import type { CdrLine } from '@app/ami';
import { peerOf, type TraceMessage } from './capture-comparison';

/**
 * The CDR records a stream's `Cdr` events (cdr_manager) carry, as the `Master.csv` lines
 * cdr_csv writes for them: what a CRM completing calls from Asterisk's CDR reads.
 */
export function cdrLinesOf(messages: readonly TraceMessage[]): CdrLine[] {
  const lines: CdrLine[] = [];
  for (const m of messages) {
    if (m.keys[0] !== 'Event' || m.values[0] !== 'Cdr') continue;
    const get = (key: string) => m.values[m.keys.indexOf(key)] ?? '';
    lines.push({
      accountcode: get('AccountCode'),
      src: get('Source'),
      dst: get('Destination'),
      dcontext: get('DestinationContext'),
      clid: get('CallerID'),
      channel: get('Channel'),
      dstchannel: get('DestinationChannel'),
      lastapp: get('LastApplication'),
      lastdata: get('LastData'),
      start: get('StartTime'),
      answer: get('AnswerTime'),
      end: get('EndTime'),
      duration: Number(get('Duration')),
      billsec: Number(get('BillableSeconds')),
      disposition: get('Disposition'),
      amaflags: get('AMAFlags'),
      uniqueid: get('UniqueID'),
      userfield: get('UserField'),
    });
  }
  return lines;
}

/**
 * Every difference between the captured CDR lines and the simulated ones; empty when they
 * agree. Lines are paired by their channel and destination channel (peers: the names
 * without their counters) in the order written. Compared: every column but the Uniqueid
 * (channel counters differ between a lab run and a simulation), times and durations within a
 * second (the simulation's events are not at the lab's sub-second instants).
 */
export function compareCdrLines(expected: readonly CdrLine[], actual: readonly CdrLine[]): string[] {
  const out: string[] = [];
  const pending = [...actual];
  for (const e of expected) {
    const i = pending.findIndex((a) => peerOf(a.channel) === peerOf(e.channel) && peerOf(a.dstchannel) === peerOf(e.dstchannel));
    if (i < 0) {
      out.push(`missing: ${describe(e)}`);
      continue;
    }
    const [a] = pending.splice(i, 1);
    const differs = lineDifferences(e, a);
    if (differs.length > 0) out.push(`${describe(e)}: ${differs.join('; ')}`);
  }
  for (const a of pending) out.push(`not in the capture: ${describe(a)}`);
  return out;
}

const EXACT: (keyof CdrLine)[] = ['accountcode', 'src', 'dst', 'dcontext', 'clid', 'lastapp', 'lastdata', 'disposition', 'amaflags', 'userfield'];

function lineDifferences(e: CdrLine, a: CdrLine): string[] {
  const out: string[] = [];
  for (const key of EXACT) if (e[key] !== a[key]) out.push(`${key} ${JSON.stringify(a[key])}, expected ${JSON.stringify(e[key])}`);
  for (const key of ['start', 'answer', 'end'] as const) {
    if ((e[key] === '') !== (a[key] === '') || Math.abs(timeOf(e[key]) - timeOf(a[key])) > 1000) out.push(`${key} ${a[key] || '(none)'}, expected ${e[key] || '(none)'}`);
  }
  for (const key of ['duration', 'billsec'] as const) if (Math.abs(e[key] - a[key]) > 1) out.push(`${key} ${a[key]}, expected ${e[key]}`);
  return out;
}

/** CDR times are the PBX's wall clock, `YYYY-MM-DD HH:MM:SS`; the labs and the simulator run on UTC. */
function timeOf(text: string): number {
  return text === '' ? 0 : Date.parse(`${text.replace(' ', 'T')}Z`);
}

function describe(l: CdrLine): string {
  return `${peerOf(l.channel)} -> ${peerOf(l.dstchannel) || '(none)'} (${l.lastapp} ${l.disposition} ${l.start})`;
}
