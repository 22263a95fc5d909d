import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * PGlite (one Postgres backend in WebAssembly) served over the Postgres wire protocol to many
 * client connections at once, safely.
 *
 * PGlite has a single backend, so its session state — the unnamed prepared statement and portal of
 * the extended protocol, an open transaction — is shared by every client. @electric-sql/pglite-socket
 * queues each *message* on its own, so two clients' Parse/Bind/Execute sequences interleave and
 * break each other ("prepared statement does not exist", "portal does not exist", protocol
 * violations) as soon as several connections are busy at once. Here the unit of work is a client's
 * *flight*: every message up to the one it then waits on (Sync, Query, Flush, startup,
 * authentication), run on the backend as one exclusive step; and while a client has a transaction
 * open, only that client's flights run (the others wait), until it ends it or disconnects (then it
 * is rolled back).
 */
export type PgliteServer = { port: number; stop(): Promise<void> };

/** A client's messages up to one it waits on; `terminate`: the client then ends the connection. */
type Flight = { client: number; bytes: Uint8Array; socket: Socket; terminate?: boolean };

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** Messages a client waits on: the end of a flight. (Terminate, 'X', ends the connection here: the
 * single backend must never see it.) */
const FLIGHT_END = new Set(["S", "Q", "H", "p", "F", "c", "f"]);

export async function servePglite(db: PGlite, options: { host: string; port: number }): Promise<PgliteServer> {
  const queue: Flight[] = [];
  const sockets = new Map<number, Socket>();
  let owner: number | undefined; // the client whose transaction is open
  let running = false;
  let stopped = false;
  let nextId = 1;
  const inTransaction = () => !stopped && !db.closed && db.isInTransaction();

  async function drain() {
    if (running) return;
    running = true;
    try {
      while (!stopped && !db.closed) {
        const index = inTransaction() && owner !== undefined ? queue.findIndex((f) => f.client === owner) : 0;
        const flight = index >= 0 ? queue.splice(index, 1)[0] : undefined;
        if (!flight) break;
        if (flight.bytes.length > 0)
          await db.runExclusive(() =>
            db.execProtocolRawStream(flight.bytes, {
              onRawData: (data) => {
                if (!flight.socket.destroyed) flight.socket.write(Buffer.from(data));
              },
            }),
          );
        owner = inTransaction() ? flight.client : undefined;
        if (flight.terminate) flight.socket.end();
      }
    } finally {
      running = false;
    }
  }

  const server: Server = createServer((socket) => {
    const client = nextId++;
    sockets.set(client, socket);
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let startup = true;
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      let start = 0;
      let offset = 0;
      const push = (end: number, terminate = false) => {
        queue.push({ client, bytes: new Uint8Array(pending.subarray(start, end)), socket, terminate });
        start = offset;
      };
      for (;;) {
        if (startup) {
          if (pending.length - offset < 8) break;
          const length = pending.readInt32BE(offset);
          if (pending.length - offset < length) break;
          const code = pending.readInt32BE(offset + 4);
          offset += length;
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            // No TLS here: answer "N" and let the client go on in the clear.
            socket.write("N");
            start = offset;
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end();
            return;
          }
          startup = false;
          push(offset);
          continue;
        }
        if (pending.length - offset < 5) break;
        const type = String.fromCharCode(pending[offset] as number);
        const length = 1 + pending.readInt32BE(offset + 1);
        if (pending.length - offset < length) break;
        const messageStart = offset;
        offset += length;
        if (type === "X") {
          push(messageStart, true);
          start = offset;
        } else if (FLIGHT_END.has(type)) push(offset);
      }
      pending = pending.subarray(start);
      void drain().catch(() => socket.destroy());
    });
    const gone = () => {
      sockets.delete(client);
      if (stopped) return;
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.client === client) queue.splice(i, 1);
      if (owner === client && inTransaction()) {
        owner = undefined;
        void db
          .exec("ROLLBACK")
          .catch(() => {})
          .then(() => drain());
      } else void drain();
    };
    socket.on("close", gone);
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      stopped = true;
      queue.length = 0;
      for (const s of sockets.values()) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
