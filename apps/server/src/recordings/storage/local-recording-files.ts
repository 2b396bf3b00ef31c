import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { unsafeRelativePath } from '../files/recording-key';
import { UnsafeRecordingPathError } from '../recordings.errors';
import type { ByteRange, OpenedFile, RecordingStore, StoredFile } from './recording-store';

/** Bytes per read from disk while streaming (Node's default 64 KiB makes four times the reads and writes). */
const READ_CHUNK = 256 * 1024;

/** A file found inside RECORDINGS_PATH: its real path (symlinks resolved) and its stat. */
export interface LocalFile {
  path: string;
  stats: Stats;
}

/**
 * The recordings folder (RECORDINGS_PATH): every key is checked again before use, resolved with
 * symlinks followed, and must still be a regular file inside the folder. A symlink that leads
 * out (to /etc/passwd, another mount) is refused, and so is anything but a plain file (a FIFO
 * would hang a reader, a device would leak). The file is then opened with O_NOFOLLOW.
 */
@Injectable()
export class LocalRecordingFiles implements RecordingStore {
  readonly root: string;

  constructor(config: AppConfig) {
    this.root = config.recordingsPath;
  }

  /** The path a key names, before any file exists there (what readiness waits for). */
  pathOf(key: string): string {
    const problem = unsafeRelativePath(key);
    if (problem) throw new UnsafeRecordingPathError(problem);
    return join(this.root, key);
  }

  /** The file of a key, or null when there is none; throws when the key or the file leads outside. */
  async locate(key: string): Promise<LocalFile | null> {
    const path = this.pathOf(key);
    let real: string;
    let realRoot: string;
    try {
      // One lstat first: readiness asks again and again for files not there yet, and resolving
      // both paths (a lookup per path component) for nothing was most of what waiting cost.
      await lstat(path);
      [realRoot, real] = await Promise.all([realpath(this.root), realpath(path)]);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    if (!real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) throw new UnsafeRecordingPathError('the file leads outside the recordings folder (symlink)');
    const stats = await stat(real);
    if (!stats.isFile()) throw new UnsafeRecordingPathError('the recording is not a regular file');
    return { path: real, stats };
  }

  async stat(key: string): Promise<StoredFile | null> {
    const file = await this.locate(key);
    return file ? { size: file.stats.size, modifiedAt: file.stats.mtime } : null;
  }

  /**
   * Opens the file once for a whole response: the size and time sent are those of the open
   * file (fstat), and every range is read from that same descriptor.
   */
  async open(key: string): Promise<OpenedFile | null> {
    const file = await this.locate(key);
    if (!file) return null;
    const handle = await open(file.path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const stats = await handle.stat();
    return {
      size: stats.size,
      modifiedAt: stats.mtime,
      read: async (range?: ByteRange) => handle.createReadStream({ start: range?.start, end: range?.end, autoClose: false, highWaterMark: READ_CHUNK }),
      close: () => handle.close(),
    };
  }

  async remove(key: string): Promise<void> {
    const file = await this.locate(key);
    if (file) await rm(file.path, { force: true });
  }

  /** Whether anything (even a dangling symlink) sits at the key's path. */
  async exists(key: string): Promise<boolean> {
    return lstat(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
