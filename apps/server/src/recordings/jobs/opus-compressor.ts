import { rename, rm, stat } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { MediaTools } from '../files/media-tools';

/** The compressed file is accepted when its duration is this close to the original's. */
export const DURATION_TOLERANCE_SECONDS = 0.1;

/** What the compressed file turned out to be. */
export interface CompressedFile {
  size: number;
  durationSeconds: number;
  modifiedAt: Date;
}

/**
 * Encodes a finished WAV recording to Opus in Ogg with Debian's ffmpeg (libopus, 16 kbit/s
 * mono, tuned for speech: docs/adr/0006-recording-compression.md), into a temporary file that
 * becomes `target` only once verified: it decodes from start to end without an error and its
 * duration is within 0.1 s of the original's. The original is left alone; the caller removes it.
 */
@Injectable()
export class OpusCompressor {
  readonly format = 'opus';

  constructor(private readonly tools: MediaTools) {}

  isAvailable(): Promise<boolean> {
    return this.tools.isAvailable();
  }

  async compress(source: string, target: string, originalSeconds: number): Promise<CompressedFile> {
    const partial = `${target}.partial`;
    try {
      await this.tools.ffmpeg(['-y', '-i', source, '-vn', '-ac', '1', '-c:a', 'libopus', '-b:a', '16k', '-application', 'voip', '-f', 'ogg', partial]);
      await this.tools.ffmpeg(['-xerror', '-i', partial, '-f', 'null', '-']);
      const probe = await this.tools.probe(partial);
      if (probe.codec !== 'opus' || probe.durationSeconds === null) throw new Error(`the encoded file is not Opus audio (${probe.container}/${probe.codec})`);
      const drift = Math.abs(probe.durationSeconds - originalSeconds);
      if (drift > DURATION_TOLERANCE_SECONDS) {
        throw new Error(`the encoded file lasts ${probe.durationSeconds.toFixed(3)} s, the original ${originalSeconds.toFixed(3)} s (more than ${DURATION_TOLERANCE_SECONDS} s apart)`);
      }
      await rename(partial, target);
      const stats = await stat(target);
      return { size: stats.size, durationSeconds: probe.durationSeconds, modifiedAt: stats.mtime };
    } finally {
      await rm(partial, { force: true });
    }
  }
}
