import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";
import { hostPortOf, migratePgliteDb, migrateUrl, ROOT, withClient, withDatabase } from "./database";
import { type Embedded, startEmbedded } from "./embedded";
import { type DbProxy, startProxy } from "./proxy";
import { type SqlHttp, startSqlHttp } from "./sql-http";

/**
 * The whole local stack for tests, benchmarks and the soak run, as deployed code runs: the
 * Worker in workerd (wrangler's unstable_startWorker), the Neon driver, the proxy and a real
 * Postgres: a fresh in-memory PGlite, or a fresh database created on a Postgres server.
 */
export type Stack = {
  baseUrl: string;
  /** A direct connection string for checks from Node (pg). */
  databaseUrl: string;
  jwtSecret: string | null;
  kind: "embedded" | "server";
  driver: "http" | "ws";
  /** The embedded database, when the stack started one. */
  embedded?: Embedded;
  /** Stops the proxy and the SQL endpoint and starts them again on the same ports. */
  restartEndpoints(downMs?: number): Promise<void>;
  proxy: DbProxy;
  sqlHttp: SqlHttp;
  stop(): Promise<void>;
};

export type StackOptions = {
  /** A Postgres server URL (any database on it); a fresh database is created there. Else embedded. */
  serverUrl?: string;
  /** Reuse this existing database as is (no create, no drop), e.g. the benchmark's seeded one. */
  existingDatabaseUrl?: string;
  /** Apply migrations to existingDatabaseUrl (default true; false for a database that is down). */
  migrate?: boolean;
  /** wrangler.toml environment: "test" has small rate limits. */
  env?: string;
  vars?: Record<string, string>;
  databaseName?: string;
  /** The Worker's driver path (DB_DRIVER); default TEST_DB_DRIVER, else "http". */
  driver?: "http" | "ws";
  /** wrangler's log level; "log" shows the Worker's console output (default "warn": quiet). */
  logLevel?: "warn" | "log" | "info";
  /** `null` starts the Worker without JWT_SECRET (to test that auth is refused). */
  jwtSecret?: string | null;
};

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  let embedded: Embedded | undefined;
  let databaseUrl: string;
  let dropDatabase: (() => Promise<void>) | undefined;

  if (options.existingDatabaseUrl) {
    databaseUrl = options.existingDatabaseUrl;
    if (options.migrate !== false) await migrateUrl(databaseUrl);
  } else if (options.serverUrl) {
    const name = options.databaseName ?? `twitter_test_${Date.now()}_${process.pid}`;
    const admin = options.serverUrl;
    await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
    databaseUrl = withDatabase(admin, name);
    dropDatabase = () =>
      withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {});
    await migrateUrl(databaseUrl);
  } else {
    embedded = await startEmbedded();
    await migratePgliteDb(embedded.db);
    databaseUrl = embedded.url;
  }

  const driver = options.driver ?? (process.env.TEST_DB_DRIVER === "ws" ? "ws" : "http");
  // Both local endpoints run, whichever path the Worker uses: the proxy for the WebSocket driver,
  // the SQL-over-HTTP endpoint (Neon's protocol) for the HTTP driver.
  let proxy = await startProxy({ target: hostPortOf(databaseUrl) });
  let sqlHttp = await startSqlHttp({ databaseUrl });
  const jwtSecret = options.jwtSecret === undefined ? randomBytes(32).toString("hex") : options.jwtSecret;
  const text = (value: string) => ({ type: "plain_text" as const, value });
  const worker = await unstable_startWorker({
    config: join(ROOT, "wrangler.toml"),
    env: options.env,
    bindings: {
      DATABASE_URL: text(databaseUrl),
      DB_DRIVER: text(driver),
      DB_PROXY_URL: text(proxy.url),
      DB_SQL_HTTP_URL: text(sqlHttp.url),
      // Empty means unset (and overrides a developer's .dev.vars, which wrangler also loads).
      JWT_SECRET: { type: "secret_text", value: jwtSecret ?? "" },
      ...Object.fromEntries(Object.entries(options.vars ?? {}).map(([k, v]) => [k, text(v)])),
    },
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      watch: false,
      logLevel: options.logLevel ?? "warn",
    },
  });
  await worker.ready;
  const baseUrl = (await worker.url).toString().replace(/\/$/, "");

  const stack: Stack = {
    baseUrl,
    databaseUrl,
    jwtSecret,
    kind: embedded ? "embedded" : "server",
    driver,
    embedded,
    proxy,
    sqlHttp,
    restartEndpoints: async (downMs = 500) => {
      const [proxyPort, sqlPort] = [proxy.port, Number(new URL(sqlHttp.url).port)];
      await proxy.close();
      await sqlHttp.close();
      await new Promise((r) => setTimeout(r, downMs));
      proxy = await startProxy({ target: hostPortOf(databaseUrl), port: proxyPort });
      sqlHttp = await startSqlHttp({ databaseUrl, port: sqlPort });
      stack.proxy = proxy;
      stack.sqlHttp = sqlHttp;
    },
    stop: async () => {
      await worker.dispose();
      await proxy.close();
      await sqlHttp.close();
      await embedded?.close();
      await dropDatabase?.();
    },
  };
  return stack;
}
