import type { Server } from 'node:http';

/** Starts `server` on `port` (every interface); rejects when it cannot listen (EADDRINUSE). */
export async function listenOn(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes `server` and every connection it still has (keep-alive ones included). */
export async function closeListener(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
