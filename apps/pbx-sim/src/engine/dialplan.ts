import type { PbxConfig } from './pbx-config';

/** One priority: an application and its (unexpanded) argument string. */
export interface DialplanStep {
  app: string;
  data: string;
}

interface DialplanExtension {
  pattern: string;
  steps: DialplanStep[];
}

/**
 * The simulated extensions.conf, built from the same contexts as the captures' lab
 * (asterisk-etc/extensions.conf): Monitor recording for internal and outbound calls,
 * MixMonitor for DIDs, `transfer-context`, and the `crm-hold`/`crm-hold-wait` contexts.
 */
export class Dialplan {
  private readonly contexts = new Map<string, DialplanExtension[]>();
  readonly globals = new Map<string, string>();
  /** Extensions with a `hint` (they get ExtensionStatus events). */
  readonly hints = new Set<string>();

  constructor(config: PbxConfig) {
    this.globals.set('INBOUND_DIAL_TIMEOUT', String(config.inboundDialTimeoutSec));
    const recording = (macro: string): DialplanStep[] => [
      { app: 'Set', data: 'CALLFILENAME=${STRFTIME(${EPOCH},,%Y%m%d-%H%M%S)}-${CALLERID(num)}-${ARG1}' },
      macro === 'recording'
        ? { app: 'Monitor', data: 'wav,${CALLFILENAME},m' }
        : { app: 'MixMonitor', data: '${CALLFILENAME}.wav' },
      { app: 'Set', data: 'CDR(userfield)=${CALLFILENAME}' },
    ];
    this.add('macro-recording', 's', recording('recording'));
    this.add('macro-recording-mix', 's', recording('recording-mix'));

    const internalTimeout = config.internalDialTimeoutSec;
    for (const ext of config.extensions) this.hints.add(ext.number);
    const allFourDigits = config.extensions.every((e) => /^\d{4}$/.test(e.number));
    const internalSteps = (): DialplanStep[] => [
      { app: 'Macro', data: 'recording,${EXTEN}' },
      { app: 'Dial', data: `SIP/\${EXTEN},${internalTimeout}` },
      { app: 'Hangup', data: '' },
    ];
    if (allFourDigits) this.add('from-internal', '_XXXX', internalSteps());
    else for (const ext of config.extensions) this.add('from-internal', ext.number, internalSteps());
    const outbound = (): DialplanStep[] => [
      { app: 'Macro', data: 'recording,${EXTEN}' },
      { app: 'Dial', data: `SIP/${config.trunk}/\${EXTEN},${internalTimeout}` },
      { app: 'Hangup', data: '' },
    ];
    this.add('from-internal', '_8X.', outbound());
    this.add('from-internal', '_+X.', outbound());
    this.add('from-internal', '700', [{ app: 'Park', data: '' }]);

    for (const [did, target] of Object.entries(config.dids)) {
      if ('queue' in target) {
        this.add('from-external', did, [
          { app: 'NoOp', data: 'Queue call from ${CALLERID(all)}' },
          { app: 'Macro', data: 'recording-mix,${EXTEN}' },
          { app: 'Queue', data: `${target.queue},t` },
          { app: 'Hangup', data: '' },
        ]);
      } else {
        this.add('from-external', did, [
          { app: 'NoOp', data: 'Inbound call from ${CALLERID(all)} to DID ${EXTEN}' },
          { app: 'Macro', data: 'recording-mix,${EXTEN}' },
          { app: 'Dial', data: `SIP/${target.extension},\${INBOUND_DIAL_TIMEOUT},t` },
          { app: 'Hangup', data: '' },
        ]);
      }
    }
    this.add('transfer-context', '_X.', [
      { app: 'Dial', data: 'SIP/${EXTEN}' },
      { app: 'Hangup', data: '' },
    ]);
    this.add('crm-hold', 's', [
      { app: 'Answer', data: '' },
      { app: 'MusicOnHold', data: '' },
      { app: 'Hangup', data: '' },
    ]);
    this.add('crm-hold-wait', 's', [
      { app: 'Wait', data: '3600' },
      { app: 'Hangup', data: '' },
    ]);
    this.add('default', '_X.', [{ app: 'Hangup', data: '21' }]);
  }

  /** The step at `context,exten,priority`, or null when the dialplan has none there. */
  step(context: string, exten: string, priority: number): DialplanStep | null {
    const ext = this.match(context, exten);
    return ext?.steps[priority - 1] ?? null;
  }

  exists(context: string, exten: string, priority = 1): boolean {
    return this.step(context, exten, priority) !== null;
  }

  private match(context: string, exten: string): DialplanExtension | null {
    const list = this.contexts.get(context);
    if (!list) return null;
    // Exact extensions win over patterns, as in Asterisk's sort order.
    return list.find((e) => e.pattern === exten) ?? list.find((e) => e.pattern.startsWith('_') && matchPattern(e.pattern, exten)) ?? null;
  }

  private add(context: string, pattern: string, steps: DialplanStep[]): void {
    let list = this.contexts.get(context);
    if (!list) this.contexts.set(context, (list = []));
    list.push({ pattern, steps });
  }
}

/** Asterisk extension patterns: `_` prefix, X Z N, `[...]` sets, `.` (one or more) and `!` (zero or more). */
export function matchPattern(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
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
      if (end < 0) return false;
      re += `[${p.slice(i + 1, end).replace(/[\\^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(exten);
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
