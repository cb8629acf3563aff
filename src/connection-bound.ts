// A per-address bound on open connections (issue 9): one peer holding many sockets open
// (slowloris, an idle-connection flood) is refused further connections instead of taking the
// server's sockets from everyone else. Counted at accept time, before any byte is read.
import type { Server } from 'node:http';

/** Counts each peer's open connections on `server`; a connection beyond `max` is closed at once. 0 turns the bound off. */
export function boundConnectionsPerAddress(server: Server, max: number, onRefused: (address: string) => void = () => {}): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      onRefused(address);
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
