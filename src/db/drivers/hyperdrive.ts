import { drizzle } from "drizzle-orm/node-postgres";
import { Pool } from "pg";
import type { Connection } from "../../types";
import { type CorkableStream, corkable } from "./cork";
import { overPool } from "./one-message";

/** `timeoutMs`: Postgres' statement_timeout, a parameter of the connection's startup message (no statement). */
export function connect(connectionString: string, deadlineMs: number, timeoutMs: number): Connection {
  // A pool of one connection rather than a bare Client: a connection refused at startup (too many
  // connections) fails the query with the server's SQLSTATE, so the runner can retry it on a new
  // connection; a Client would fail its queued query with a bare "Connection terminated".
  const pool = new Pool({
    connectionString,
    max: 1,
    connectionTimeoutMillis: deadlineMs,
    statement_timeout: timeoutMs,
  });
  pool.on("connect", (client) =>
    corkable((client as unknown as { connection: { stream: CorkableStream } }).connection.stream),
  );
  return overPool(pool, drizzle({ client: pool }), deadlineMs);
}
