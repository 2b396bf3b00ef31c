import type { PbxEngine } from './pbx-engine';
import type { DialplanLocation, SimChannel } from './sim-channel';
import { isTrue } from './dialplan-expression';
import { parseApplication } from './extensions-conf';

/** What an application leaves the channel doing: the next priority, a location it jumped to, blocked, or hung up. */
export type AppResult = 'next' | 'jump' | 'wait' | 'gone';

/** A Gosub's return address and the ARGn/ARGC values it hides, restored by Return. */
export interface GosubFrame extends DialplanLocation {
  /** How many ARGn this frame set (it masks as many as the frame it was called from). */
  arguments: number;
  /** Variable -> the value it had before this frame, in the order they were set. */
  hidden: Map<string, string | undefined>;
}

/**
 * The dialplan applications the simulated PBX runs (after `${}` expansion), with the
 * events each produces on a real Asterisk: Set, NoOp, Goto/GotoIf/ExecIf, Gosub/Return
 * (app_stack), Macro (app_macro, Asterisk <= 20), Monitor, MixMonitor, Answer, Dial,
 * Queue, Park, MusicOnHold, Wait, Hangup.
 */
export class DialplanApps {
  constructor(private readonly engine: PbxEngine) {}

  exec(ch: SimChannel, app: string, data: string): AppResult {
    const e = this.engine;
    // An application the version does not have ends the channel, as an unknown one does on Asterisk.
    switch (e.dialect.removed.applications.includes(app) ? 'Hangup' : app) {
      case 'NoOp':
      case 'Verbose':
        return 'next';
      case 'Set':
        this.set(ch, data);
        return 'next';
      case 'Goto':
        return this.goto(ch, data) ? 'jump' : this.missing(ch);
      case 'GotoIf':
        return this.gotoIf(ch, data);
      case 'ExecIf':
        return this.execIf(ch, data);
      case 'Gosub':
        return this.gosub(ch, data);
      case 'Return':
        return this.return(ch, data);
      case 'Macro':
        this.macro(ch, data);
        return ch.hungUp ? 'gone' : 'next';
      case 'Monitor': {
        const [, file] = data.split(',');
        e.startMonitor(ch, file || ch.name.replace('/', '-'));
        return 'next';
      }
      case 'MixMonitor': {
        const [file, options = ''] = splitArgs(data);
        e.startMixMonitor(ch, file, mixMonitorIdVariable(options));
        return 'next';
      }
      case 'Answer':
        if (ch.state !== 6) e.setState(ch, 6);
        e.cdrs.answered(ch);
        return 'next';
      case 'Dial':
        return e.dial.exec(ch, data);
      case 'Queue':
        return e.queues.exec(ch, data);
      case 'Park':
        return e.parking.parkFromDialplan(ch);
      case 'MusicOnHold':
        ch.activity = { kind: 'moh' };
        e.mohStart(ch);
        return 'wait';
      case 'Wait':
        ch.activity = { kind: 'wait' };
        ch.activityTimer = e.timer(ch, (Number(data) || 0) * 1000, () => {
          ch.activityTimer = null;
          e.continuePbx(ch);
        });
        return 'wait';
      case 'Hangup':
      default: {
        const cause = app === 'Hangup' && data !== '' ? Number(data) : ch.hangupCause;
        e.softHangupRequest(ch);
        e.hangup(ch, Number.isFinite(cause) ? cause : 16);
        return 'gone';
      }
    }
  }

  /** `Set(NAME=value)`: a variable (`__NAME` inherited), `CALLERID(name|num)` (NewCallerid) or `CDR(field)`. */
  private set(ch: SimChannel, data: string): void {
    const e = this.engine;
    const eq = data.indexOf('=');
    if (eq <= 0) return;
    const name = data.slice(0, eq);
    const value = data.slice(eq + 1);
    const fn = /^(\w+)\((\w*)\)$/.exec(name);
    if (!fn) {
      e.varSet(ch, name, value);
      return;
    }
    const [, func, arg] = fn;
    if (func === 'CDR') {
      if (arg === 'userfield') ch.userField = value;
      else ch.cdrVars.set(arg, value);
    } else if (func === 'CALLERID' && (arg === 'name' || arg === 'num')) {
      if (arg === 'name') ch.callerName = value;
      else ch.callerNum = value;
      e.newCallerid(ch);
    }
  }

  /** `[[context,]exten,]priority-or-label` relative to where the channel is; false when it does not exist. */
  private goto(ch: SimChannel, target: string): boolean {
    const loc = this.location(ch, target);
    if (!loc) return false;
    ch.moveTo(loc);
    return true;
  }

  private location(ch: SimChannel, target: string): DialplanLocation | null {
    const parts = target.split(',').map((p) => p.trim());
    const [context, exten, label] =
      parts.length >= 3 ? parts : parts.length === 2 ? [ch.context, parts[0], parts[1]] : [ch.context, ch.exten, parts[0]];
    const priority = /^\d+$/.test(label) ? Number(label) : this.engine.dialplan.labelPriority(context, exten, label);
    if (priority === null || !this.engine.dialplan.exists(context, exten, priority)) return null;
    return { context, exten, priority };
  }

  private gotoIf(ch: SimChannel, data: string): AppResult {
    const q = data.indexOf('?');
    if (q < 0) return 'next';
    const [yes, no] = splitOnce(data.slice(q + 1), ':');
    const target = isTrue(data.slice(0, q)) ? yes : no;
    if (!target) return 'next';
    return this.goto(ch, target) ? 'jump' : this.missing(ch);
  }

