import { readFileSync, existsSync } from 'node:fs';
import { AmiMessage } from '../protocol/ami-message';
import { AmiParser } from '../protocol/ami-parser';

/** One socket read of a capture, as recorded in `<name>.timing.jsonl`. */
export interface CaptureChunk {
  offset: number;
  length: number;
  /** ms since that capture's TCP connect (monotonic). */
  ms: number;
  /** Wall-clock arrival, ms since epoch. */
  at: number;
}

export interface Capture {
  path: string;
  bytes: Buffer;
  /** From the `.timing.jsonl` beside the capture, or one chunk at load time when there is none. */
  chunks: CaptureChunk[];
  timed: boolean;
}

/** Loads `<name>.ami` and, when present, `<name>.timing.jsonl` beside it. */
export function loadCapture(path: string): Capture {
  const bytes = readFileSync(path);
  const timingPath = path.replace(/\.ami$/, '.timing.jsonl');
  if (timingPath === path || !existsSync(timingPath)) {
    return { path, bytes, chunks: [{ offset: 0, length: bytes.length, ms: 0, at: Date.now() }], timed: false };
  }
  const chunks = readFileSync(timingPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const raw = JSON.parse(line) as { offset: number; length: number; ms: number; at: string };
      const at = Date.parse(raw.at);
      if (!Number.isInteger(raw.offset) || !Number.isInteger(raw.length) || Number.isNaN(at)) {
        throw new Error(`${timingPath}:${i + 1}: not a timing record`);
      }
      return { offset: raw.offset, length: raw.length, ms: raw.ms, at };
    });
  const covered = chunks.reduce((n, c) => n + c.length, 0);
  if (covered !== bytes.length) throw new Error(`${timingPath}: chunks cover ${covered} bytes, capture has ${bytes.length}`);
  return { path, bytes, chunks, timed: true };
}

/** Parses a capture read by read, so every message carries the arrival time of the read that completed it. */
export function parseCapture(capture: Capture, pbxId = ''): AmiMessage[] {
  const parser = new AmiParser({ pbxId });
  const out: AmiMessage[] = [];
  for (const c of capture.chunks) {
    for (const m of parser.push(capture.bytes.subarray(c.offset, c.offset + c.length), c.at)) out.push(m);
  }
  return out;
}
