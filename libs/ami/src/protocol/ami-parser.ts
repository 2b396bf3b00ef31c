import { isAscii } from 'node:buffer';
import { AmiMessage } from './ami-message';

export interface AmiParserStats {
  bytes: number;
  messages: number;
  /** Messages with none of `Event:`, `Response:`, `Action:` (dropped, counted). */
  garbageMessages: number;
  /** Runs longer than `maxMessageBytes` (discarded up to the next message end). */
  oversizeDiscards: number;
}

export type AmiGarbageReason = 'no-event-or-response' | 'oversize';

export interface AmiParserOptions {
  /** Longest message accepted, in bytes; a longer run is discarded up to its `\r\n\r\n` (default 1 MiB). */
  maxMessageBytes?: number;
  /** Stream starts with the `Asterisk Call Manager/x.y.z` banner line (default true). */
  expectGreeting?: boolean;
  /** Told about every discarded piece of input, for logging. Must not throw. */
  onGarbage?: (reason: AmiGarbageReason, sample: string) => void;
  pbxId?: string;
}

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const TERMINATOR = Buffer.from('\r\n\r\n', 'latin1');
const NO_STRINGS: readonly string[] = Object.freeze([]);
const GARBAGE_SAMPLE = 200;
/** A carry buffer grown past this by one big message is released once it is empty. */
const KEEP_BUFFER_BYTES = 256 * 1024;

/**
 * Streaming AMI parser: bytes in, complete messages out.
 *
 * The input is framed on bytes (`\r\n\r\n`) and each complete message is decoded
 * on its own: as latin1 when it is pure ASCII (the common case), as UTF-8
 * otherwise. So a frame or a multi-byte character split across reads is
 * reassembled exactly, and the strings of a message never pin the (reused) read buffer
 * they came from. The result does not depend on how the stream was cut into
 * reads (the spec feeds every capture at random chunk sizes to prove it).
 *
 * Splitting a message into lines is AmiMessage's job, done lazily. Input that is not
 * AMI is counted in `stats` and dropped; nothing here throws on bad bytes, and
 * the work per push is linear in the bytes pushed (a partial message is never
 * rescanned), so a slow drip of bytes cannot stall the event loop.
 */
export class AmiParser {
  readonly stats: AmiParserStats = { bytes: 0, messages: 0, garbageMessages: 0, oversizeDiscards: 0 };
  /** Bytes of an incomplete message, carried to the next push. */
  private pending: Buffer = Buffer.alloc(0);
  private pendingLength = 0;
  /** Offset in `pending` before which no terminator can start (already searched). */
  private searchedUpTo = 0;
  private pendingAscii = true;
  /** Inside an oversize run: bytes are dropped up to the next terminator. */
  private discarding = false;
  private awaitingGreeting: boolean;
  private readonly maxMessageBytes: number;
  private readonly onGarbage?: AmiParserOptions['onGarbage'];
  private readonly pbxId: string;

  constructor(options: AmiParserOptions = {}) {
    this.maxMessageBytes = Math.max(16, options.maxMessageBytes ?? 1024 * 1024);
    this.awaitingGreeting = options.expectGreeting ?? true;
    this.onGarbage = options.onGarbage;
    this.pbxId = options.pbxId ?? '';
  }

  /** Feeds one read; returns the messages it completed (all stamped with `receivedAt`). */
  push(chunk: Buffer, receivedAt: number = Date.now()): AmiMessage[] {
    const out: AmiMessage[] = [];
    if (chunk.length === 0) return out;
    this.stats.bytes += chunk.length;

    const fromPending = this.pendingLength > 0;
    const data = fromPending ? this.append(chunk) : chunk;
    const length = data.length;
    // A partial message was searched already; only its last 3 bytes can start a terminator.
    const searchFrom = fromPending ? this.searchedUpTo : 0;
    const ascii = (!fromPending || this.pendingAscii) && isAscii(chunk);

    let pos = 0;
    if (this.discarding) {
      const end = data.indexOf(TERMINATOR, searchFrom);
      if (end < 0) return this.carry(data, Math.max(0, length - 3), ascii, out);
      this.discarding = false;
      pos = end + 4;
    }

    if (this.awaitingGreeting) {
      const eol = indexOfCrlf(data, Math.max(pos, searchFrom));
      if (eol < 0 && length - pos < this.maxMessageBytes) return this.carry(data, pos, ascii, out);
      this.awaitingGreeting = false;
      if (eol >= 0 && this.isBanner(data, pos, eol)) {
        out.push(new AmiMessage(['Greeting'], [decode(data, pos, eol, ascii)], receivedAt, this.pbxId, 'greeting'));
        pos = eol + 2;
      }
    }

    for (;;) {
      while (pos + 1 < length && data[pos] === CR && data[pos + 1] === LF) pos += 2; // stray blank lines
      const end = data.indexOf(TERMINATOR, Math.max(pos, searchFrom));
      if (end < 0) break;
      if (end - pos > this.maxMessageBytes) this.discardOversize(data, pos);
      else this.parseMessage(decode(data, pos, end, ascii), receivedAt, out);
      pos = end + 4;
    }

    // Whatever terminator comes later, this run is already too long: drop it now rather than buffer it.
    if (length - pos - 3 > this.maxMessageBytes) {
      this.discardOversize(data, pos);
      this.discarding = true;
      return this.carry(data, length - 3, ascii, out);
    }
    return this.carry(data, pos, ascii, out);
  }

