/** This server's stream route of a recording. */
export function streamPath(id: number | string): string {
  return `/api/recordings/${id}/stream`;
}

/**
 * The specification's `calls.recording_url` for a ready recording: RECORDINGS_URL_BASE plus the
 * file's path (each segment encoded) when a web server publishes the folder, else this server's
 * stream route (which needs a token: API clients send it, players use a signed URL).
 */
export function callRecordingUrl(base: string | null | undefined, id: number, key: string): string {
  if (!base) return streamPath(id);
  return `${base.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
