/**
 * npm run dev: everything the Worker needs locally, then `wrangler dev`.
 *
 *   no DATABASE_URL  → embedded PGlite (persisted in .data/pglite) served over the Postgres protocol
 *   DATABASE_URL     → that Postgres (local server; a Neon URL is reached directly, without stand-ins)
 *   DB_DRIVER        → http (default) | ws | hyperdrive (wrangler's local Hyperdrive, straight to the database)
 *
 * It checks the settings first (an invalid one stops it at once, named), applies migrations, seeds
 * an empty database, starts the local stand-ins for Neon's endpoints (each behind a per-run secret),
 * and runs `wrangler dev` on :8787. Secrets (the database URL, JWT_SECRET) reach wrangler through a
 * private env file, never its command line. Ctrl-C stops it all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { seed, terminalProgress } from "../seeds/seed";
import { parseConfig } from "../src/env";
import { hostPortOf, migratePgliteDb, migrateUrl, ROOT, redactUrl, withClient, withPassword } from "./stack/database";
import { type Embedded, startEmbedded } from "./stack/embedded";
import {
  DEV_VARS,
  ensureDevSecret,
  markEmbeddedRunning,
  PGLITE_DIR,
  readDevVars,
  runningEmbeddedUrl,
} from "./stack/local";
import { type SqlHttp, startSqlHttp } from "./stack/sql-http";
import { quietWrangler } from "./stack/stack";
import { type DbProxy, startProxy } from "./stack/ws-proxy";

const PORT = Number(process.env.PORT ?? 8787);
/** How long `wrangler dev` may take to answer /health before the dev script gives up, with a message. */
const READY_DEADLINE_MS = 90_000;
/** How long wrangler and workerd get to end on SIGTERM before they are killed. */
const STOP_GRACE_MS = 5_000;
const ENV_FILE = join(ROOT, ".wrangler", "dev.env");
const isNeon = (url: string) => /\.neon\.(tech|build)\b/.test(new URL(url).hostname);

let embedded: Embedded | undefined;
let proxy: DbProxy | undefined;
let sqlHttp: SqlHttp | undefined;
let wrangler: ChildProcess | undefined;
let unmark: (() => void) | undefined;
let stopping = false;
let cron: ReturnType<typeof setInterval> | undefined;

/**
 * Stops what this script started, whichever way it is asked to: Ctrl-C (SIGINT to the terminal's
 * process group), SIGHUP (the terminal closed), or SIGTERM to npm alone (a process manager: npm does
 * not pass it on, so this script notices it is orphaned, below). wrangler runs in a process group of
 * its own, so that the order is ours: the group
 * (wrangler, workerd, esbuild) first — SIGTERM, then SIGKILL for whatever is left after a grace —
 * then the stand-ins and the database. The script runs in npm's own Node process (`node --import
 * tsx`), not under tsx's CLI, whose signal relay kills its child ~30 ms after passing a signal on —
 * before this could reach wrangler's group, which then kept port 8787.
 */
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  clearInterval(cron);
  const group = wrangler?.pid;
  if (group) {
    signalGroup(group, "SIGTERM");
    const deadline = Date.now() + STOP_GRACE_MS;
    while (groupAlive(group) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    signalGroup(group, "SIGKILL");
  }
  rmSync(ENV_FILE, { force: true });
  await proxy?.close();
  await sqlHttp?.close();
  await embedded?.close();
  unmark?.();
  process.exit(code);
}
const signalGroup = (group: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-group, signal);
  } catch {}
};
const groupAlive = (group: number) => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));
// npm passes no SIGTERM on to its script (it ends, and `sh -c` with it): this process is then
// orphaned, which is the sign to stop too — as it is when npm is killed outright.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 500).unref();

/** The port is ours before anything starts: otherwise one line that says so, and how to pick another. */
async function ensurePortFree() {
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(PORT, "127.0.0.1", () => server.close(() => resolve(true)));
  });
  if (free) return;
  console.error(
    `Port ${PORT} is already in use (another \`npm run dev\`?): stop it, or choose another: PORT=${PORT + 1} npm run dev`,
  );
  process.exit(1);
}

/**
 * `wrangler dev` runs no cron trigger by itself (--test-scheduled only exposes /__scheduled), so the
 * outbox sweep would never run locally. This fires each of wrangler.toml's crons as production
 * would — once on start too, for fan-outs lost while nothing ran. Every cron here is every minute.
 */
function runCrons(base: string) {
  const crons = (unstable_readConfig({ config: join(ROOT, "wrangler.toml") }).triggers.crons ?? []) as string[];
  const fire = async (first: boolean) => {
    for (const expression of crons) {
      const status = await fetch(`${base}/__scheduled?cron=${encodeURIComponent(expression)}`).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => 0,
      );
      if (first || status !== 200)
        console.log(`  Cron      "${expression}" every minute (ran: ${status || "no answer"})`);
    }
  };
  void fire(true);
  const untilMinute = 60_000 - (Date.now() % 60_000);
  cron = setTimeout(() => {
    void fire(false);
    cron = setInterval(() => void fire(false), 60_000);
  }, untilMinute);
}

