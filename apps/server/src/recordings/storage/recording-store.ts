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

/** Where recording files are kept, by key: the recordings folder or an object store. */
export interface RecordingStore {
  /** Null when there is no such file. */
  stat(key: string): Promise<StoredFile | null>;
  /** The file's bytes (a range of them); rejects when it is gone. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  remove(key: string): Promise<void>;
}
