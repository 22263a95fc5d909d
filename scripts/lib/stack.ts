import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";
import { hostPortOf, migratePgliteDb, migrateUrl, ROOT, withClient, withDatabase } from "./database";
import { type Embedded, startEmbedded } from "./embedded";
import { type DbProxy, startProxy } from "./proxy";

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
  proxy: DbProxy;
  stop(): Promise<void>;
};

export type StackOptions = {
  /** A Postgres server URL (any database on it); a fresh database is created there. Else embedded. */
  serverUrl?: string;
  /** Reuse this existing database as is (no create, no drop), e.g. the benchmark's seeded one. */
  existingDatabaseUrl?: string;
  /** wrangler.toml environment: "test" has small rate limits. */
  env?: string;
  vars?: Record<string, string>;
  databaseName?: string;
  /** `null` starts the Worker without JWT_SECRET (to test that auth is refused). */
  jwtSecret?: string | null;
};

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  let embedded: Embedded | undefined;
  let databaseUrl: string;
  let dropDatabase: (() => Promise<void>) | undefined;

  if (options.existingDatabaseUrl) {
    databaseUrl = options.existingDatabaseUrl;
    await migrateUrl(databaseUrl);
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

  const proxy = await startProxy({ target: hostPortOf(databaseUrl) });
  const jwtSecret = options.jwtSecret === undefined ? randomBytes(32).toString("hex") : options.jwtSecret;
  const text = (value: string) => ({ type: "plain_text" as const, value });
  const worker = await unstable_startWorker({
    config: join(ROOT, "wrangler.toml"),
    env: options.env,
    bindings: {
      DATABASE_URL: text(databaseUrl),
      DB_PROXY_URL: text(proxy.url),
      // Empty means unset (and overrides a developer's .dev.vars, which wrangler also loads).
      JWT_SECRET: { type: "secret_text", value: jwtSecret ?? "" },
      ...Object.fromEntries(Object.entries(options.vars ?? {}).map(([k, v]) => [k, text(v)])),
    },
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      watch: false,
      logLevel: "warn",
    },
  });
  await worker.ready;
  const baseUrl = (await worker.url).toString().replace(/\/$/, "");

  return {
    baseUrl,
    databaseUrl,
    jwtSecret,
    kind: embedded ? "embedded" : "server",
    proxy,
    stop: async () => {
      await worker.dispose();
      await proxy.close();
      await embedded?.close();
      await dropDatabase?.();
    },
  };
}
