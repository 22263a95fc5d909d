import { Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import type { Config, Connection } from "../../types";
import { useLocalProxy } from "./local";
import { overPool } from "./one-message";

/** `timeoutMs`: Postgres' statement_timeout, a parameter of the connection's startup message (no statement). */
export function connect(config: Config, databaseUrl: string, timeoutMs: number): Connection {
  if (config.dbProxyUrl) useLocalProxy(config.dbProxyUrl);
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 1,
    connectionTimeoutMillis: config.dbTimeoutMs,
    statement_timeout: timeoutMs,
  });
  return overPool(pool, drizzle({ client: pool }), config.dbTimeoutMs);
}
