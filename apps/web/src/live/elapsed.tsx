import { formatDuration } from '../common/format';
import { useNow } from '../common/use-now';

/** A running duration since `since` (server time; `skewMs` is this browser's clock ahead of the server's). */
export function Elapsed({ since, skewMs }: { since: string; skewMs: number }) {
  const now = useNow();
  return <>{formatDuration(Math.max(0, (now - skewMs - Date.parse(since)) / 1000))}</>;
}
