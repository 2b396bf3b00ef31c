import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** What a check of the awaited file found: done (stop waiting) or not yet. */
export type ArrivalCheck = () => Promise<'done' | 'wait'>;

interface Waiter {
  name: string;
  check: ArrivalCheck;
  onTimeout: () => Promise<void>;
  deadline: number;
  timer: NodeJS.Timeout | null;
  /** Index into the re-check schedule. */
  step: number;
  running: boolean;
  again: boolean;
  finished: boolean;
}

interface WatchedDirectory {
  watcher: FSWatcher | null;
  /** When watching it may be tried again (epoch ms): a missing directory fails each try, with an exception. */
  retryAt: number;
  /** The last try found no such directory: none of its files can be there either. */
  missing: boolean;
  waiters: Map<string, Set<Waiter>>;
}

/**
 * Re-checks of one awaited file when no directory event arrives: on local disks fs.watch
 * reports the file at once, on a network mount (NFS, SMB) of the PBX's spool the server sees no
 * events for files another host writes, so each awaited file is looked at on this schedule
 * (one stat per file, never a scan of the folder), the last interval repeating until the deadline.
 */
const RECHECK_MS = [250, 500, 1000, 2000, 4000, 8000, 15000];
/** How often watching a directory that could not be watched (not there yet) is tried again. */
const WATCH_RETRY_MS = 1000;
/** A burst of events (a writer appending) leads to one check. */
const EVENT_DEBOUNCE_MS = 100;

/**
 * Waits for files to appear and be complete, each with a deadline. One `fs.watch` per directory
 * holding awaited files (inotify on Linux), shared by its waiters and closed with the last;
 * each event for an awaited name triggers its check. A directory that does not exist yet (a
 * dated folder) is covered by the re-check schedule alone.
 */
export class FileArrivalWatcher {
  private readonly directories = new Map<string, WatchedDirectory>();
  private closed = false;

  constructor(private readonly onError: (error: Error, path: string) => void) {}

  /** Number of files awaited now. */
  get size(): number {
    let n = 0;
    for (const dir of this.directories.values()) for (const set of dir.waiters.values()) n += set.size;
    return n;
  }

  /**
   * Checks `path` now, again on directory events and on the re-check schedule, until `check`
   * says done or `deadlineMs` (epoch ms) passes; then `onTimeout` runs once. Returns a cancel.
   */
  await(path: string, deadlineMs: number, check: ArrivalCheck, onTimeout: () => Promise<void>): () => void {
    const dir = dirname(path);
    const waiter: Waiter = { name: basename(path), check, onTimeout, deadline: deadlineMs, timer: null, step: 0, running: false, again: false, finished: false };
    const watched = this.directory(dir);
    let set = watched.waiters.get(waiter.name);
    if (!set) watched.waiters.set(waiter.name, (set = new Set()));
    set.add(waiter);
    void this.run(dir, waiter);
    return () => this.finish(dir, waiter);
  }

  close(): void {
    this.closed = true;
    for (const [dir, watched] of this.directories) for (const set of watched.waiters.values()) for (const w of set) this.finish(dir, w);
  }

  private directory(dir: string): WatchedDirectory {
    let watched = this.directories.get(dir);
    if (!watched) {
      watched = { watcher: null, waiters: new Map(), retryAt: 0, missing: false };
      this.directories.set(dir, watched);
    }
    this.tryWatching(dir, watched);
    return watched;
  }

  /** Watches the directory unless it is watched, or could not be a moment ago (it is not there yet: each try throws). */
  private tryWatching(dir: string, watched: WatchedDirectory): void {
    if (watched.watcher || this.closed || Date.now() < watched.retryAt) return;
    const started = this.startWatching(dir);
    watched.watcher = started.watcher;
    watched.missing = started.missing;
    if (!watched.watcher) watched.retryAt = Date.now() + WATCH_RETRY_MS;
  }

  private startWatching(dir: string): { watcher: FSWatcher | null; missing: boolean } {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        const set = filename ? this.directories.get(dir)?.waiters.get(filename.toString()) : undefined;
        for (const waiter of set ?? []) this.schedule(dir, waiter, EVENT_DEBOUNCE_MS);
      });
      watcher.on('error', () => {
        // The directory went away (or the mount): the re-check schedule carries on alone.
        watcher.close();
        const watched = this.directories.get(dir);
        if (watched?.watcher === watcher) watched.watcher = null;
      });
      return { watcher, missing: false };
    } catch (error) {
      return { watcher: null, missing: (error as NodeJS.ErrnoException).code === 'ENOENT' };
    }
  }

  private schedule(dir: string, waiter: Waiter, delayMs: number): void {
    if (waiter.finished) return;
    if (waiter.timer) clearTimeout(waiter.timer);
    const delay = Math.max(0, Math.min(delayMs, waiter.deadline - Date.now()));
    waiter.timer = setTimeout(() => {
      waiter.timer = null;
      void this.run(dir, waiter);
    }, delay);
  }

  private async run(dir: string, waiter: Waiter): Promise<void> {
    if (waiter.finished) return;
    if (waiter.running) {
      waiter.again = true;
      return;
    }
    waiter.running = true;
    let result: 'done' | 'wait' = 'wait';
    try {
      // A dated folder created after the wait began: watch it now.
      const watched = this.directories.get(dir);
      if (watched) this.tryWatching(dir, watched);
      // Its folder not there (a second ago at most): nor is the file. Thousands of recordings awaited
      // in a dated folder the PBX has not written yet each looked on their own before.
      if (!watched?.missing) result = await waiter.check();
    } catch (error) {
      this.onError(error as Error, `${dir}/${waiter.name}`);
    } finally {
      waiter.running = false;
    }
    if (waiter.finished) return;
    if (result === 'done') return this.finish(dir, waiter);
    if (Date.now() >= waiter.deadline) {
      this.finish(dir, waiter);
      await waiter.onTimeout().catch((error: Error) => this.onError(error, `${dir}/${waiter.name}`));
      return;
    }
    if (waiter.again) {
      waiter.again = false;
      return this.schedule(dir, waiter, EVENT_DEBOUNCE_MS);
    }
    this.schedule(dir, waiter, RECHECK_MS[Math.min(waiter.step++, RECHECK_MS.length - 1)]);
  }

  private finish(dir: string, waiter: Waiter): void {
    if (waiter.finished) return;
    waiter.finished = true;
    if (waiter.timer) clearTimeout(waiter.timer);
    const watched = this.directories.get(dir);
    const set = watched?.waiters.get(waiter.name);
    set?.delete(waiter);
    if (set && set.size === 0) watched!.waiters.delete(waiter.name);
    if (watched && watched.waiters.size === 0) {
      watched.watcher?.close();
      this.directories.delete(dir);
    }
  }
}
