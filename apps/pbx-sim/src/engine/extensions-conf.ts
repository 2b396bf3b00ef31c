/** One priority: an application and its (unexpanded) argument string. */
export interface DialplanStep {
  app: string;
  data: string;
}

export interface ConfExtension {
  /** `1001`, `_XXXX`, `s`. */
  pattern: string;
  /** Index = priority - 1. */
  steps: DialplanStep[];
  /** `n(label)` -> priority. */
  labels: Map<string, number>;
}

export interface ConfContext {
  extensions: ConfExtension[];
  /** `include => other` lines, searched after this context's own extensions. */
  includes: string[];
}

export interface ExtensionsConf {
  contexts: Map<string, ConfContext>;
  /** `[globals]` assignments. */
  globals: Map<string, string>;
  /** `exten => 1001,hint,SIP/1001`: extension -> device, per context. */
  hints: Map<string, { context: string; device: string }>;
}

export class ExtensionsConfError extends Error {}

const EXTEN_LINE = /^(exten|same)\s*=>?\s*(.*)$/i;
const INCLUDE_LINE = /^include\s*=>?\s*(\S+)\s*$/i;
const PRIORITY = /^(\d+|n|hint)(?:\(([^)]*)\))?$/i;

/**
 * Reads the subset of extensions.conf the simulator runs: `[context]`, `exten =>` and
 * `same =>` lines with numbered or `n` priorities and `(label)`s, `include =>`, hints
 * and `[globals]`. Comments (`;`) and `[general]` are skipped. A line it cannot read is
 * an error with its line number, never a silently different dialplan.
 */
export function parseExtensionsConf(text: string): ExtensionsConf {
  const conf: ExtensionsConf = { contexts: new Map(), globals: new Map(), hints: new Map() };
  let context: string | null = null;
  let last: { ext: ConfExtension; priority: number } | null = null;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (!line) return;
    const fail = (why: string): never => {
      throw new ExtensionsConfError(`extensions.conf line ${index + 1}: ${why}: ${raw.trim()}`);
    };
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      context = header[1];
      last = null;
      if (context !== 'general' && context !== 'globals' && !conf.contexts.has(context)) conf.contexts.set(context, { extensions: [], includes: [] });
      return;
    }
    if (context === null) fail('no [context] before this line');
    if (context === 'general') return;
    if (context === 'globals') {
      const eq = line.indexOf('=');
      if (eq <= 0) fail('a global needs NAME = value');
      conf.globals.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
      return;
    }
    const ctx = conf.contexts.get(context as string) as ConfContext;
    const include = INCLUDE_LINE.exec(line);
    if (include) {
      ctx.includes.push(include[1]);
      return;
    }
    const m = EXTEN_LINE.exec(line);
    if (!m) return fail('not an exten, same or include line');
    const isSame = m[1].toLowerCase() === 'same';
    const rest = m[2];
    let pattern: string;
    let afterPattern: string;
    if (isSame) {
      if (!last) return fail('`same` before any `exten`');
      pattern = last.ext.pattern;
      afterPattern = rest;
    } else {
      const comma = rest.indexOf(',');
      if (comma <= 0) return fail('expected exten => pattern,priority,App(args)');
      pattern = rest.slice(0, comma).trim();
      afterPattern = rest.slice(comma + 1);
    }
    const comma = afterPattern.indexOf(',');
    if (comma <= 0) return fail('expected a priority and an application');
    const prio = PRIORITY.exec(afterPattern.slice(0, comma).trim());
    if (!prio) return fail('bad priority');
    const action = afterPattern.slice(comma + 1).trim();
    if (prio[1].toLowerCase() === 'hint') {
      conf.hints.set(pattern, { context: context as string, device: action });
      return;
    }
    let ext = isSame ? (last as { ext: ConfExtension }).ext : ctx.extensions.find((e) => e.pattern === pattern);
    if (!ext) ctx.extensions.push((ext = { pattern, steps: [], labels: new Map() }));
    let priority: number;
    if (prio[1].toLowerCase() === 'n') {
      if (!last || last.ext !== ext) return fail('`n` priority with no priority before it');
      priority = last.priority + 1;
    } else priority = Number(prio[1]);
    if (priority !== ext.steps.length + 1) return fail(`priority ${priority} out of order (expected ${ext.steps.length + 1})`);
    ext.steps.push(parseApplication(action));
    if (prio[2]) ext.labels.set(prio[2], priority);
    last = { ext, priority };
  });
  return conf;
}

/** `Dial(SIP/1001,20)` -> Dial + `SIP/1001,20`; `Answer` or `Answer()` -> Answer + ''. */
export function parseApplication(action: string): DialplanStep {
  const open = action.indexOf('(');
  if (open < 0) return { app: action.trim(), data: '' };
  const close = action.lastIndexOf(')');
  return { app: action.slice(0, open).trim(), data: close > open ? action.slice(open + 1, close) : action.slice(open + 1) };
}

function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === ';' && line[i - 1] !== '\\') return line.slice(0, i);
  }
  return line;
}
