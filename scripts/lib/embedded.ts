import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * The embedded Postgres: PGlite (PostgreSQL compiled to WebAssembly, in this process) served
 * over the Postgres wire protocol on 127.0.0.1 so that anything (the Worker through the proxy,
 * psql, drizzle-kit) can connect. `dataDir` persists it; without one it lives in memory.
 */
export type Embedded = { db: PGlite; url: string; host: string; port: number; close(): Promise<void> };

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
  // pglite-socket rejects (does not queue) connections beyond maxConnections.
  const server = new PGLiteSocketServer({ db, host, port, maxConnections: 100 });
  await server.start();
  return {
    db,
    host,
    port,
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}