  /** Drops any partial message (after a reconnect the new stream starts with a greeting). */
  reset(expectGreeting = true): void {
    this.pendingLength = 0;
    this.searchedUpTo = 0;
    this.pendingAscii = true;
    this.discarding = false;
    this.awaitingGreeting = expectGreeting;
    if (this.pending.length > KEEP_BUFFER_BYTES) this.pending = Buffer.alloc(0);
  }

  /** Bytes held for an incomplete message. */
  get bufferedLength(): number {
    return this.pendingLength;
  }

  /** Appends a read to the partial message; returns a view of everything held. */
  private append(chunk: Buffer): Buffer {
    const needed = this.pendingLength + chunk.length;
    if (needed > this.pending.length) {
      // Doubling keeps a message dripping in byte by byte linear, not quadratic.
      const grown = Buffer.allocUnsafe(Math.max(needed, this.pending.length * 2, 4096));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    chunk.copy(this.pending, this.pendingLength);
    this.pendingLength = needed;
    return this.pending.subarray(0, needed);
  }

  /**
   * Keeps `data[from..]` for the next push; it was searched already, save its last 3 bytes.
   * Only a tail after a message end is copied, and such a tail lies within the last read,
   * so the cost stays linear in the bytes pushed.
   */
  private carry(data: Buffer, from: number, ascii: boolean, out: AmiMessage[]): AmiMessage[] {
    const keep = data.length - from;
    if (keep <= 0) {
      this.pendingLength = 0;
      this.searchedUpTo = 0;
      this.pendingAscii = true;
      if (this.pending.length > KEEP_BUFFER_BYTES) this.pending = Buffer.alloc(0);
      return out;
    }
    this.searchedUpTo = Math.max(0, keep - 3);
    if (from === 0 && this.pendingLength === keep) {
      this.pendingAscii = ascii;
      return out;
    }
    this.pendingAscii = ascii || isAscii(data.subarray(from));
    if (keep > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(keep, 4096));
      data.copy(grown, 0, from);
      this.pending = grown;
    } else {
      // `data` may be a view of `pending` itself: Buffer#copy handles the overlap.
      data.copy(this.pending, 0, from);
    }
    this.pendingLength = keep;
    return out;
  }

  /** The banner is a short first line without a colon; a stream that starts with messages has none. */
  private isBanner(data: Buffer, start: number, eol: number): boolean {
    if (eol - start >= this.maxMessageBytes) return false;
    const colon = data.indexOf(COLON, start);
    return colon < 0 || colon > eol;
  }

  private discardOversize(data: Buffer, pos: number): void {
    this.stats.oversizeDiscards++;
    this.onGarbage?.('oversize', data.toString('latin1', pos, Math.min(data.length, pos + GARBAGE_SAMPLE)));
  }

  private parseMessage(text: string, receivedAt: number, out: AmiMessage[]): void {
    // Lines are split lazily by AmiMessage, when (and if) someone reads them.
    const msg = new AmiMessage(NO_STRINGS, NO_STRINGS, receivedAt, this.pbxId, undefined, text);
    if (msg.kind === 'unknown') {
      this.stats.garbageMessages++;
      this.onGarbage?.('no-event-or-response', text.slice(0, GARBAGE_SAMPLE));
      return;
    }
    this.stats.messages++;
    out.push(msg);
  }
}

/** Offset of the first CRLF at or after `from`, or -1. */
function indexOfCrlf(data: Buffer, from: number): number {
  let i = data.indexOf(CR, from);
  while (i >= 0 && i + 1 < data.length) {
    if (data[i + 1] === LF) return i;
    i = data.indexOf(CR, i + 1);
  }
  return -1;
}

/**
 * Node's own per-encoding slicers (what `toString(encoding, start, end)` ends up
 * calling); called directly they skip the encoding lookup and argument checks,
 * which halved the parser's throughput when done once per message.
 */
interface BufferSlicers {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

function decode(data: Buffer, start: number, end: number, knownAscii: boolean): string {
  const slicers = data as unknown as BufferSlicers;
  return knownAscii || isAscii(data.subarray(start, end)) ? slicers.latin1Slice(start, end) : slicers.utf8Slice(start, end);
}
