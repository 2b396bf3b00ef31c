import { mkdir, writeFile } from 'node:fs/promises';
import { join, basename } from 'node:path';
import type { ChannelRecording, SimChannel } from './sim-channel';

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

/** A WAV of `seconds` of silence (header only for zero). */
export function silentWav(seconds: number): Buffer {
  const samples = Math.max(0, Math.round(seconds * SAMPLE_RATE));
  const data = samples * BYTES_PER_SAMPLE;
  return Buffer.concat([wavHeader(data), Buffer.alloc(data)]);
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
 * Writes the files Monitor/MixMonitor would leave: silence for as long as the
 * recorded channel had media (answered) while recording, a 44-byte file when it
 * never did. Written asynchronously after the recording stops; a failed write is
 * reported, never thrown into the call flow.
 */
export class RecordingFiles {
  private readonly pending = new Set<Promise<void>>();
  readonly written: WrittenRecording[] = [];

  constructor(
    private readonly dir: string | null,
    private readonly onError: (err: Error) => void,
  ) {}

  /** The file name a recording ends up as (`<CALLFILENAME>.wav`, or the MixMonitor file name). */
  static fileName(rec: ChannelRecording): string {
    return rec.source === 'monitor' ? `${rec.file}.wav` : basename(rec.file);
  }

  /** Stops a running recording at `at` and writes its file. */
  stop(ch: SimChannel, rec: ChannelRecording, at: number): WrittenRecording | null {
    if (rec.stoppedAt !== null) return null;
    rec.stoppedAt = at;
    const mediaFrom = ch.answeredAt === null ? at : Math.max(rec.startedAt, ch.answeredAt);
    const seconds = Math.max(0, (at - mediaFrom) / 1000);
    const file = RecordingFiles.fileName(rec);
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
    if (this.dir) this.track(this.write(this.dir, info.path, seconds));
    return info;
  }

  /** Resolves when every file written so far is on disk. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async write(dir: string, path: string, seconds: number): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(path, silentWav(seconds));
    } catch (err) {
      this.onError(err as Error);
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
