import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { unstable_DevEnv } from "wrangler";
import { hostPortOf, migratePgliteDb, migrateUrl, ROOT, withClient, withDatabase, withPassword } from "./database";
import { type Embedded, startEmbedded } from "./embedded";
import { type DelayProxy, startDelayProxy } from "./net-delay";
import { type SqlHttp, startSqlHttp } from "./sql-http";
import { type DbProxy, startProxy } from "./ws-proxy";

export type Driver = "http" | "ws" | "hyperdrive";
export const DRIVERS: Driver[] = ["http", "ws", "hyperdrive"];

/**
 * The whole local stack for tests, benchmarks and the soak run, as deployed code runs: the Worker
 * in workerd (wrangler's DevEnv, with its fan-out queue and cron; see startWorker), one of the three
 * driver paths, and a real Postgres: a fresh in-memory PGlite, or a fresh database created on a
 * Postgres server.
 *
 *   http        Worker → distance → SQL-over-HTTP stand-in (Neon's protocol) → Postgres
 *   ws          Worker → distance → WebSocket proxy stand-in → Postgres
 *   hyperdrive  Worker → Hyperdrive binding (wrangler's local one) → distance (edge model) → Postgres
 *
 * "distance" is a DelayProxy: RTT 0 unless asked (the bench's --rtt), and where round trips,
 * connections and statements are counted.
 */
export type Stack = {
  baseUrl: string;
  /** The same Worker through wrangler's dev proxy, as `npm run dev` serves it. */
  proxyUrl: string;
  /** A direct connection string for checks from Node (pg). */
  databaseUrl: string;
  jwtSecret: string | null;
  kind: "embedded" | "server";
  driver: Driver;
  /** The embedded database, when the stack started one. */
  embedded?: Embedded;
  proxy: DbProxy;
  sqlHttp: SqlHttp;
  /** The distance between the Worker and the database on this stack's driver path. */
  distance: DelayProxy;
  /**
   * What crossed the distance: statements (Query/Execute messages; HTTP: statements of a batch),
   * database connections, round trips, and round trips after connection setup (`queryRoundTrips`).
   */
  counters(): { statements: number; connections: number; roundTrips: number; queryRoundTrips: number };
  /** Stops the stand-ins and starts them again on the same ports (a restart of Neon's endpoints). */
  restartEndpoints(downMs?: number): Promise<void>;
  /** How many times wrangler reloaded the Worker after starting it (never, by design: see buildWorker). */
  reloads(): number;
  /** Runs the Worker's scheduled handler (the fan-out outbox sweep) now. */
  runScheduled(): Promise<void>;
  /** The Worker process's user + system CPU time so far, in ms (Linux /proc). */
  workerCpuMs(): number | undefined;
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
  driver?: Driver;
  /** Round-trip time between the Worker and the database (ms). */
  rttMs?: number;
  /** wrangler's log level; "log" shows the Worker's console output (default "warn": quiet). */
  logLevel?: "warn" | "log" | "info" | "none";
  /** `null` starts the Worker without JWT_SECRET (to test that auth is refused). */
  jwtSecret?: string | null;
};

export const driverFromEnv = (value = process.env.TEST_DB_DRIVER): Driver =>
  value === "ws" || value === "hyperdrive" ? value : "http";

/**
 * The Worker's build (scripts/build.ts), run here once per stack instead of by wrangler, into a
 * directory of the stack's own, started with no custom build command. wrangler reloads a running
 * Worker, `watch: false` or not, when a file its bundler read changes (its esbuild always runs in
 * watch mode) and when wrangler.toml changes, and a reload cuts off what is in flight. Measured
 * (test/local-runtime.test.ts): its bundler followed our build's linked source map to every file
 * in src/ while the map carried no sources (now it does: scripts/build.ts), so any edit in src/
 * reloaded every running stack; so did an edit of wrangler.toml (config watching is off for
 * stacks, see startStack); and with one shared dist/worker.js each stack's build rewrote the
 * others' entry.
 */
let builds = 0;
async function buildWorker(): Promise<string> {
  const outfile = join(
    ROOT,
    "dist",
    "stacks",
    `${process.pid}-${++builds}-${randomBytes(3).toString("hex")}`,
    "worker.js",
  );
  await promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "build.ts"), outfile], {
    cwd: ROOT,
  });
  return outfile;
}

