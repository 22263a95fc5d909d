import { Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import type { Config, Connection } from "../../types";
import { useLocalProxy } from "./local";
import { overPool } from "./one-message";

export function connect(config: Config, databaseUrl: string): Connection {
  if (config.dbProxyUrl) useLocalProxy(config.dbProxyUrl);
  const pool = new Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: config.dbTimeoutMs });
  return overPool(pool, drizzle({ client: pool }), config.dbTimeoutMs);
}
