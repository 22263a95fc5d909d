import { neon } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import type { Config, Connection, Row } from "../../types";
import { useLocalSqlEndpoint } from "./local";

export function connect(config: Config, databaseUrl: string): Connection {
  if (config.dbSqlHttpUrl) useLocalSqlEndpoint(config.dbSqlHttpUrl);
  const db = drizzle({ client: neon(databaseUrl) });
  return {
    db,
    deadlineMs: config.dbTimeoutMs,
    transaction: async (statements) => {
      const [first, ...rest] = statements.map((s) => db.execute(s));
      if (!first) return [];
      const results = await db.batch([first, ...rest]);
      return results.map((r) => r.rows as Row[]);
    },
    close: async () => {},
  };
}
