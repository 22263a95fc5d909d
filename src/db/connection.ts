import { serviceUnavailable } from "../lib/problem";
import type { Bindings, Config, Connection } from "../types";

/**
 * A connection on the driver path DB_DRIVER names, its module imported only when configured:
 *
 * - "http" (default, drivers/neon-http.ts): every statement is one HTTPS request to Neon's SQL
 *   endpoint, no connection to set up; a transaction is one request too (Neon's batch).
 * - "ws" (drivers/neon-ws.ts): the Postgres protocol over a WebSocket; a Pool per request (Workers
 *   cannot share I/O objects between requests), ended after the response.
 * - "hyperdrive" (drivers/hyperdrive.ts): node-postgres over a TCP socket to the Hyperdrive
 *   binding, which pools connections next to the database (any Postgres); a connection per request,
 *   as Cloudflare advises. pg sends a statement with its parameters in one round trip (Parse, Bind,
 *   Execute, Sync together); postgres.js describes a parameterized statement first, one more.
 */
export async function openConnection(config: Config, env: Bindings, { writes = true } = {}): Promise<Connection> {
  const deadlineMs = config.dbTimeoutMs;
  const timeoutMs = statementTimeoutOf(deadlineMs);
  if (config.dbDriver === "hyperdrive") {
    if (!env.HYPERDRIVE) throw serviceUnavailable("The database is not configured (no HYPERDRIVE binding).");
    return (await import("./drivers/hyperdrive")).connect(env.HYPERDRIVE.connectionString, deadlineMs, timeoutMs);
  }
  if (!config.databaseUrl) throw serviceUnavailable("The database is not configured (DATABASE_URL is unset).");
  if (config.dbDriver === "http")
    return (await import("./drivers/neon-http")).connect(config, config.databaseUrl, writes ? timeoutMs : undefined);
  return (await import("./drivers/neon-ws")).connect(config, config.databaseUrl, timeoutMs);
}

/**
 * Postgres' own time limit for a statement (statement_timeout), below the Worker's deadline
 * (DB_TIMEOUT_MS) by a tenth of it (at most a second): a statement still running then is cancelled
 * by Postgres (rolled back, 57014, a 503 that says nothing changed) before the Worker gives up on
 * it, instead of committing after the client was told 504. The margin is for the cancellation's
 * answer to travel back.
 */
export const statementTimeoutOf = (deadlineMs: number) =>
  Math.max(1, deadlineMs - Math.min(1000, Math.ceil(deadlineMs / 10)));
