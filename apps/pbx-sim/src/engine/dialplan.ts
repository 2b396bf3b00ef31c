import { ConfContext, ConfExtension, DialplanStep, parseExtensionsConf } from './extensions-conf';

export type { DialplanStep } from './extensions-conf';

const APPLICATIONS = new Map(
  ['Answer', 'Dial', 'ExecIf', 'Gosub', 'Goto', 'GotoIf', 'Hangup', 'Macro', 'MixMonitor', 'Monitor', 'MusicOnHold', 'NoOp', 'Park', 'Queue', 'Return', 'Set', 'Wait'].map((a) => [a.toLowerCase(), a]),
);

/**
 * The simulated extensions.conf: contexts read from extensions.conf text (the lab's, see
 * lab-dialplan.ts, or a FreePBX-style one), looked up the way Asterisk does: exact
 * extensions before patterns, then included contexts.
 */
export class Dialplan {
  private readonly contexts: Map<string, ConfContext>;
  readonly globals: Map<string, string>;
  /** Extensions with a `hint`: extension -> the device whose state it reports (ExtensionStatus). */
  readonly hints: Map<string, { context: string; device: string }>;

  constructor(confText: string) {
    const conf = parseExtensionsConf(confText);
    // Asterisk reports an application by its registered name (`Noop(...)` runs as NoOp).
    for (const ctx of conf.contexts.values()) for (const ext of ctx.extensions) for (const step of ext.steps) step.app = APPLICATIONS.get(step.app.toLowerCase()) ?? step.app;
    this.contexts = conf.contexts;
    this.globals = conf.globals;
    this.hints = conf.hints;
  }

  /** The step at `context,exten,priority`, or null when the dialplan has none there. */
  step(context: string, exten: string, priority: number): DialplanStep | null {
    return this.match(context, exten)?.steps[priority - 1] ?? null;
  }

  exists(context: string, exten: string, priority = 1): boolean {
    return this.step(context, exten, priority) !== null;
  }

  /** The priority a `(label)` names in `context,exten`, or null. */
  labelPriority(context: string, exten: string, label: string): number | null {
    return this.match(context, exten)?.labels.get(label) ?? null;
  }

  private match(context: string, exten: string, depth = 0): ConfExtension | null {
    const ctx = this.contexts.get(context);
    if (!ctx || depth > 8) return null;
    // Exact extensions win over patterns, as in Asterisk's sort order.
    const own = ctx.extensions.find((e) => e.pattern === exten) ?? ctx.extensions.find((e) => e.pattern.startsWith('_') && matchPattern(e.pattern, exten));
    if (own) return own;
    for (const inc of ctx.includes) {
      const found = this.match(inc, exten, depth + 1);
      if (found) return found;
    }
    return null;
  }
}

const PATTERNS = new Map<string, RegExp>();

/** Asterisk extension patterns: `_` prefix, X Z N, `[...]` sets, `.` (one or more) and `!` (zero or more). */
export function matchPattern(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
  let re = PATTERNS.get(pattern);
  if (!re) PATTERNS.set(pattern, (re = patternRegExp(pattern)));
  return re.test(exten);
}

function patternRegExp(pattern: string): RegExp {
  let re = '^';
  const p = pattern.slice(1);
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === 'X') re += '[0-9]';
    else if (c === 'Z') re += '[1-9]';
    else if (c === 'N') re += '[2-9]';
    else if (c === '.') re += '.+';
    else if (c === '!') re += '.*';
    else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) return /$^/;
      re += `[${p.slice(i + 1, end).replace(/[\\^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** `%Y%m%d-%H%M%S`-style strftime in UTC (the lab's server clock was UTC). */
export function strftime(epochSec: number, format: string): string {
  const d = new Date(epochSec * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return format.replace(/%([YmdHMS%])/g, (_, f: string) => {
    switch (f) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'm':
        return two(d.getUTCMonth() + 1);
      case 'd':
        return two(d.getUTCDate());
      case 'H':
        return two(d.getUTCHours());
      case 'M':
        return two(d.getUTCMinutes());
      case 'S':
        return two(d.getUTCSeconds());
      default:
        return '%';
    }
  });
}

/** `YYYY-MM-DD HH:MM:SS` as cdr_manager prints times. */
export function cdrTime(ms: number | null): string {
  return ms === null ? '' : strftime(Math.floor(ms / 1000), '%Y-%m-%d %H:%M:%S');
}
