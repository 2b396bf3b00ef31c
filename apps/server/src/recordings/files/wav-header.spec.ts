import { parseWavHeader, wavContent } from './wav-header';

function wav(dataBytes: number, options: { riffBytes?: number; declaredData?: number; list?: boolean; byteRate?: number } = {}): Buffer {
  const list = options.list ? Buffer.concat([Buffer.from('LIST'), u32(5), Buffer.from('INFOx'), Buffer.alloc(1)]) : Buffer.alloc(0);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(options.byteRate ?? 16000, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const data = Buffer.concat([Buffer.from('data'), u32(options.declaredData ?? dataBytes), Buffer.alloc(dataBytes)]);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, list, data]);
  return Buffer.concat([Buffer.from('RIFF'), u32(options.riffBytes ?? body.length), body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

describe('WAV headers', () => {
  it('reads format, rate and the audio length of a finished file', () => {
    const file = wav(48320);
    const header = parseWavHeader(file)!;
    expect(header).toMatchObject({ formatTag: 1, channels: 1, sampleRate: 8000, byteRate: 16000, bitsPerSample: 16, dataOffset: 44, dataBytes: 48320 });
    expect(wavContent(header, file.length)).toEqual({ complete: true, audioBytes: 48320, durationSeconds: 3.02 });
  });

  it('recognises the 44-byte file of an unanswered call as complete and empty', () => {
    const file = wav(0);
    expect(file.length).toBe(44);
    expect(wavContent(parseWavHeader(file)!, 44)).toEqual({ complete: true, audioBytes: 0, durationSeconds: 0 });
  });

  it('walks past chunks before the audio (sox writes LIST)', () => {
    const file = wav(16000, { list: true });
    const header = parseWavHeader(file)!;
    expect(header.dataOffset).toBe(58);
    expect(wavContent(header, file.length)).toMatchObject({ complete: true, durationSeconds: 1 });
  });

  it('calls a file whose writer has not closed it incomplete and measures what it holds', () => {
    const file = wav(8000, { riffBytes: 0, declaredData: 0 });
    expect(wavContent(parseWavHeader(file)!, file.length)).toEqual({ complete: false, audioBytes: 8000, durationSeconds: 0.5 });
    const streaming = wav(8000, { riffBytes: 0xffffffff, declaredData: 0xffffffff });
    expect(wavContent(parseWavHeader(streaming)!, streaming.length).complete).toBe(false);
  });

  it('is not fooled by other files', () => {
    expect(parseWavHeader(Buffer.from('OggS\u0000\u0002'))).toBeNull();
    expect(parseWavHeader(Buffer.alloc(0))).toBeNull();
    expect(parseWavHeader(Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEdata\u0000\u0000\u0000\u0000'))).toBeNull();
    expect(parseWavHeader(wav(10).subarray(0, 30))).toBeNull();
  });
});
