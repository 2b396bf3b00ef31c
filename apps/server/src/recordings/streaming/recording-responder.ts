import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { OpenedFile } from '../storage/recording-store';
import { RangeNotSatisfiableError } from '../recordings.errors';
import { planRanges } from './byte-ranges';

export interface RecordingResponse {
  file: OpenedFile;
  contentType: string;
  /** Sent as an attachment with this name; null plays inline. */
  downloadName: string | null;
  /** Distinguishes versions of the file (a compressed file replaces the WAV under another key). */
  version: string;
}

/**
 * Sends a stored recording the way a media element needs it: `Accept-Ranges`, 206 with
 * `Content-Range` for one range, `multipart/byteranges` for several, 416 for none that fits,
 * 304 when the client's copy (ETag / Last-Modified) is current, HEAD without a body. The bytes
 * are streamed from the store, never buffered whole.
 */
export async function sendRecording(req: Request, res: Response, r: RecordingResponse): Promise<void> {
  const { size } = r.file;
  const etag = `"${r.version}-${size.toString(36)}-${Math.floor(r.file.modifiedAt.getTime() / 1000).toString(36)}"`;
  const lastModified = r.file.modifiedAt.toUTCString();
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', lastModified);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (r.downloadName) res.attachment(r.downloadName);
  else res.setHeader('Content-Disposition', 'inline');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  const plan = planRanges(req, size, { etag, lastModified });
  if (plan.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${size}`);
    throw new RangeNotSatisfiableError(size);
  }
  const head = req.method === 'HEAD';
  if (plan.kind === 'full' || plan.ranges.length === 1) {
    const range = plan.kind === 'full' ? null : plan.ranges[0];
    res.status(range ? 206 : 200);
    res.setHeader('Content-Type', r.contentType);
    res.setHeader('Content-Length', String(range ? range.end - range.start + 1 : size));
    if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    if (head || size === 0) return void res.end();
    await pipeline(await r.file.read(range ?? undefined), res);
    return;
  }
  const boundary = randomBytes(12).toString('hex');
  const parts = plan.ranges.map((range) => ({
    range,
    head: Buffer.from(`--${boundary}\r\nContent-Type: ${r.contentType}\r\nContent-Range: bytes ${range.start}-${range.end}/${size}\r\n\r\n`),
  }));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = parts.reduce((n, p, i) => n + (i > 0 ? 2 : 0) + p.head.length + p.range.end - p.range.start + 1, 0) + tail.length;
  res.status(206);
  res.setHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
  res.setHeader('Content-Length', String(length));
  if (head) return void res.end();
  await pipeline(Readable.from(multipart(r, parts, tail)), res);
}

async function* multipart(r: RecordingResponse, parts: Array<{ range: { start: number; end: number }; head: Buffer }>, tail: Buffer): AsyncGenerator<Buffer> {
  for (const [i, part] of parts.entries()) {
    if (i > 0) yield Buffer.from('\r\n');
    yield part.head;
    for await (const chunk of await r.file.read(part.range)) yield chunk as Buffer;
  }
  yield tail;
}
