/** What `${...}` reads: a channel's (or the PBX's) variables and dialplan functions. */
export interface DialplanScope {
  /** A variable by name (`EXTEN`, `CALLFILENAME`, a global); '' when unset. */
  variable(name: string): string;
  /** A dialplan function (`CALLERID(num)`, `STRFTIME(...)`); '' for one it does not know. */
  func(name: string, args: string): string;
}

const FUNCTION = /^([A-Za-z_][\w]*)\((.*)\)$/s;
const SUBSTRING = /^([\w]+):(-?\d+)(?::(-?\d+))?$/;

/**
 * pbx_substitute_variables: replaces every `${...}` (variables, `${VAR:offset:length}`,
 * functions, `IF()`, `LEN()`) and `$[...]` (expressions) from the inside out, left to right.
 */
export function substitute(text: string, scope: DialplanScope): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '$' && (next === '{' || next === '[')) {
      const close = next === '{' ? '}' : ']';
      const end = matching(text, i + 1, next, close);
      if (end < 0) {
        out += text.slice(i);
        break;
      }
      const inner = substitute(text.slice(i + 2, end), scope);
      out += next === '{' ? resolve(inner, scope) : evaluateExpression(inner);
      i = end + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The index of the bracket closing the one at `open`, counting nested pairs; -1 when unbalanced. */
function matching(text: string, open: number, opening: string, closing: string): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === opening) depth++;
    else if (text[j] === closing && --depth === 0) return j;
  }
  return -1;
}

function resolve(inner: string, scope: DialplanScope): string {
  const fn = FUNCTION.exec(inner);
  if (fn) {
    const [, name, args] = fn;
    if (name === 'IF') return ifFunction(args);
    if (name === 'LEN') return String(args.length);
    return scope.func(name, args);
  }
  const sub = SUBSTRING.exec(inner);
  if (sub) {
    const value = scope.variable(sub[1]);
    const offset = Number(sub[2]);
    const start = offset < 0 ? Math.max(0, value.length + offset) : offset;
    if (sub[3] === undefined) return value.slice(start);
    const length = Number(sub[3]);
    return length < 0 ? value.slice(start, value.length + length) : value.slice(start, start + length);
  }
  return scope.variable(inner);
}

/** `IF(cond?true:false)`: a condition is true unless empty or 0. */
function ifFunction(args: string): string {
  const q = args.indexOf('?');
  if (q < 0) return '';
  const branches = args.slice(q + 1);
  const colon = branches.indexOf(':');
  const [yes, no] = colon < 0 ? [branches, ''] : [branches.slice(0, colon), branches.slice(colon + 1)];
  return isTrue(args.slice(0, q)) ? yes : no;
}

/** Dialplan truth (GotoIf, ExecIf, IF): anything but an empty string or a zero. */
export function isTrue(value: string): boolean {
  const v = value.trim();
  return v !== '' && !(/^-?\d+(\.\d+)?$/.test(v) && Number(v) === 0);
}

// ---- $[ ... ] -------------------------------------------------------------------------------

type Token = { op: string } | { value: string };

const OPERATORS = ['!=', '<=', '>=', '=~', '::', '|', '&', '=', '<', '>', '!', '(', ')', '?', '+', '-', '*', '/', '%'];

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const end = expr.indexOf('"', i + 1);
      const stop = end < 0 ? expr.length : end;
      tokens.push({ value: expr.slice(i + 1, stop) });
      i = stop + 1;
      continue;
    }
    const op = OPERATORS.find((o) => expr.startsWith(o, i));
    // Arithmetic signs inside a word (a number 1001-2, a channel SIP/1001) are part of it.
    const standalone = op !== undefined && (!'+-*/%'.includes(op) || /\s/.test(expr[i + 1] ?? ' ') || i === 0 || /\s/.test(expr[i - 1]));
    if (op && standalone) {
      tokens.push({ op });
      i += op.length;
      continue;
    }
    let j = i + 1;
    while (j < expr.length && !/[\s"]/.test(expr[j]) && !['!=', '<=', '>=', '|', '&', '=', '<', '>', '(', ')', '?'].some((o) => expr.startsWith(o, j))) j++;
    tokens.push({ value: expr.slice(i, j) });
    i = j;
  }
  return tokens;
}

/**
 * Asterisk's `$[...]` expressions (ast_expr2) for what dialplans write: comparisons,
 * `&`, `|`, `!`, arithmetic, parentheses, `cond ? a :: b`, quoted strings. Numbers
 * compare as numbers, anything else as strings; true is 1 and false 0.
 */
export function evaluateExpression(expr: string): string {
  const tokens = tokenize(expr);
  if (tokens.length === 0) return '';
  let pos = 0;
  const peekOp = (): string | undefined => {
    const t = tokens[pos];
    return t && 'op' in t ? t.op : undefined;
  };
  const numeric = (v: string): boolean => /^\s*-?\d+(\.\d+)?\s*$/.test(v);
  const bool = (b: boolean): string => (b ? '1' : '0');

  const primary = (): string => {
    const t = tokens[pos++];
    if (!t) return '';
    if ('value' in t) return t.value;
    if (t.op === '(') {
      const v = ternary();
      if (peekOp() === ')') pos++;
      return v;
    }
    if (t.op === '!') return bool(!isTrue(primary()));
    if (t.op === '-') return String(-Number(primary()));
    return '';
  };
  const product = (): string => {
    let v = primary();
    for (let op = peekOp(); op === '*' || op === '/' || op === '%'; op = peekOp()) {
      pos++;
      const r = Number(primary());
      const l = Number(v);
      v = String(op === '*' ? l * r : op === '/' ? Math.trunc(l / r) : l % r);
    }
    return v;
  };
  const sum = (): string => {
    let v = product();
    for (let op = peekOp(); op === '+' || op === '-'; op = peekOp()) {
      pos++;
      const r = Number(product());
      v = String(op === '+' ? Number(v) + r : Number(v) - r);
    }
    return v;
  };
  const comparison = (): string => {
    let v = sum();
    for (let op = peekOp(); op && ['=', '!=', '<', '>', '<=', '>=', '=~'].includes(op); op = peekOp()) {
      pos++;
      const r = sum();
      if (op === '=~') {
        v = bool(safeRegExp(r)?.test(v) ?? false);
        continue;
      }
      const cmp = numeric(v) && numeric(r) ? Number(v) - Number(r) : v < r ? -1 : v > r ? 1 : 0;
      v = bool(op === '=' ? cmp === 0 : op === '!=' ? cmp !== 0 : op === '<' ? cmp < 0 : op === '>' ? cmp > 0 : op === '<=' ? cmp <= 0 : cmp >= 0);
    }
    return v;
  };
  const and = (): string => {
    let v = comparison();
    while (peekOp() === '&') {
      pos++;
      const r = comparison();
      v = isTrue(v) && isTrue(r) ? v : '0';
    }
    return v;
  };
  const or = (): string => {
    let v = and();
    while (peekOp() === '|') {
      pos++;
      const r = and();
      v = isTrue(v) ? v : isTrue(r) ? r : '0';
    }
    return v;
  };
  const ternary = (): string => {
    const cond = or();
    if (peekOp() !== '?') return cond;
    pos++;
    const yes = or();
    if (peekOp() === '::') pos++;
    const no = or();
    return isTrue(cond) ? yes : no;
  };
  return ternary();
}

function safeRegExp(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})`);
  } catch {
    return null;
  }
}
