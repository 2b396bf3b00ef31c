import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Test } from 'supertest';

const RATE = 8000;

/** A 44-byte header of 8 kHz mono 16-bit PCM (what Asterisk's `wav` writes); riff/data sizes as given. */
export function wavHeader(dataBytes: number, declared: { riff?: number; data?: number } = {}): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(declared.riff ?? 36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(declared.data ?? dataBytes, 40);
  return h;
}

/** PCM samples of a tone (audible, so a player has something to play), `bytes` long. */
export function toneSamples(bytes: number, hz = 440): Buffer {
  const samples = Buffer.alloc(bytes - (bytes % 2));
  for (let i = 0; i < samples.length / 2; i++) samples.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / RATE)), i * 2);
  return samples;
}

/** A finished WAV file of `seconds` of tone. */
export function toneWav(seconds: number, hz = 440): Buffer {
  const data = toneSamples(Math.round(seconds * RATE) * 2, hz);
  return Buffer.concat([wavHeader(data.length), data]);
}

export async function writeFileIn(root: string, key: string, content: Buffer): Promise<string> {
  const path = join(root, key);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** A fresh recordings folder for one suite, inside a temporary folder of its own (`outside` is next to it). */
export async function recordingsFolder(): Promise<{ root: string; outside: string; remove(): Promise<void> }> {
  const parent = await mkdtemp(join(tmpdir(), 'crm-recordings-'));
  const root = join(parent, 'recordings');
  await mkdir(root);
  return { root, outside: parent, remove: () => rm(parent, { recursive: true, force: true }) };
}

/** Collects a response body as bytes whatever its content type (audio, multipart). */
export function bytes(test: Test): Test {
  return test.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}
