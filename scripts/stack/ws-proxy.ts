import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import { WebSocketServer } from "ws";
import { frontendMessages, isStatement, roundTripCounter, STARTUP } from "./pg-wire";

/**
 * A WebSocket-to-TCP proxy: the Neon serverless driver in the Worker speaks the Postgres wire
 * protocol over a WebSocket (`ws://host:port/v1?address=db-host:db-port`), as it does to Neon's
 * own proxy; this forwards it to a local Postgres (the server, or PGlite's socket server).
 *
 * The driver's `pool.end()` sends Terminate but never closes the WebSocket, and pglite-socket
 * does not close after Terminate either: so once Terminate has been forwarded, both ends are
 * closed here, or connections would pile up until nothing can connect.
 *
 * Only the configured target may be reached: this is not an open relay. And only the Worker may
 * reach it (SECURITY.md, "Local stand-ins"): the path carries a random per-run secret, and an
 * upgrade with an `Origin` header (a web page) or a `Host` that is not loopback (DNS rebinding) is
 * refused.
 */
export type DbProxy = {
  /** ws://…/<secret>: what the Worker is given. */
  url: string;
  port: number;
  secret: string;
  /**
   * Connections opened, open now, statements run (simple Query or extended-protocol Execute
   * messages) and Postgres-protocol round trips (startup, authentication, Sync, Query, Flush).
   */
  stats: { connections: number; open: number; statements: number; roundTrips: number; setupRoundTrips: number };
  close(): Promise<void>;
};

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

export async function startProxy(options: {
  target: { host: string; port: number };
  port?: number;
  secret?: string;
}): Promise<DbProxy> {
  const allowed = `${options.target.host}:${options.target.port}`;
  const secret = options.secret ?? randomBytes(24).toString("hex");
  const server = createServer((_req, res) => {
    res.writeHead(426, { "Content-Type": "text/plain" }).end("WebSocket only\n");
  });
  const wss = new WebSocketServer({
    server,
    path: `/${secret}/v1`,
    verifyClient: ({ req }: { req: import("node:http").IncomingMessage }) =>
      req.headers.origin === undefined && LOOPBACK_HOST.test(req.headers.host ?? ""),
  });
  const sockets = new Set<Socket>();
  const stats = { connections: 0, open: 0, statements: 0, roundTrips: 0, setupRoundTrips: 0 };

  wss.on("connection", (ws, req) => {
    const address = new URL(req.url ?? "", "http://proxy").searchParams.get("address");
    if (address !== allowed && address !== `localhost:${options.target.port}`) {
      ws.close(1008, "address not allowed");
      return;
    }
    stats.connections++;
    stats.open++;
    const tcp = connect(options.target.port, options.target.host);
    sockets.add(tcp);
    tcp.setNoDelay(true);
    const messages = frontendMessages();
    const trips = roundTripCounter();
    const buffered: Buffer[] = [];
    let connected = false;
    let closed = false;
    const closeBoth = () => {
      if (closed) return;
      closed = true;
      stats.open--;
      sockets.delete(tcp);
      tcp.end();
      setTimeout(() => tcp.destroy(), 1000).unref();
      ws.close();
    };
    tcp.on("connect", () => {
      connected = true;
      for (const chunk of buffered.splice(0)) tcp.write(chunk);
    });
    tcp.on("data", (data) => {
      trips.server();
      if (ws.readyState === ws.OPEN) ws.send(data);
    });
    tcp.on("error", closeBoth);
    tcp.on("close", closeBoth);
    ws.on("message", (data: Buffer | ArrayBuffer) => {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (connected) tcp.write(chunk);
      else buffered.push(chunk);
      const types = messages(chunk);
      for (const type of types) {
        if (isStatement(type)) stats.statements++;
      }
      const started = trips.client(types);
      stats.roundTrips += started;
      if (started && types.some((t) => t === STARTUP || t === "p")) stats.setupRoundTrips += started;
      if (types.includes("X")) closeBoth();
    });
    ws.on("close", closeBoth);
    ws.on("error", closeBoth);
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/${secret}`,
    port,
    secret,
    stats,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
