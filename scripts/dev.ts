/**
 * npm run dev: everything the Worker needs locally, then `wrangler dev`.
 *
 *   no DATABASE_URL  → embedded PGlite (persisted in .data/pglite) served over the Postgres protocol
 *   DATABASE_URL     → that Postgres (local server; a Neon URL is reached directly, without proxy)
 *
 * It applies migrations, seeds an empty database, starts the local stand-ins for Neon's endpoints
 * (a WebSocket-to-TCP proxy and a SQL-over-HTTP endpoint) for a non-Neon Postgres, and runs
 * `wrangler dev` on :8787. DB_DRIVER=ws|http picks the Worker's driver. Ctrl-C stops it all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { seed, terminalProgress } from "../seeds/seed";
import { hostPortOf, migratePgliteDb, migrateUrl, ROOT, redactUrl, withClient } from "./stack/database";
import { type Embedded, startEmbedded } from "./stack/embedded";
import { ensureDevSecret, markEmbeddedRunning, PGLITE_DIR, runningEmbeddedUrl } from "./stack/local";
import { type SqlHttp, startSqlHttp } from "./stack/sql-http";
import { type DbProxy, startProxy } from "./stack/ws-proxy";

const PORT = Number(process.env.PORT ?? 8787);
const isNeon = (url: string) => /\.neon\.(tech|build)\b/.test(new URL(url).hostname);

let embedded: Embedded | undefined;
let proxy: DbProxy | undefined;
let sqlHttp: SqlHttp | undefined;
let wrangler: ChildProcess | undefined;
let unmark: (() => void) | undefined;
let stopping = false;

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  // wrangler runs in its own process group: signal the group so workerd goes too.
  if (wrangler?.pid && wrangler.exitCode === null) {
    try {
      process.kill(-wrangler.pid, "SIGTERM");
    } catch {}
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 5000);
      wrangler?.once("exit", () => resolve(clearTimeout(timer)));
    });
  }
  await proxy?.close();
  await sqlHttp?.close();
  await embedded?.close();
  unmark?.();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
process.on("SIGHUP", () => void stop(0));

async function main() {
  ensureDevSecret();
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

  const vars = [`DATABASE_URL:${databaseUrl}`];
  if (process.env.DB_DRIVER) vars.push(`DB_DRIVER:${process.env.DB_DRIVER}`);
  if (!isNeon(databaseUrl)) {
    // Local stand-ins for Neon's endpoints: WebSocket proxy (ws driver), SQL over HTTP (http driver).
    proxy = await startProxy({ target: hostPortOf(databaseUrl) });
    sqlHttp = await startSqlHttp({ databaseUrl });
    vars.push(`DB_PROXY_URL:${proxy.url}`, `DB_SQL_HTTP_URL:${sqlHttp.url}`);
  }

  const bin = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const args = ["dev", "--port", String(PORT), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  for (const v of vars) args.push("--var", v);
  wrangler = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: "inherit", detached: true });
  wrangler.on("exit", (code) => void stop(code ?? 0));

  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 600 && !stopping; i++) {
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      console.log(`\n  API       ${base}/\n  Docs      ${base}/docs\n  OpenAPI   ${base}/openapi.json`);
      console.log(
        `  Postgres  ${redactUrl(databaseUrl)}${embedded ? " (embedded)" : ""}\n  Ctrl-C stops everything.\n`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  void stop(1);
});
