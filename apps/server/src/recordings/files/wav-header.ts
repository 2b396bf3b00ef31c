/** What a RIFF/WAVE header says about its audio. */
export interface WavHeader {
  /** WAVE format tag: 1 PCM, 6 A-law, 7 µ-law, 0x31 GSM 6.10 (Asterisk's wav49), 0xFFFE extensible. */
  formatTag: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  bitsPerSample: number;
  /** Offset of the first audio byte. */
  dataOffset: number;
  /** Audio bytes as the header declares them (0 while a writer has not finished). */
  dataBytes: number;
  /** RIFF chunk size as declared: the file's size minus 8 once the writer closed it. */
  riffBytes: number;
}

/** How much of a file's start is read to find the `data` chunk (past `fmt `, `fact`, `LIST`). */
export const WAV_HEAD_BYTES = 64 * 1024;

/**
 * Reads a WAV header from the first bytes of a file (up to {@link WAV_HEAD_BYTES}); null when
 * they are not RIFF/WAVE with a `fmt ` chunk before `data`. Chunks are walked, not assumed at
 * fixed offsets: sox and other writers put `LIST` or `fact` chunks before the audio.
 */
export function parseWavHeader(head: Buffer): WavHeader | null {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
  let fmt: Omit<WavHeader, 'dataOffset' | 'dataBytes' | 'riffBytes'> | null = null;
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = head.toString('latin1', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > head.length) return null;
      fmt = {
        formatTag: head.readUInt16LE(body),
        channels: head.readUInt16LE(body + 2),
        sampleRate: head.readUInt32LE(body + 4),
        byteRate: head.readUInt32LE(body + 8),
        bitsPerSample: head.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      return fmt === null ? null : { ...fmt, dataOffset: body, dataBytes: size, riffBytes: head.readUInt32LE(4) };
    }
    // Chunks are word-aligned: an odd size is followed by a pad byte.
    offset = body + size + (size & 1);
  }
  return null;
}

/** What a WAV file of `fileBytes` bytes holds, judged by its header. */
export interface WavContent {
  /** The writer finished: the RIFF size matches the file and the audio fits in it. */
  complete: boolean;
  /** Audio bytes: as declared when complete, else what the file holds after the header. */
  audioBytes: number;
  durationSeconds: number | null;
}

export function wavContent(header: WavHeader, fileBytes: number): WavContent {
  const riffEnd = header.riffBytes + 8;
  const complete = (riffEnd === fileBytes || riffEnd + 1 === fileBytes) && header.dataOffset + header.dataBytes <= fileBytes;
  const audioBytes = complete ? header.dataBytes : Math.max(0, fileBytes - header.dataOffset);
  const durationSeconds = header.byteRate > 0 ? roundMs(audioBytes / header.byteRate) : null;
  return { complete, audioBytes, durationSeconds };
}

export function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
