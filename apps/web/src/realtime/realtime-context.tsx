import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { sessionStore } from '../api/api';
import { EMPTY_LIVE_VIEW, type LiveView } from './live-state';
import { RealtimeClient, type RealtimeState } from './realtime-client';

const RealtimeContext = createContext<RealtimeClient | null>(null);

/**
 * Keeps one realtime connection open while a user is logged in (mounted inside the logged-in
 * shell). When the server refuses the token or ends the session, the session ends here too and
 * the login page says so.
 */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [client, setClient] = useState<RealtimeClient | null>(null);
  useEffect(() => {
    const created = new RealtimeClient(
      () => sessionStore.current?.accessToken ?? null,
      () => sessionStore.clear(),
    );
    created.start();
    setClient(created);
    return () => created.close();
  }, []);
  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeClient | null {
  return useContext(RealtimeContext);
}

const CONNECTING: RealtimeState = { status: 'connecting', lastError: null };

export function useRealtimeState(): RealtimeState {
  const client = useRealtime();
  return useSyncExternalStore(
    (listener) => client?.subscribe(listener) ?? (() => undefined),
    () => client?.current ?? CONNECTING,
  );
}

/** The live calls, popups, presence and phones, re-rendering on every change. */
export function useLive(): LiveView {
  const client = useRealtime();
  return useSyncExternalStore(
    (listener) => client?.live.subscribe(listener) ?? (() => undefined),
    () => client?.live.view() ?? EMPTY_LIVE_VIEW,
  );
}

/** The version (lastEventAt#eventSeq) of one call while it is live or just ended: changes with each of its steps. */
export function useLiveCallVersion(id: string): string | null {
  const client = useRealtime();
  return useSyncExternalStore(
    (listener) => client?.live.subscribe(listener) ?? (() => undefined),
    () => {
      const view = client?.live.view();
      const live = view?.calls.find((c) => c.call.id === id) ?? view?.recentlyEnded.find((c) => c.call.id === id);
      return live ? `${live.call.lastEventAt}#${live.call.eventSeq}` : null;
    },
  );
}
