import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { sessionStore } from '../api/api';
import { RealtimeClient, type RealtimeState } from './realtime-client';

const RealtimeContext = createContext<RealtimeClient | null>(null);

/** Keeps one realtime connection open while a user is logged in (mounted inside the logged-in shell). */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [client, setClient] = useState<RealtimeClient | null>(null);
  useEffect(() => {
    const created = new RealtimeClient(() => sessionStore.current?.accessToken ?? null);
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
