import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../env";
import { ApiError, badRequest, conflict, internalError, notFound, serviceUnavailable } from "../lib/problem";
import * as schema from "./schema";

/** The Drizzle database of either driver path. */
export type Orm = NeonDatabase<typeof schema> | NeonHttpDatabase<typeof schema>;

/** What query functions receive: the Drizzle database and the request's deadline for one statement. */
export type Database = { orm: Orm; deadlineMs: number };

let proxyConfiguredFor: string | undefined;
let sqlEndpointConfiguredFor: string | undefined;

/** Local development and tests: send HTTP-driver queries to the local SQL-over-HTTP endpoint. */
function useLocalSqlEndpoint(url: string) {
  if (sqlEndpointConfiguredFor === url) return;
  neonConfig.fetchEndpoint = () => url;
  sqlEndpointConfiguredFor = url;
}

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
 * The request's database handle, on one of two driver paths (DB_DRIVER):
 *
 * - "http": `drizzle-orm/neon-http`: every statement is one HTTPS request to Neon's SQL endpoint,
 *   no connection setup. Every endpoint of this API is one statement, so this is one round trip.
 * - "ws": `drizzle-orm/neon-serverless`: the Postgres protocol over a WebSocket; a Pool per
 *   request, because Workers cannot share I/O objects between requests (a Pool at module scope
 *   fails with "Cannot perform I/O on behalf of a different request"). `close` ends it, and the
 *   caller runs that in `ctx.waitUntil` once the response is on its way.
 */
export function createDatabase(config: Config): { db: Database; close?: () => Promise<void> } {
  if (!config.databaseUrl) throw serviceUnavailable("The database is not configured (DATABASE_URL is unset).");
  const deadlineMs = config.dbTimeoutMs;
  if (config.dbDriver === "http") {
    if (config.dbSqlHttpUrl) useLocalSqlEndpoint(config.dbSqlHttpUrl);
    return { db: { orm: drizzleHttp({ client: neon(config.databaseUrl), schema }), deadlineMs } };
  }
  if (config.dbProxyUrl) useLocalProxy(config.dbProxyUrl);
  const pool = new Pool({
    connectionString: config.databaseUrl,
    max: 1,
    connectionTimeoutMillis: config.dbTimeoutMs,
  });
  // Errors of idle clients must not crash the isolate; the request that used them already answered.
  pool.on("error", () => {});
  return { db: { orm: drizzleWs({ client: pool, schema }), deadlineMs }, close: () => pool.end() };
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
  // A row the statement refers to went away meanwhile (e.g. a tweet deleted while being liked).
  if (pg.code === "23503") return notFound("A resource this request refers to no longer exists.");
  if (cls === "22" || pg.code === "23514" || pg.code === "23502")
    return badRequest("A value is out of range or malformed.");
  if (cls === "08" || cls === "53" || cls === "57" || pg.code === "40001" || pg.code === "40P01")
    return serviceUnavailable("The database is busy or unavailable; retry shortly.");
  return internalError();
}
