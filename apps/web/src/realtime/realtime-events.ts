/**
 * The Socket.IO event map between the gateway and the browser. A placeholder with the names
 * of the realtime issue until the shared `@app/contracts` library defines the typed map; then
 * this file re-exports it and every handler gets its payload type from there.
 */
export interface ServerToClientEvents {
  'call:incoming': (payload: unknown) => void;
  'call:answered': (payload: unknown) => void;
  'call:updated': (payload: unknown) => void;
  'call:ended': (payload: unknown) => void;
  'user:status': (payload: unknown) => void;
}

export interface ClientToServerEvents {
  'set-status': (payload: { status: 'online' | 'away' }, ack?: (answer: unknown) => void) => void;
}
