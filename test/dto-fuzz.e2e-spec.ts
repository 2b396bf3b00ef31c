import fc from 'fast-check';
import type { Response } from 'supertest';
import { fillPath, liveRoutes, type Parameter, type Route, type Schema } from './support/route-table';
import { loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';

/**
 * A DTO fuzzer over every route of the running app: from each route's Swagger description it
 * builds a plausible request, then sends it again with one thing made hostile at a time (a
 * wrong type, a NUL, a lone surrogate, a huge string, deep nesting, an extra field, a list of
 * lists, a loose id). Nothing may answer 5xx; inputs that no DTO can accept must answer 4xx
 * in the error contract. New routes are fuzzed as soon as they are in the Swagger document.
 */

const HUGE = 'x'.repeat(20_000);
/** Under Node's 16 KiB header limit, so the request reaches the app (past it Node itself answers 431). */
const HUGE_QUERY = 'x'.repeat(8_000);
const NUL = 'a\u0000b';
/** An unpaired surrogate cannot be written in UTF-8: it travels as a JSON escape. */
const LONE_SURROGATE = '\\ud800';
const deep = (levels: number): unknown => Array.from({ length: levels }).reduce<unknown>((inner) => [inner], 1);
const LOOSE_IDS = ['0x10', '0003', '+3', '3.0', '1e3', ' 3', '-1', '0', '2147483648', '99999999999999999999', 'abc', '%00', '%ED%A0%80', 'x'.repeat(3000), '..%2F..%2Fetc%2Fpasswd'];

/** One request to send: what was made hostile, and whether it must be refused (4xx). */
interface Case {
  what: string;
  mustRefuse: boolean;
  path: string;
  query: Record<string, string | string[]>;
  /** JSON text (not an object: a lone surrogate must survive serialisation), or a raw body with its type. */
  body?: { json: string } | { raw: Buffer; type: string };
}

let unique = 0;

/** Random text of any UTF-16 code units (NULs, lone surrogates, controls included), the same every run. */
const RANDOM_TEXTS = fc.sample(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 40 }), { seed: 14, numRuns: 6 });

/** A value the schema accepts, for the plausible request every case starts from. */
function valid(schema: Schema, name: string, resolve: (s: Schema) => Schema): unknown {
  const s = resolve(schema);
  if (s.enum?.length) return s.enum[0];
  switch (s.type) {
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return s.items ? [valid(s.items, name, resolve)] : [];
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([key, property]) => [key, valid(property, key, resolve)]));
    default:
      if (s.format === 'email' || /email/i.test(name)) return `fuzz${++unique}.${Date.now()}@example.com`;
      if (s.format === 'date-time' || /^(from|to)$/.test(name)) return name === 'to' ? '2026-02-01T00:00:00Z' : '2026-01-01T00:00:00Z';
      if (/phone|number/i.test(name)) return `+7812${String(1_000_000 + ++unique).slice(-7)}`;
      if (/username/i.test(name)) return uniqueName('fuzz').toLowerCase();
      if (/password/i.test(name)) return 'fuzz-password-1234';
      if (/^(name|firstName|lastName)$/.test(name)) return uniqueName('Fuzz').slice(0, 28);
      if (typeof s.example === 'string') return s.example;
      return 'fuzz';
  }
}

