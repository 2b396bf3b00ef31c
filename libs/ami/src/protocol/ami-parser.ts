import { isAscii } from 'node:buffer';
import { AmiMessage } from './ami-message';

export interface AmiParserStats {
  bytes: number;
  messages: number;
  /** Messages with neither `Event:` nor `Response:` (dropped, counted). */
  garbageMessages: number;
  /** Lines without a colon inside a message (kept under the empty key ''). */
  malformedLines: number;
  /** Runs of bytes longer than `maxMessageBytes` with no message end (discarded). */
  oversizeDiscards: number;
}

export interface AmiParserOptions {
  /** Longest message accepted; a longer run without `\r\n\r\n` is discarded (default 1 MiB). */
  maxMessageBytes?: number;
  /** Stream starts with the `Asterisk Call Manager/x.y.z` banner line (default true). */
  expectGreeting?: boolean;
  /** Told about every discarded piece of input, for logging. Must not throw. */
  onGarbage?: (reason: 'no-event-or-response' | 'oversize', sample: string) => void;
  pbxId?: string;
}

const MESSAGE_END = '\r\n\r\n';
const NON_ASCII = /[\x80-\xff]/;

/**
 * Streaming AMI parser: bytes in, complete messages out.
 *
 * Each read is decoded once as latin1, which maps bytes 1:1 to UTF-16 code units,
 * so a frame or a multi-byte UTF-8 character split across reads is reassembled
 * byte-exactly; only a complete message holding non-ASCII bytes is re-decoded as
 * UTF-8. Lines end with CRLF only: a bare LF stays inside its value (Park's
 * `Message:`). Keys split at the first colon, so values may contain `: `.
 */
export class AmiParser {
  readonly stats: AmiParserStats = { bytes: 0, messages: 0, garbageMessages: 0, malformedLines: 0, oversizeDiscards: 0 };
  private pending = '';
  private pendingHasNonAscii = false;
  private awaitingGreeting: boolean;
  private readonly maxMessageBytes: number;
  private readonly onGarbage?: AmiParserOptions['onGarbage'];
  private readonly pbxId: string;

  constructor(options: AmiParserOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
    this.awaitingGreeting = options.expectGreeting ?? true;
    this.onGarbage = options.onGarbage;
    this.pbxId = options.pbxId ?? '';
  }

  /** Feeds one read; returns the messages it completed (all stamped with `receivedAt`). */
  push(chunk: Buffer, receivedAt: number = Date.now()): AmiMessage[] {
    const out: AmiMessage[] = [];
    this.stats.bytes += chunk.length;
    const text = chunk.toString('latin1');
    const chunkHasNonAscii = !isAscii(chunk);
    let buf = this.pending.length === 0 ? text : this.pending + text;
    let hasNonAscii = this.pendingHasNonAscii || chunkHasNonAscii;
    let pos = 0;

    if (this.awaitingGreeting) {
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return this.keep(buf, hasNonAscii);
      const first = buf.slice(0, eol);
      // Only a line with no colon is the banner; a stream that starts with messages has none.
      if (!first.includes(':')) {
        out.push(new AmiMessage(['Greeting'], [decode(first, hasNonAscii)], receivedAt, this.pbxId, 'greeting'));
        pos = eol + 2;
      }
      this.awaitingGreeting = false;
    }

    for (;;) {
      while (buf.startsWith('\r\n', pos)) pos += 2; // stray blank lines between messages
      const end = buf.indexOf(MESSAGE_END, pos);
      if (end < 0) break;
      // The tail of a discarded oversize run parses as a message with no Event/Response: counted as garbage.
      const msg = this.parseMessage(buf, pos, end, hasNonAscii, receivedAt);
      if (msg) out.push(msg);
      pos = end + 4;
    }

    if (pos > 0) {
      buf = buf.slice(pos);
      if (hasNonAscii) hasNonAscii = NON_ASCII.test(buf);
    }
    if (buf.length > this.maxMessageBytes) {
      this.stats.oversizeDiscards++;
      this.onGarbage?.('oversize', buf.slice(0, 200));
      buf = '';
      hasNonAscii = false;
    }
    this.keep(buf, hasNonAscii);
    return out;
  }

  /** Drops any partial message (after a reconnect the new stream starts with a greeting). */
  reset(expectGreeting = true): void {
    this.pending = '';
    this.pendingHasNonAscii = false;
    this.awaitingGreeting = expectGreeting;
  }

  /** Bytes held for an incomplete message. */
  get bufferedLength(): number {
    return this.pending.length;
  }

  private keep(buf: string, hasNonAscii: boolean): AmiMessage[] {
    // A slice of a large read pins the whole read; flatten a small tail into its own string.
    this.pending = buf.length > 0 && buf.length < 4096 ? (' ' + buf).slice(1) : buf;
    this.pendingHasNonAscii = hasNonAscii;
    return [];
  }

  private parseMessage(buf: string, start: number, end: number, mayHaveNonAscii: boolean, receivedAt: number): AmiMessage | null {
    let text = buf.slice(start, end);
    if (mayHaveNonAscii && NON_ASCII.test(text)) text = Buffer.from(text, 'latin1').toString('utf8');
    const keys: string[] = [];
    const values: string[] = [];
    let lineStart = 0;
    for (;;) {
      let lineEnd = text.indexOf('\r\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      if (lineEnd > lineStart) {
        const colon = text.indexOf(':', lineStart);
        if (colon < 0 || colon > lineEnd) {
          this.stats.malformedLines++;
          keys.push('');
          values.push(text.slice(lineStart, lineEnd));
        } else {
          keys.push(text.slice(lineStart, colon));
          const valueStart = text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
          values.push(valueStart >= lineEnd ? '' : text.slice(valueStart, lineEnd));
        }
      }
      if (lineEnd >= text.length) break;
      lineStart = lineEnd + 2;
    }
    const msg = new AmiMessage(keys, values, receivedAt, this.pbxId);
    if (msg.kind === 'unknown') {
      this.stats.garbageMessages++;
      this.onGarbage?.('no-event-or-response', text.slice(0, 200));
      return null;
    }
    this.stats.messages++;
    return msg;
  }
}

function decode(latin1: string, mayHaveNonAscii: boolean): string {
  return mayHaveNonAscii && NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}