/** The Worker's settings as `wrangler dev` will see them: wrangler.toml's [vars], .dev.vars, then this script's. */
function checkSettings(own: Record<string, string>) {
  const vars = unstable_readConfig({ config: join(ROOT, "wrangler.toml") }).vars as Record<string, unknown>;
  const loaded = parseConfig({ ...vars, ...readDevVars(), ...own });
  if (!loaded.ok) {
    console.error(`Invalid setting${loaded.invalid.length > 1 ? "s" : ""}: ${loaded.invalid.join(", ")}.`);
    console.error("See README, Configuration, for what each accepts. Nothing was started.");
    process.exit(1);
  }
  if (loaded.config.jwtSecretProblem === "too short")
    console.warn(`JWT_SECRET in ${DEV_VARS} is shorter than 32 characters: logins will be refused (503).`);
}

async function main() {
  await ensurePortFree();
  ensureDevSecret();
  const driverSetting = process.env.DB_DRIVER ?? "http";
  const own: Record<string, string> = { DB_DRIVER: driverSetting };
  for (const name of ["DB_TIMEOUT_MS", "FANOUT_MAX_FOLLOWERS"]) {
    const value = process.env[name];
    if (value !== undefined) own[name] = value;
  }
  checkSettings(own);

  let databaseUrl = process.env.DATABASE_URL;
  const progress = terminalProgress("seeding ");
  if (databaseUrl) {
    console.log(`Database: ${redactUrl(databaseUrl)}`);
    await migrateUrl(databaseUrl);
    const result = await withClient(databaseUrl, (client) => seed(client, undefined, progress));
    console.log(result.seeded ? "Seeded the empty database." : "Database already seeded.");
  } else {
    if (runningEmbeddedUrl()) throw new Error("Another `npm run dev` is serving the embedded database.");
    console.log(`Database: embedded PGlite in ${PGLITE_DIR}`);
    embedded = await startEmbedded({
      dataDir: PGLITE_DIR,
      port: Number(process.env.EMBEDDED_PG_PORT ?? 0) || undefined,
    });
    unmark = markEmbeddedRunning(embedded.url);
    await migratePgliteDb(embedded.db);
    const result = await seed(embedded.db, undefined, progress);
    console.log(result.seeded ? "Seeded the empty database." : "Database already seeded.");
    databaseUrl = embedded.url;
  }

  const secrets: Record<string, string> = { ...readDevVars(), ...own, DATABASE_URL: databaseUrl };
  if (!isNeon(databaseUrl)) {
    // Local stand-ins for Neon's endpoints: WebSocket proxy (ws driver), SQL over HTTP (http driver).
    proxy = await startProxy({ target: hostPortOf(databaseUrl) });
    sqlHttp = await startSqlHttp({ databaseUrl });
    secrets.DB_PROXY_URL = proxy.url;
    secrets.DB_SQL_HTTP_URL = sqlHttp.url;
  }
  // Secrets go in a file only this user can read, removed on exit; `ps` shows no connection string.
  mkdirSync(join(ROOT, ".wrangler"), { recursive: true });
  writeFileSync(
    ENV_FILE,
    `${Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );
  chmodSync(ENV_FILE, 0o600);
  quietWrangler(withPassword(databaseUrl));

  const pkg = createRequire(import.meta.url).resolve("wrangler/package.json");
  const bin = join(dirname(pkg), (JSON.parse(readFileSync(pkg, "utf8")) as { bin: { wrangler: string } }).bin.wrangler);
  const args = ["dev", "--port", String(PORT), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  args.push("--env-file", ENV_FILE, "--test-scheduled");
  wrangler = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: "inherit", detached: true, env: process.env });
  wrangler.on("exit", (code) => void stop(code ?? 0));

  const base = `http://127.0.0.1:${PORT}`;
  const started = Date.now();
  while (!stopping) {
    const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      console.log(`\n  API       ${base}/\n  Docs      ${base}/docs\n  OpenAPI   ${base}/openapi.json`);
      console.log(`  Postgres  ${redactUrl(databaseUrl)}${embedded ? " (embedded)" : ""}, ${driverSetting} driver`);
      runCrons(base);
      console.log("  Ctrl-C stops everything.\n");
      return;
    }
    if (Date.now() - started > READY_DEADLINE_MS) {
      console.error(`\nThe API did not answer ${base}/health within ${READY_DEADLINE_MS / 1000} s; stopping.`);
      console.error("Is the database unreachable? wrangler's output above says more.");
      return void stop(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  void stop(1);
});
