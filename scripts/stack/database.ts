import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MIGRATIONS = join(ROOT, "drizzle");

/** Applies drizzle-kit's migrations (the same files and bookkeeping as `drizzle-kit migrate`). */
export async function migrateUrl(url: string): Promise<void> {
  const client = await connectClient(url);
  try {
    await client.query("SET client_min_messages = warning");
    await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder: MIGRATIONS });
  } finally {
    await client.end();
  }
}

export async function migratePgliteDb(db: PGlite): Promise<void> {
  await migratePglite(drizzlePglite({ client: db }), { migrationsFolder: MIGRATIONS });
}

/**
 * A pg client on `url`, connected. A server at max_connections (53300) or starting up (57P03)
 * refuses a connection for a moment: the tests' own checks share the server with the stacks'
 * bursts (two test files at once), so a refusal is retried for up to 20 s, as the Worker does.
 */
export async function connectClient(url: string): Promise<pg.Client> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {}); // a dropped connection fails the query in flight; not the process
    try {
      await client.connect();
      return client;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== "53300" && code !== "57P03") || Date.now() - started > 20_000) throw error;
      await new Promise((r) => setTimeout(r, Math.min(50 * n, 500)));
    }
  }
}

/** Runs `fn` with a pg client on `url`. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient(url);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `postgres://…/name` → the same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function hostPortOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || "127.0.0.1", port: Number(u.port || 5432) };
}

/** The same URL with a password (wrangler's local Hyperdrive insists on one; trust auth ignores it). */
export function withPassword(url: string): string {
  const u = new URL(url);
  if (!u.password) u.password = "postgres";
  return u.toString();
}

/** A connection string fit for the terminal: the password replaced by ***. */
export const redactUrl = (url: string) => url.replace(/:[^:@/]*@/, ":***@");
