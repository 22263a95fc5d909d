import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import { WebSocketServer } from "ws";

/**
 * A WebSocket-to-TCP proxy: the Neon serverless driver in the Worker speaks the Postgres wire
 * protocol over a WebSocket (`ws://host:port/v1?address=db-host:db-port`), as it does to Neon's
 * own proxy; this forwards it to a local Postgres (the server, or PGlite's socket server).
 *
 * The driver's `pool.end()` sends Terminate but never closes the WebSocket, and pglite-socket
 * does not close after Terminate either: so once Terminate has been forwarded, both ends are
 * closed here, or connections would pile up until nothing can connect.
 *
 * Only the configured target may be reached: this is not an open relay.
 */
export type DbProxy = {
  url: string;
  port: number;
  /** Connections opened, open now, and statements run (simple Query or extended-protocol Execute messages). */
  stats: { connections: number; open: number; statements: number };
  close(): Promise<void>;
};

/**
 * Follows the frontend (client → server) message stream across chunks and returns the type bytes
 * of the messages completed by each chunk ('Q' query, 'E' execute, 'X' terminate, …).
 */
export function frontendMessages() {
  let startup = true;
  let pending = Buffer.alloc(0);
  return (chunk: Buffer): string[] => {
    pending = Buffer.concat([pending, chunk]);
    const types: string[] = [];
    for (;;) {
      if (startup) {
        if (pending.length < 4) return types;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return types;
        const code = length >= 8 ? pending.readInt32BE(4) : 0;
        pending = pending.subarray(length);
        // SSLRequest / GSSENCRequest are followed by another untyped startup message.
        if (code !== 80877103 && code !== 80877104) startup = false;
        continue;
      }
      if (pending.length < 5) return types;
      const type = String.fromCharCode(pending[0] as number);
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return types;
      pending = pending.subarray(1 + length);
      types.push(type);
    }
  };
}

export async function startProxy(options: { target: { host: string; port: number }; port?: number }): Promise<DbProxy> {
  const allowed = `${options.target.host}:${options.target.port}`;
  const server = createServer((_req, res) => {
    res.writeHead(426, { "Content-Type": "text/plain" }).end("WebSocket only\n");
  });
  const wss = new WebSocketServer({ server, path: "/v1" });
  const sockets = new Set<Socket>();
  const stats = { connections: 0, open: 0, statements: 0 };

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
      if (ws.readyState === ws.OPEN) ws.send(data);
    });
    tcp.on("error", closeBoth);
    tcp.on("close", closeBoth);
    ws.on("message", (data: Buffer) => {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (connected) tcp.write(chunk);
      else buffered.push(chunk);
      const types = messages(chunk);
      for (const type of types) if (type === "Q" || type === "E") stats.statements++;
      if (types.includes("X")) closeBoth();
    });
    ws.on("close", closeBoth);
    ws.on("error", closeBoth);
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    stats,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