/** How long a stack may take to answer GET / before its start fails with a message (never a hang). */
const STARTUP_DEADLINE_MS = 90_000;

/**
 * Requests go straight to the Worker's own runtime (the miniflare wrangler starts for it), not
 * through wrangler's dev proxy, which exists to keep one port across reloads — a stack never
 * reloads (built once, see buildWorker) — and would add its own hop and CPU to what the bench
 * measures. The proxy's URL is kept for the test of `npm run dev`'s path (test/local-runtime.test.ts:
 * wrangler 4.86's proxy lost a request written at its connections' 5 s idle timeout,
 * workers-sdk#14641; 4.164's does not).
 */
async function startWorker(options: Parameters<InstanceType<typeof unstable_DevEnv>["startWorker"]>[0]) {
  const devEnv = new unstable_DevEnv();
  const dispatch = devEnv.dispatch.bind(devEnv);
  let started: (url: string) => void = () => {};
  const runtimeUrl = new Promise<string>((resolve) => {
    started = resolve;
  });
  let loads = 0;
  devEnv.dispatch = (event) => {
    if (event.type === "reloadStart") loads++;
    if (event.type === "reloadComplete") {
      const { protocol, hostname, port } = event.proxyData.userWorkerUrl;
      started(`${protocol}//${hostname}:${port}`);
    }
    dispatch(event);
  };
  const worker = await devEnv.startWorker(options);
  const proxyUrl = (await worker.url).origin;
  return { worker, runtimeUrl, proxyUrl, reloads: () => Math.max(0, loads - 1) };
}

