import { execFile } from 'node:child_process';
import { Injectable } from '@nestjs/common';

/** What ffprobe says about a media file. */
export interface MediaProbe {
  /** ffprobe's format name (`wav`, `ogg`, `mp3`, …). */
  container: string;
  /** Codec of the first audio stream (`pcm_s16le`, `opus`, `gsm_ms`, …). */
  codec: string | null;
  durationSeconds: number | null;
}

const PROBE_TIMEOUT_MS = 30_000;
const ENCODE_TIMEOUT_MS = 10 * 60_000;

/**
 * Debian's ffmpeg and ffprobe as child processes (`apt-get install ffmpeg`): ffprobe reads what
 * the WAV parser does not, ffmpeg encodes and decodes for compression. Arguments are passed as
 * an array (no shell), and file names always follow `-i` or are the output, never options.
 */
@Injectable()
export class MediaTools {
  private available: Promise<boolean> | null = null;

  /** Whether ffmpeg and ffprobe run here (checked once). */
  isAvailable(): Promise<boolean> {
    this.available ??= Promise.all([run('ffmpeg', ['-version'], 10_000), run('ffprobe', ['-version'], 10_000)]).then(
      () => true,
      () => false,
    );
    return this.available;
  }

  /** Container, codec and duration of a file; `inputFormat` forces a demuxer for headerless audio. */
  async probe(file: string, inputFormat: string[] = []): Promise<MediaProbe> {
    const out = await run(
      'ffprobe',
      ['-v', 'error', ...inputFormat, '-show_entries', 'format=format_name,duration:stream=codec_name,codec_type', '-of', 'json', '-i', file],
      PROBE_TIMEOUT_MS,
    );
    const parsed = JSON.parse(out) as { format?: { format_name?: string; duration?: string }; streams?: Array<{ codec_name?: string; codec_type?: string }> };
    const duration = Number(parsed.format?.duration);
    return {
      container: parsed.format?.format_name ?? 'unknown',
      codec: parsed.streams?.find((s) => s.codec_type === 'audio')?.codec_name ?? null,
      durationSeconds: Number.isFinite(duration) ? duration : null,
    };
  }

  /** Runs ffmpeg with the given arguments (no banner, errors only); rejects with its stderr. */
  async ffmpeg(args: string[]): Promise<void> {
    await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', ...args], ENCODE_TIMEOUT_MS);
  }
}

function run(command: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${(stderr || error.message).trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(stdout);
    });
  });
}
