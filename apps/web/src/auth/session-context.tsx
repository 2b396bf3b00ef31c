import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { api, sessionStore } from '../api/api';
import type { Session } from '../api/session-store';
import type { User, UserRole } from '../api/types';

interface SessionApi {
  session: Session | null;
  user: User | null;
  /** The session ended by itself (token expired or refused), not by "Log out". */
  expired: boolean;
  login(username: string, password: string): Promise<void>;
  logout(): void;
}

const SessionContext = createContext<SessionApi | null>(null);

const subscribe = (listener: () => void) => sessionStore.subscribe(listener);
const snapshot = () => sessionStore.current;

export function SessionProvider({ children }: { children: ReactNode }) {
  const session = useSyncExternalStore(subscribe, snapshot);
  const [expired, setExpired] = useState(false);
  const loggingOut = useRef(false);
  const previous = useRef(session);

  useEffect(() => {
    if (previous.current && !session && !loggingOut.current) setExpired(true);
    if (session) setExpired(false);
    loggingOut.current = false;
    previous.current = session;
  }, [session]);

  // Drop the session the moment its token expires, so the next screen is the login, not an error.
  useEffect(() => {
    if (!session) return;
    const timer = window.setTimeout(() => sessionStore.clear(), Math.max(0, session.expiresAt - Date.now()));
    return () => window.clearTimeout(timer);
  }, [session]);

  const login = useCallback(async (username: string, password: string) => {
    const response = await api.auth.login(username, password);
    sessionStore.set({ accessToken: response.accessToken, expiresAt: Date.now() + response.expiresIn * 1000, user: response.user });
  }, []);

  const logout = useCallback(() => {
    loggingOut.current = true;
    // The server revokes the token (a copy of it stops working too); the screen does not wait for it.
    api.auth.logout().catch(() => undefined);
    sessionStore.clear();
  }, []);

  const value = useMemo(() => ({ session, user: session?.user ?? null, expired, login, logout }), [session, expired, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

export function hasRole(user: User | null, roles: readonly UserRole[]): boolean {
  return user !== null && roles.includes(user.role);
}
