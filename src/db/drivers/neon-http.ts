import { neon } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/neon-http";
import type { Config, Connection, Row } from "../../types";
import { useLocalSqlEndpoint } from "./local";

/**
 * `timeoutMs`: Postgres' statement_timeout for this request's statements. There is no connection
 * to configure here, so each goes as a batch (one transaction, one HTTP request) whose first
 * statement sets it for that transaction alone (SET LOCAL). Reads are sent alone (no timeout):
 * a read that ends after the client's 504 harms nothing.
 */
export function connect(config: Config, databaseUrl: string, timeoutMs?: number): Connection {
  if (config.dbSqlHttpUrl) useLocalSqlEndpoint(config.dbSqlHttpUrl);
  const db = drizzle({ client: neon(databaseUrl) });
  const limit = () => db.execute(sql.raw(`SET LOCAL statement_timeout = ${timeoutMs}`));
  return {
    db,
    deadlineMs: config.dbTimeoutMs,
    transaction: async (statements) => {
      const queries = statements.map((s) => db.execute(s));
      if (queries.length === 0) return [];
      const results = await db.batch(
        timeoutMs === undefined ? (queries as [(typeof queries)[0]]) : [limit(), ...queries],
      );
      return results.slice(timeoutMs === undefined ? 0 : 1).map((r) => r.rows as Row[]);
    },
    send: async (query) => {
      if (timeoutMs === undefined) return query;
      const [, rows] = await db.batch([limit(), query as unknown as BatchItem<"pg">]);
      return rows as never;
    },
    close: async () => {},
  };
}
