import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../env";
import { ApiError, badRequest, conflict, internalError, serviceUnavailable } from "../lib/problem";
import * as schema from "./schema";

export type Database = NeonDatabase<typeof schema>;

let proxyConfiguredFor: string | undefined;

/** Local development and tests: reach Postgres through our WebSocket-to-TCP proxy. */
function useLocalProxy(proxyUrl: string) {
  if (proxyConfiguredFor === proxyUrl) return;
  const base = proxyUrl.replace(/\/+$/, "");
  neonConfig.wsProxy = (host, port) => `${base.replace(/^wss?:\/\//, "")}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = proxyUrl.startsWith("wss:");
  // With pipelining, a SCRAM server rejects the login (and pglite-socket stops answering).
  neonConfig.pipelineConnect = false;
  proxyConfiguredFor = proxyUrl;
}

/**
 * A Pool per request: Workers cannot share I/O objects between requests, so a Pool created at
 * module scope fails with "Cannot perform I/O on behalf of a different request". The caller ends
 * it with `ctx.waitUntil(pool.end())` once the response is on its way.
 */
export function createDatabase(config: Config): { db: Database; pool: Pool } {
  if (!config.databaseUrl) throw serviceUnavailable("The database is not configured (DATABASE_URL is unset).");
  if (config.dbProxyUrl) useLocalProxy(config.dbProxyUrl);
  const pool = new Pool({
    connectionString: config.databaseUrl,
    max: 1,
    connectionTimeoutMillis: 5_000,
  });
  // Errors of idle clients must not crash the isolate; the request that used them already answered.
  pool.on("error", () => {});
  return { db: drizzle({ client: pool, schema }), pool };
}

type PgError = { code?: string; constraint?: string };

/** Drizzle wraps driver errors ("Failed query: …"); the Postgres error is its `cause`. */
export function pgErrorOf(error: unknown): PgError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as PgError).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return e as PgError;
  }
  return undefined;
}

/** Maps a database failure to a problem without leaking SQL or driver messages. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const pg = pgErrorOf(error);
  if (!pg?.code) return serviceUnavailable("The database is unavailable; retry shortly.");
  const cls = pg.code.slice(0, 2);
  if (pg.code === "23505") return conflict("The resource already exists.");
  if (cls === "22" || pg.code === "23514" || pg.code === "23502")
    return badRequest("A value is out of range or malformed.");
  if (cls === "08" || cls === "53" || cls === "57" || pg.code === "40001" || pg.code === "40P01")
    return serviceUnavailable("The database is busy or unavailable; retry shortly.");
  return internalError();
}
