import type { AddressInfo } from "node:net";
import { connect, createServer, type Socket } from "node:net";
import { frontendMessages, isStatement, roundTripCounter } from "./pg-wire";

/**
 * A TCP proxy that puts distance between the Worker and a database endpoint, and counts what
 * crosses it. Every chunk waits half the round-trip time in each direction, and a new connection
 * waits one round trip before its first byte goes through (the TCP handshake), so each exchange
 * pays what it would pay over that distance. With `rttMs` 0 it only counts.
 *
 * It counts, where they pass:
 * - connections;
 * - round trips: one per new connection (the handshake), then for the Postgres protocol one per
 *   flight of messages the client waits on (startup, authentication, Sync, Query, Flush:
 *   pg-wire.ts), and for any other protocol (HTTP) one each time the client sends after having
 *   heard back;
 * - statements, for the Postgres protocol (simple Query and extended-protocol Execute messages).
 *
 * `edge: true` models Hyperdrive: the Worker's connection ends at a Cloudflare location next to it,
 * which answers the Postgres startup itself (no distance, no count) and sends queries over a warm
 * connection near the database: only what follows the first ReadyForQuery crosses the distance.
 */
export type DelayProxy = {
  url: string;
  port: number;
  stats: { connections: number; roundTrips: number; statements: number };
  setRtt(ms: number): void;
  close(): Promise<void>;
};

/** Watches the backend (server → client) stream for the first ReadyForQuery ('Z'). */
function readyForQuery() {
  let pending = Buffer.alloc(0);
  let first = true;
  return (chunk: Buffer): boolean => {
    pending = Buffer.concat([pending, chunk]);
    // A reply to SSLRequest / GSSENCRequest is one untyped byte.
    if (first && pending.length > 0 && (pending[0] === 0x4e || pending[0] === 0x53) && pending.length === 1) {
      pending = Buffer.alloc(0);
      return false;
    }
    first = false;
    for (;;) {
      if (pending.length < 5) return false;
      const type = pending[0];
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return false;
      pending = pending.subarray(1 + length);
      if (type === 0x5a) return true;
    }
  };
}

export async function startDelayProxy(options: {
  target: { host: string; port: number };
  rttMs?: number;
  postgres?: boolean;
  edge?: boolean;
  port?: number;
}): Promise<DelayProxy> {
  let rtt = options.rttMs ?? 0;
  const stats = { connections: 0, roundTrips: 0, statements: 0 };
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    stats.connections++;
    const upstream = connect(options.target.port, options.target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const opened = Date.now();
    let distant = !options.edge; // does traffic cross the distance yet?
    if (distant) stats.roundTrips++; // the handshake
    let awaitingReply = false;
    let clientFree = opened + (distant ? rtt : 0);
    let serverFree = opened;
    const messages = options.postgres ? frontendMessages() : undefined;
    const trips = roundTripCounter();
    const ready = options.edge ? readyForQuery() : undefined;
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    /** Writes `chunk` to `to` at `at` or later, keeping the order of the direction. */
    const later = (to: Socket, chunk: Buffer, at: number) => {
      const wait = at - Date.now();
      if (wait <= 0) to.write(chunk);
      else setTimeout(() => to.destroyed || to.write(chunk), wait);
    };
    client.on("data", (chunk) => {
      if (messages) {
        const types = messages(chunk);
        stats.statements += types.filter(isStatement).length;
        const started = trips.client(types);
        if (distant) stats.roundTrips += started;
      } else if (distant && !awaitingReply) stats.roundTrips++;
      awaitingReply = true;
      const delay = distant ? rtt / 2 : 0;
      clientFree = Math.max(clientFree, Date.now() + delay);
      later(upstream, chunk, clientFree);
    });
    upstream.on("data", (chunk) => {
      awaitingReply = false;
      trips.server();
      const delay = distant ? rtt / 2 : 0;
      serverFree = Math.max(serverFree, Date.now() + delay);
      later(client, chunk, serverFree);
      if (!distant && ready?.(chunk)) distant = true;
    });
    client.on("error", closeBoth);
    upstream.on("error", closeBoth);
    client.on("close", () => setTimeout(closeBoth, rtt / 2));
    upstream.on("close", () => setTimeout(closeBoth, rtt / 2));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `127.0.0.1:${port}`,
    port,
    stats,
    setRtt: (ms) => {
      rtt = ms;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
