import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configVariableNames, loadConfig } from './load-config';

const lines = readFileSync(resolve(__dirname, '../../../../.env.example'), 'utf8').split('\n');

describe('.env.example', () => {
  const assignments = lines.flatMap((line, index) => {
    const match = /^(?:# )?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
    return match ? [{ name: match[1], value: match[2], comment: lines[index - 1] ?? '' }] : [];
  });

  it('documents every variable the server reads, each with a comment line above it', () => {
    const documented = assignments.map((assignment) => assignment.name);
    expect(documented).toEqual(expect.arrayContaining(configVariableNames()));
    for (const { name, comment } of assignments) expect({ name, comment }).toEqual({ name, comment: expect.stringMatching(/^# \S/) });
  });

  it('holds values the server accepts', () => {
    const env = Object.fromEntries(assignments.map(({ name, value }) => [name, value]));
    expect(loadConfig(env)).toHaveProperty('config');
  });
});