/** Hostile replacements for a value of this schema: [what, value, must it be refused]. */
function hostileValues(schema: Schema, resolve: (s: Schema) => Schema): Array<[string, unknown, boolean]> {
  const s = resolve(schema);
  const values: Array<[string, unknown, boolean]> = [
    ['a NUL', NUL, true],
    ['a lone surrogate', LONE_SURROGATE, true],
    ['deep nesting', deep(40), true],
    ['an object', { nested: { a: 1 } }, s.type !== 'object'],
  ];
  if (s.type === 'string' || s.type === undefined) values.push(['a number', 12345, true], ['a huge string', HUGE, s.maxLength !== undefined || s.enum !== undefined], ['an array', ['a'], true]);
  if (s.type === 'integer' || s.type === 'number') values.push(['a string', 'abc', true], ['a huge number', 1e308, true], ['a fraction', 1.5, s.type === 'integer']);
  if (s.type === 'boolean') values.push(['a string', 'yes', true], ['a number', 2, true]);
  if (s.type === 'array') values.push(['a string', 'x', true], ['a list of lists', [[valid(s.items ?? {}, 'item', resolve)]], true], ['a thousand items', Array(1000).fill(valid(s.items ?? {}, 'item', resolve)), false]);
  if (s.type === 'array' && s.items && resolve(s.items).type === 'object') values.push(['an item with an extra field', [{ ...(valid(s.items, 'item', resolve) as object), fuzzExtra: 1 }], true]);
  if (s.enum?.length) values.push(['a value outside the enum', 'not-in-enum', true]);
  return values;
}

/** JSON with the lone-surrogate marker turned back into a JSON escape. */
const json = (value: unknown) => ({ json: JSON.stringify(value).replaceAll('\\\\ud800', '\\ud800') });

