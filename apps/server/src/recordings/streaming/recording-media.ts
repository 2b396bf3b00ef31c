import type { CallDirection } from '@app/contracts';

const CONTENT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  opus: 'audio/ogg; codecs=opus',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  gsm: 'audio/x-gsm',
  ulaw: 'audio/basic',
  ul: 'audio/basic',
};

export function contentTypeOf(format: string | null): string {
  return (format && CONTENT_TYPES[format]) ?? 'application/octet-stream';
}

/**
 * A download's file name from its call, safe in any file system and header:
 * `call-42_2026-11-26_12-37-15_inbound_+74951234567_to_74959876543.wav`.
 */
export function downloadName(
  callId: string,
  call: { startedAt: Date; direction: CallDirection; callerNumber: string; receiverNumber: string },
  extension: string,
): string {
  const when = call.startedAt.toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-');
  const clean = (text: string) => text.replace(/[^A-Za-z0-9+]/g, '').slice(0, 32) || 'unknown';
  const ext = extension.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'bin';
  return `call-${callId}_${when}_${call.direction}_${clean(call.callerNumber)}_to_${clean(call.receiverNumber)}.${ext}`;
}
