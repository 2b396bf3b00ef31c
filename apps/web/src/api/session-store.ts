import type { User } from './types';

export interface Session {
  accessToken: string;
  /** Epoch milliseconds after which the server refuses the token. */
  expiresAt: number;
  user: User;
}

const KEY = 'crm.session';
type Listener = (session: Session | null) => void;

/**
 * The logged-in session, kept in localStorage so a reload or a second tab stays logged in
 * (operators keep the page open all day; the token is short-lived). Other tabs learn of a
 * login or logout through the storage event.
 */
export class SessionStore {
  private session: Session | null = this.read();
  private readonly listeners = new Set<Listener>();

  constructor() {
    window.addEventListener('storage', (event) => {
      if (event.key !== KEY) return;
      this.session = this.read();
      this.emit();
    });
  }

  /** The session while its token is valid (the provider clears it when it expires). */
  get current(): Session | null {
    return this.session && this.session.expiresAt > Date.now() ? this.session : null;
  }

  set(session: Session): void {
    this.session = session;
    localStorage.setItem(KEY, JSON.stringify(session));
    this.emit();
  }

  clear(): void {
    if (!this.session) return;
    this.session = null;
    localStorage.removeItem(KEY);
    this.emit();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.session);
  }

  private read(): Session | null {
    try {
      const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
      return stored && typeof stored.accessToken === 'string' && stored.expiresAt > Date.now() ? stored : null;
    } catch {
      return null;
    }
  }
}