function casesOf(route: Route, resolve: (s: Schema) => Schema): Case[] {
  const pathParams = route.parameters.filter((p) => p.in === 'path');
  const queryParams = route.parameters.filter((p) => p.in === 'query');
  const basePath = fillPath(route, Object.fromEntries(pathParams.map((p) => [p.name, '2147483000'])));
  const baseQuery = Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name, String(valid(p.schema ?? {}, p.name, resolve))]));
  const baseBody = route.jsonBody ? (valid(route.jsonBody, 'body', resolve) as Record<string, unknown>) : undefined;
  const base = { path: basePath, query: baseQuery, ...(baseBody && { body: json(baseBody) }) };
  const cases: Case[] = [];

  for (const param of pathParams) {
    for (const id of LOOSE_IDS) {
      const values = Object.fromEntries(pathParams.map((p) => [p.name, p === param ? id : '2147483000']));
      cases.push({ ...base, what: `path ${param.name}=${id.slice(0, 20)}`, mustRefuse: true, path: fillPath(route, values, true) });
    }
  }
  for (const param of queryParams) {
    const hostile: Array<[string, string | string[], boolean]> = [
      ['a NUL', NUL, true],
      ['a huge string', HUGE_QUERY, true],
      ['repeated', ['1', '2'], isScalar(param, resolve)],
      ['empty', '', param.required === true],
      ...(isNumeric(param, resolve) ? ([['not a number', 'abc', true], ['a loose id', '0x10', true], ['out of range', '2147483648', true], ['negative', '-5', true]] as Array<[string, string, boolean]>) : []),
      ...(resolve(param.schema ?? {}).enum ? ([['outside the enum', 'not-in-enum', true]] as Array<[string, string, boolean]>) : []),
    ];
    for (const [what, value, mustRefuse] of hostile) cases.push({ ...base, what: `query ${param.name}: ${what}`, mustRefuse, query: { ...baseQuery, [param.name]: value } });
    RANDOM_TEXTS.forEach((text, n) => cases.push({ ...base, what: `query ${param.name}: random text ${n}`, mustRefuse: false, query: { ...baseQuery, [param.name]: text } }));
  }
  // A route that reads a query refuses what it does not know; one that reads none ignores any.
  cases.push({ ...base, what: 'an unknown query parameter', mustRefuse: queryParams.length > 0, query: { ...baseQuery, fuzzExtra: '1' } });

  if (route.jsonBody && baseBody) {
    for (const [key, property] of Object.entries(route.jsonBody.properties ?? {})) {
      for (const [what, value, mustRefuse] of hostileValues(property, resolve)) cases.push({ ...base, what: `body ${key}: ${what}`, mustRefuse, body: json({ ...baseBody, [key]: value }) });
      RANDOM_TEXTS.forEach((text, n) => cases.push({ ...base, what: `body ${key}: random text ${n}`, mustRefuse: false, body: { json: JSON.stringify({ ...baseBody, [key]: text }) } }));
    }
    cases.push({ ...base, what: 'body: an extra field', mustRefuse: true, body: json({ ...baseBody, fuzzExtra: 1 }) });
    // Dropped by the ValidationPipe before the DTO is built: accepted, but it must not reach anything.
    cases.push({ ...base, what: 'body: an extra __proto__ field', mustRefuse: false, body: { json: JSON.stringify(baseBody).replace(/^\{/, '{"__proto__":{"role":"admin"},') } });
    for (const [what, text] of [['an array', '[]'], ['a string', '"text"'], ['a number', '42'], ['null', 'null'], ['broken JSON', '{"a":'], ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`]]) {
      cases.push({ ...base, what: `body: ${what}`, mustRefuse: true, body: { json: text } });
    }
  }
  if (route.consumes.includes('text/csv')) {
    const csvs: Array<[string, Buffer]> = [
      ['a CSV of NULs', Buffer.alloc(2000, 0)],
      ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
      ['a header of 10,000 columns', Buffer.from(`${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',')},name,phones\n`)],
      ['an unclosed quote', Buffer.from('name,phones\n"a,1\n')],
      ['a 1 MB cell', Buffer.from(`name,phones\n"${'y'.repeat(1_000_000)}",\n`)],
      ['UTF-16 without a BOM', Buffer.from('name,phones\nA,1\n', 'utf16le')],
    ];
    // A 1 MB name is a bad row and a header of unknown columns lists them: both are answers, not refusals.
    const readable = new Set(['a 1 MB cell', 'a header of 10,000 columns']);
    for (const [what, raw] of csvs) cases.push({ ...base, what: `file: ${what}`, mustRefuse: !readable.has(what), body: { raw, type: 'text/csv' } });
  }
  return cases;
}

const isNumeric = (param: Parameter, resolve: (s: Schema) => Schema) => ['integer', 'number'].includes(resolve(param.schema ?? {}).type ?? '');
const isScalar = (param: Parameter, resolve: (s: Schema) => Schema) => resolve(param.schema ?? {}).type !== 'array';

describe('DTO fuzzer: every route of the running app, every parameter and field made hostile', () => {
  let testApp: TestApp;
  let token: string;
  let routes: Route[];
  let resolve: (s: Schema) => Schema;

  beforeAll(async () => {
    testApp = await startTestApp({ TEST_MODE: 'true', LOGIN_RATE_LIMIT: '100000', LOGIN_RATE_LIMIT_PER_IP: '100000', DEFAULT_PHONE_REGION: 'RU' });
    token = await loginAdmin(testApp);
    ({ routes, resolve } = await liveRoutes(testApp));
  });

  afterAll(() => testApp?.close());

  const send = (route: Route, c: Case): Promise<Response> => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(c.query)) for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
    const request = testApp.http()[route.method](`${c.path}${query.size ? `?${query}` : ''}`).set('Authorization', `Bearer ${token}`);
    if (!c.body) return request;
    if ('json' in c.body) return request.set('Content-Type', 'application/json').send(c.body.json);
    return request.set('Content-Type', c.body.type).send(c.body.raw);
  };

  it('no input answers 5xx, and every input no DTO can accept answers 4xx in the error contract', async () => {
    const failures: string[] = [];
    let sent = 0;
    // Logging out would end the fuzzer's own session, and it reads nothing to fuzz.
    for (const route of routes.filter((r) => r.key !== 'POST /api/auth/logout')) {
      for (const c of casesOf(route, resolve)) {
        const response = await send(route, c);
        sent++;
        const body = response.body as { statusCode?: number; error?: string };
        if (response.status >= 500) failures.push(`${route.key} ${c.what}: ${response.status} ${body?.error ?? response.text?.slice(0, 80)}`);
        else if (c.mustRefuse && (response.status < 400 || response.status >= 500)) failures.push(`${route.key} ${c.what}: ${response.status}, expected a 4xx`);
        else if (response.status >= 400 && (body?.statusCode !== response.status || typeof body.error !== 'string')) failures.push(`${route.key} ${c.what}: ${response.status} without the error body`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
  }, 300_000);
});
