import { mkdir, writeFile } from 'node:fs/promises';
import { join, basename, dirname, posix } from 'node:path';
import type { ChannelRecording, SimChannel } from './sim-channel';
import { seedOf, speechLikePcm } from './voice-synth';

const SAMPLE_RATE = 8000;
const BYTES_PER_SAMPLE = 2;

/** A 44-byte RIFF/WAVE header for 8 kHz mono 16-bit PCM, as Asterisk's `wav` format writes. */
export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * BYTES_PER_SAMPLE, 28);
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A WAV of `seconds` of a speech-like two-party conversation (see voice-synth.ts; header only for zero). */
export function conversationWav(seconds: number, seed: number): Buffer {
  const pcm = speechLikePcm(seconds, SAMPLE_RATE, seed);
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  // RIFF is little-endian, as Int16Array is on every platform Node runs on.
  return Buffer.concat([wavHeader(data.length), data]);
}

export interface WrittenRecording {
  file: string;
  path: string;
  bytes: number;
  seconds: number;
  source: ChannelRecording['source'];
  channel: string;
}

/**
 * Writes the files Monitor/MixMonitor would leave: a speech-like conversation for as
 * long as the recorded channel had media (answered) while recording, so a player has
 * something to play, and a 44-byte file when it never did. A MixMonitor file keeps its
 * path under the monitor spool (FreePBX's dated `YYYY/MM/DD/` folders). Written
 * asynchronously after the recording stops; a failed write is reported, never thrown
 * into the call flow.
 */
export class RecordingFiles {
  private readonly pending = new Set<Promise<void>>();
  readonly written: WrittenRecording[] = [];

  constructor(
    private readonly dir: string | null,
    private readonly monitorSpool: string,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Where a recording ends up under the recordings folder (`<CALLFILENAME>.wav`, or the MixMonitor file's path in the spool). */
  fileName(rec: ChannelRecording): string {
    if (rec.source === 'monitor') return `${rec.file}.wav`;
    const spool = `${this.monitorSpool.replace(/\/+$/, '')}/`;
    const relative = rec.file.startsWith(spool) ? posix.normalize(rec.file.slice(spool.length)) : '';
    return relative && !relative.startsWith('..') ? relative : basename(rec.file);
  }

  /** Stops a running recording at `at` and writes its file. */
  stop(ch: SimChannel, rec: ChannelRecording, at: number): WrittenRecording | null {
    if (rec.stoppedAt !== null) return null;
    rec.stoppedAt = at;
    const mediaFrom = ch.answeredAt === null ? at : Math.max(rec.startedAt, ch.answeredAt);
    const seconds = Math.max(0, (at - mediaFrom) / 1000);
    const file = this.fileName(rec);
    const info: WrittenRecording = {
      file,
      path: this.dir ? join(this.dir, file) : file,
      bytes: 44 + Math.round(seconds * SAMPLE_RATE) * BYTES_PER_SAMPLE,
      seconds,
      source: rec.source,
      channel: ch.name,
    };
    this.written.push(info);
    if (this.written.length > 10000) this.written.splice(0, this.written.length - 10000);
    if (this.dir) this.track(this.write(info.path, seconds, seedOf(file)));
    return info;
  }

  /** Resolves when every file written so far is on disk. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async write(path: string, seconds: number, seed: number): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, conversationWav(seconds, seed));
    } catch (err) {
      this.onError(err as Error);
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
