/** Where a PBX's recordings are: its monitor directory as the PBX names it, and its folder under RECORDINGS_PATH. */
export interface RecordingPlace {
  /** Absolute, without a trailing slash, e.g. `/var/spool/asterisk/monitor`. */
  monitorDir: string;
  /** Relative to RECORDINGS_PATH; '' for RECORDINGS_PATH itself. */
  folder: string;
}

export type RecordingKeyResult = { key: string } | { refused: string };

const KEY_MAX = 1024;

/**
 * The storage key (path under RECORDINGS_PATH) of a file the PBX reported, or why it is refused.
 * The names come from AMI, so from whoever controls the dialplan or a caller id: only a plain
 * relative path under the monitor directory is accepted. Refused: control characters and NUL,
 * backslashes, anything URL-encoded (`%2e%2e%2f`, `%252e`, `%c0%ae`: the file system does not
 * decode them, but a web server or a later decoding step might), absolute paths outside the
 * PBX's monitor directory, `..`/`.` and empty segments. The key is the path relative to the
 * monitor directory, so the PBX's spool may be mounted anywhere (RECORDINGS_PATH + folder).
 */
export function recordingKey(fileName: string, path: string | null, place: RecordingPlace): RecordingKeyResult {
  for (const text of path === null ? [fileName] : [fileName, path]) {
    const problem = unsafeCharacters(text);
    if (problem) return { refused: problem };
  }
  let relative = fileName;
  if (path !== null) {
    const prefix = place.monitorDir === '/' ? '/' : `${place.monitorDir}/`;
    if (!path.startsWith(prefix)) return { refused: `the path ${path} is outside the PBX's monitor directory ${place.monitorDir}` };
    relative = path.slice(prefix.length);
  }
  if (relative.startsWith('/')) return { refused: 'the file name is an absolute path' };
  const problem = unsafeSegments(relative);
  if (problem) return { refused: problem };
  const key = place.folder ? `${place.folder}/${relative}` : relative;
  return key.length <= KEY_MAX ? { key } : { refused: 'the file name is too long' };
}

/** Why a relative path (a key or a name) is unsafe, or null. Used again on every key before a file is opened. */
export function unsafeRelativePath(relative: string): string | null {
  return unsafeCharacters(relative) ?? (relative.startsWith('/') ? 'the file name is an absolute path' : unsafeSegments(relative));
}

function unsafeCharacters(text: string): string | null {
  // U+FFFD stands for a NUL or an undecodable byte replaced before storing (PostgreSQL text holds no NUL).
  if (/[\u0000-\u001f\u007f\ufffd]/.test(text)) return 'the file name contains a NUL, control character or undecodable byte';
  if (text.includes('\\')) return 'the file name contains a backslash';
  if (/%[0-9a-f]{2}/i.test(text)) return 'the file name contains URL-encoded characters';
  return null;
}

function unsafeSegments(relative: string): string | null {
  const segments = relative.split('/');
  if (segments.some((s) => s === '..')) return 'the file name climbs out of its folder (..)';
  if (segments.some((s) => s === '' || s === '.')) return 'the file name has an empty or "." path segment';
  return null;
}