  /** `ExecIf(cond?App(args)[:App(args)])`: runs the application in place (no Newexten of its own). */
  private execIf(ch: SimChannel, data: string): AppResult {
    const q = data.indexOf('?');
    if (q < 0) return 'next';
    const [yes, no] = splitOnce(data.slice(q + 1), ':', true);
    const action = isTrue(data.slice(0, q)) ? yes : no;
    if (!action) return 'next';
    const step = parseApplication(action);
    return this.exec(ch, step.app, step.data);
  }

  /**
   * app_stack Gosub: the arguments become `LOCAL(ARGn)` and `LOCAL(ARGC)` (masking as many
   * ARGn as the calling frame had), reported at the calling location; then the channel
   * jumps to the subroutine.
   */
  private gosub(ch: SimChannel, data: string): AppResult {
    const e = this.engine;
    const open = data.indexOf('(');
    const where = open < 0 ? data : data.slice(0, open);
    const args = open < 0 ? [] : splitArgs(data.slice(open + 1, data.lastIndexOf(')') > open ? data.lastIndexOf(')') : data.length));
    const loc = this.location(ch, where);
    if (!loc) return this.missing(ch);
    const max = Math.max(args.length, ch.gosubStack.at(-1)?.arguments ?? 0);
    const frame: GosubFrame = { context: ch.context, exten: ch.exten, priority: ch.priority + 1, arguments: max, hidden: new Map() };
    const local = (name: string, value: string): void => {
      if (!frame.hidden.has(name)) frame.hidden.set(name, ch.vars.get(name));
      ch.vars.set(name, value);
      e.varSetEvent(ch, `LOCAL(${name})`, value);
    };
    for (let i = 0; i < max; i++) local(`ARG${i + 1}`, args[i] ?? '');
    local('ARGC', String(args.length));
    ch.gosubStack.push(frame);
    ch.moveTo(loc);
    return 'jump';
  }

  /**
   * Return: the frame's variables are removed newest first (a VarSet `NAME=` for each that
   * had a value, as the captures show) and the outer values come back silently; then
   * GOSUB_RETVAL and the return address.
   */
  private return(ch: SimChannel, data: string): AppResult {
    const e = this.engine;
    const frame = ch.gosubStack.pop();
    if (!frame) return this.missing(ch);
    for (const name of [...frame.hidden.keys()].reverse()) {
      const had = ch.vars.get(name) ?? '';
      const outer = frame.hidden.get(name);
      if (outer === undefined) ch.vars.delete(name);
      else ch.vars.set(name, outer);
      if (had !== '') e.varSetEvent(ch, name, '');
    }
    e.varSet(ch, 'GOSUB_RETVAL', data);
    ch.moveTo(frame);
    return 'jump';
  }

  /** app_macro: MACRO_* bookkeeping around the macro's steps, as the Asterisk 20 captures show it. */
  private macro(ch: SimChannel, data: string): void {
    const e = this.engine;
    const [name, ...args] = data.split(',');
    const from = { context: ch.context, exten: ch.exten, priority: ch.priority };
    e.varSet(ch, 'MACRO_EXTEN', from.exten);
    e.varSet(ch, 'MACRO_CONTEXT', from.context);
    e.varSet(ch, 'MACRO_PRIORITY', String(from.priority));
    e.varSet(ch, 'MACRO_DEPTH', '1');
    args.forEach((a, i) => e.varSet(ch, `ARG${i + 1}`, a));
    const context = `macro-${name}`;
    for (let p = 1; ; p++) {
      const step = e.dialplan.step(context, 's', p);
      if (!step || ch.hungUp) break;
      e.varSet(ch, 'MACRO_DEPTH', '1');
      ch.moveTo({ context, exten: 's', priority: p });
      const stepData = e.expand(ch, step.data);
      e.newexten(ch, context, 's', p, step.app, stepData);
      this.exec(ch, step.app, stepData);
    }
    if (ch.hungUp) return;
    e.varSet(ch, 'MACRO_DEPTH', '0');
    args.forEach((_, i) => e.varSet(ch, `ARG${i + 1}`, ''));
    e.varSet(ch, 'MACRO_EXTEN', '');
    e.varSet(ch, 'MACRO_CONTEXT', '');
    e.varSet(ch, 'MACRO_PRIORITY', '');
    ch.moveTo(from);
  }

  /** A jump to a place the dialplan does not have: Asterisk hangs the channel up. */
  private missing(ch: SimChannel): AppResult {
    this.engine.softHangupRequest(ch);
    this.engine.hangup(ch, 16);
    return 'gone';
  }
}

/** Application arguments split on commas outside parentheses (`ai(LOCAL_MIXMON_ID)` stays whole). */
export function splitArgs(data: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(data.slice(start, i));
      start = i + 1;
    }
  }
  if (data.length > 0 || out.length > 0) out.push(data.slice(start));
  return out;
}

/** `a:b` -> [a, b]; with `outsideParens`, a `:` inside `Set(X=a:b)` does not split. */
function splitOnce(text: string, sep: string, outsideParens = false): [string, string] {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (outsideParens && c === '(') depth++;
    else if (outsideParens && c === ')') depth--;
    else if (c === sep && depth === 0) return [text.slice(0, i), text.slice(i + 1)];
  }
  return [text, ''];
}

/** The variable MixMonitor's `i(<var>)` option names, which receives the MixMonitorID. */
export function mixMonitorIdVariable(options: string): string | null {
  return /i\(([^)]*)\)/.exec(options)?.[1] || null;
}
