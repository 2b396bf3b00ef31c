import type { Readable } from 'node:stream';

/** A stored file's size and modification time (for Content-Length, ETag, Last-Modified). */
export interface StoredFile {
  size: number;
  modifiedAt: Date;
}

/** Bytes `start` to `end`, both included (HTTP's way). */
export interface ByteRange {
  start: number;
  end: number;
}

/** A file opened for one response: its stat, and its bytes as often as the response needs them. */
export interface OpenedFile extends StoredFile {
  /** The file's bytes (a range of them). */
  read(range?: ByteRange): Promise<Readable>;
  /** Releases the file once the response is done. */
  close(): Promise<void>;
}

/** Where recording files are kept, by key: the recordings folder or an object store. */
export interface RecordingStore {
  /** Null when there is no such file. */
  stat(key: string): Promise<StoredFile | null>;
  /** Null when there is no such file. */
  open(key: string): Promise<OpenedFile | null>;
  remove(key: string): Promise<void>;
}
