import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { servePglite } from "./pglite-server";

/**
 * The embedded Postgres: PGlite (PostgreSQL compiled to WebAssembly, in this process) served
 * over the Postgres wire protocol on 127.0.0.1 so that anything (the Worker through the stand-ins
 * or Hyperdrive, psql, drizzle-kit) can connect, many connections at once (pglite-server.ts).
 * `dataDir` persists it; without one it lives in memory.
 */
export type Embedded = {
  db: PGlite;
  url: string;
  host: string;
  port: number;
  /** Stops the socket server (every connection drops) and starts it again on the same port: a restart. */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startEmbedded(options: { dataDir?: string; port?: number } = {}): Promise<Embedded> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const host = "127.0.0.1";
  const port = options.port ?? (await freePort());
  const serve = () => servePglite(db, { host, port });
  let server = await serve();
  return {
    db,
    host,
    port,
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    restart: async (downMs = 500) => {
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      server = await serve();
    },
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}
