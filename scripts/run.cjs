#!/usr/bin/env node
// Runs a TypeScript entry point without a build step: swc transpiles on load
// (decorators + metadata, tsconfig paths such as @app/ami). Production images
// run the `nest build` output instead; this keeps `npm start` instant on a fresh clone.
process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
const [, , entry, ...rest] = process.argv;
if (!entry) {
  console.error('usage: node scripts/run.cjs <entry.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...rest];
require(require('node:path').resolve(entry));
