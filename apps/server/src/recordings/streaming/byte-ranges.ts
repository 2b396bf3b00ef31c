import type { Request } from 'express';
import type { ByteRange } from '../storage/recording-store';

/** More ranges than this in one request are answered with the whole file (RFC 9110 lets a server). */
export const MAX_RANGES = 16;

export type RangePlan = { kind: 'full' } | { kind: 'unsatisfiable' } | { kind: 'partial'; ranges: ByteRange[] };

/**
 * What to send for a request's Range header (express's range-parser, overlapping ranges merged):
 * the whole file when there is none, when it is malformed or not in bytes, when If-Range names
 * another version, or when it asks for too many pieces; 416 when no range overlaps the file.
 */
export function planRanges(req: Request, size: number, validators: { etag: string; lastModified: string }): RangePlan {
  if (!req.headers.range) return { kind: 'full' };
  const ifRange = req.headers['if-range'];
  if (ifRange && ifRange !== validators.etag && ifRange !== validators.lastModified) return { kind: 'full' };
  const parsed = req.range(size, { combine: true });
  if (parsed === -1) return { kind: 'unsatisfiable' };
  if (parsed === undefined || parsed === -2 || parsed.type !== 'bytes' || parsed.length > MAX_RANGES) return { kind: 'full' };
  return { kind: 'partial', ranges: parsed.map(({ start, end }) => ({ start, end })) };
}