/** Waits until the Worker answers GET / (no database; any status) at its runtime's URL, within STARTUP_DEADLINE_MS. */
async function answering(runtimeUrl: Promise<string>, what: string): Promise<string> {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  const fail = () => new Error(`The Worker (${what}) did not answer GET / within ${STARTUP_DEADLINE_MS / 1000} s.`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail()), STARTUP_DEADLINE_MS);
  });
  try {
    const base = await Promise.race([runtimeUrl, expired]);
    while (Date.now() < deadline) {
      // Any answer will do: a Worker with an invalid setting answers 503 on every route by design.
      const answered = await fetch(`${base}/`, { signal: AbortSignal.timeout(5_000) }).then(
        async (r) => {
          await r.arrayBuffer();
          return true;
        },
        () => false,
      );
      if (answered) return base;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw fail();
  } finally {
    clearTimeout(timer);
  }
}

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

  const driver = options.driver ?? driverFromEnv();
  const rtt = options.rttMs ?? 0;
  const database = hostPortOf(databaseUrl);
  // Every stand-in runs whichever path the Worker uses; only the path's own one is behind the distance.
  let proxy = await startProxy({ target: database });
  let sqlHttp = await startSqlHttp({ databaseUrl });
  const distance = await startDelayProxy({
    target:
      driver === "http"
        ? { host: "127.0.0.1", port: sqlHttp.port }
        : driver === "ws"
          ? { host: "127.0.0.1", port: proxy.port }
          : database,
    rttMs: rtt,
    postgres: driver === "hyperdrive",
    edge: driver === "hyperdrive",
  });
  const through = (url: string) => {
    const u = new URL(url);
    u.port = String(distance.port);
    return u.toString().replace(/\/$/, "");
  };
  const jwtSecret = options.jwtSecret === undefined ? randomBytes(32).toString("hex") : options.jwtSecret;
  quietWrangler();
  // A stack's configuration is fixed for its life: wrangler.toml changing (a developer's edit during
  // a run) must not reload it (wrangler's config watcher does, unless this is set).
  process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING ??= "true";
  const text = (value: string) => ({ type: "plain_text" as const, value });
  const entrypoint = await buildWorker();
  const { worker, runtimeUrl, proxyUrl, reloads } = await startWorker({
    config: join(ROOT, "wrangler.toml"),
    entrypoint,
    env: options.env,
    // wrangler's DevEnv does not derive this from compatibility_flags as `wrangler dev` does.
    // No custom build command: built above, once (see buildWorker).
    build: { nodejsCompatMode: "v2", custom: { command: "" } },
    bindings: {
      DATABASE_URL: text(databaseUrl),
      DB_DRIVER: text(driver),
      DB_PROXY_URL: text(driver === "ws" ? through(proxy.url) : proxy.url),
      DB_SQL_HTTP_URL: text(driver === "http" ? through(sqlHttp.url) : sqlHttp.url),
      HYPERDRIVE: {
        type: "hyperdrive",
        id: "00000000000000000000000000000000",
        localConnectionString: withPassword(driver === "hyperdrive" ? through(databaseUrl) : databaseUrl),
      },
      // Empty means unset (and overrides a developer's .dev.vars, which wrangler also loads).
      JWT_SECRET: { type: "secret_text", value: jwtSecret ?? "" },
      ...Object.fromEntries(Object.entries(options.vars ?? {}).map(([k, v]) => [k, text(v)])),
    },
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      watch: false,
      persist: false,
      testScheduled: true,
      logLevel: options.logLevel ?? "warn",
    },
  });
  const baseUrl = await answering(runtimeUrl, `${driver} driver, ${embedded ? "embedded" : "server"} Postgres`);

  const stack: Stack = {
    baseUrl,
    proxyUrl,
    databaseUrl,
    jwtSecret,
    kind: embedded ? "embedded" : "server",
    driver,
    embedded,
    proxy,
    sqlHttp,
    distance,
    counters: () => ({
      statements:
        driver === "http"
          ? stack.sqlHttp.stats.statements
          : driver === "ws"
            ? stack.proxy.stats.statements
            : distance.stats.statements,
      connections: driver === "http" ? 0 : distance.stats.connections,
      // ws: the TCP handshake and the WebSocket upgrade of each connection, then the Postgres protocol.
      roundTrips:
        driver === "ws" ? 2 * distance.stats.connections + stack.proxy.stats.roundTrips : distance.stats.roundTrips,
      queryRoundTrips:
        driver === "ws"
          ? stack.proxy.stats.roundTrips - stack.proxy.stats.setupRoundTrips
          : driver === "http"
            ? stack.sqlHttp.stats.requests
            : distance.stats.roundTrips,
    }),
    restartEndpoints: async (downMs = 500) => {
      const [proxyPort, sqlPort] = [proxy.port, sqlHttp.port];
      await proxy.close();
      await sqlHttp.close();
      await new Promise((r) => setTimeout(r, downMs));
      proxy = await startProxy({ target: database, port: proxyPort, secret: proxy.secret });
      sqlHttp = await startSqlHttp({ databaseUrl, port: sqlPort, secret: sqlHttp.secret });
      stack.proxy = proxy;
      stack.sqlHttp = sqlHttp;
    },
    reloads,
    runScheduled: async () => {
      const res = await fetch(`${baseUrl}/__scheduled?cron=*+*+*+*+*`);
      await res.text();
      if (!res.ok) throw new Error(`scheduled handler: HTTP ${res.status}`);
    },
    workerCpuMs: () => workerdCpuMs(),
    stop: async () => {
      await worker.dispose();
      await distance.close();
      await proxy.close();
      await sqlHttp.close();
      await embedded?.close();
      await dropDatabase?.();
      rmSync(dirname(entrypoint), { recursive: true, force: true });
    },
  };
  return stack;
}

/**
 * Settings of wrangler's local runtime for every local run (dev, tests, bench): no fetch of
 * `Request.cf` from workers.cloudflare.com (offline it fails with a stack trace; the placeholder is
 * fine locally), and a local connection string for the Hyperdrive binding, which wrangler insists on
 * before the binding given to it (the real one) replaces it.
 */
export function quietWrangler(hyperdriveUrl = "postgres://postgres:postgres@127.0.0.1:5432/postgres") {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  process.env.CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE ??= hyperdriveUrl;
}

/** User + system CPU of this process's workerd children, from /proc (Linux), in ms; undefined elsewhere. */
export function workerdCpuMs(): number | undefined {
  try {
    let total = 0;
    let found = false;
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue;
      }
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (comm !== "workerd" || Number(fields[1]) !== process.pid) continue;
      found = true;
      total += Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
    }
    return found ? (total * 1000) / 100 : undefined;
  } catch {
    return undefined;
  }
}
