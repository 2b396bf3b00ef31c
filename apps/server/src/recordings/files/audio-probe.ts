import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { MediaTools } from './media-tools';
import { parseWavHeader, roundMs, WAV_HEAD_BYTES, wavContent } from './wav-header';

/** What a recording file holds, read from the file itself. */
export interface AudioFacts {
  /** `wav`, `opus`, `mp3`, `ogg`, `gsm`, `ulaw`, … */
  format: string;
  durationSeconds: number | null;
  /** The writer has finished (a WAV's header was closed); unknown for other formats (see quiet period). */
  complete: boolean | null;
  /** No audio at all: an unanswered call's header-only WAV. */
  empty: boolean;
}

/** Asterisk's headerless formats: bytes per second of audio. */
const RAW_RATES: Record<string, number> = { ulaw: 8000, ul: 8000, alaw: 8000, al: 8000, sln: 16000, raw: 16000, sln16: 32000 };

/**
 * Reads format and duration from a recording: WAV (what Asterisk's Monitor and MixMonitor
 * write) from its header, Asterisk's raw formats from their size, anything else (gsm, mp3,
 * ogg/opus, …) through ffprobe when it is installed.
 */
@Injectable()
export class AudioProbe {
  constructor(private readonly tools: MediaTools) {}

  async read(file: string, size: number): Promise<AudioFacts> {
    const head = await readHead(file, Math.min(size, WAV_HEAD_BYTES));
    const wav = parseWavHeader(head);
    if (wav) {
      const content = wavContent(wav, size);
      return { format: 'wav', durationSeconds: content.durationSeconds, complete: content.complete, empty: content.audioBytes === 0 };
    }
    const extension = extname(file).slice(1).toLowerCase();
    const rate = RAW_RATES[extension];
    if (rate !== undefined) return { format: extension, durationSeconds: roundMs(size / rate), complete: null, empty: size === 0 };
    if (size === 0) return { format: extension || 'unknown', durationSeconds: 0, complete: null, empty: true };
    if (!(await this.tools.isAvailable())) return { format: extension || 'unknown', durationSeconds: null, complete: null, empty: false };
    const probe = await this.tools.probe(file);
    const duration = probe.durationSeconds === null ? null : roundMs(probe.durationSeconds);
    return { format: formatName(probe.container, probe.codec, extension), durationSeconds: duration, complete: null, empty: duration === 0 };
  }
}

/** One short word per format: the codec where the container says little (ogg holds opus or vorbis). */
function formatName(container: string, codec: string | null, extension: string): string {
  if (container === 'ogg') return codec === 'opus' ? 'opus' : 'ogg';
  const first = container.split(',')[0];
  return (first || extension || 'unknown').slice(0, 16);
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
