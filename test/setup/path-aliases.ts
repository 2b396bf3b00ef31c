import Module from 'node:module';
import { resolve } from 'node:path';

/**
 * jest applies `moduleNameMapper` to test files but not to its global setup and teardown,
 * which load the server's entities (and through them `@app/contracts`). This maps the
 * tsconfig path aliases for that one place, the way the mapper does for the tests.
 */
const ALIASES: Array<[RegExp, string]> = [
  [/^@app\/contracts$/, 'libs/contracts/src'],
  [/^@app\/ami$/, 'libs/ami/src'],
  [/^@app\/ami\/(.*)$/, 'libs/ami/src/$1'],
];
const root = resolve(__dirname, '../..');
const moduleWithResolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
  for (const [pattern, target] of ALIASES) {
    if (pattern.test(request)) return original.call(this, resolve(root, request.replace(pattern, target)), ...rest);
  }
  return original.call(this, request, ...rest);
};
