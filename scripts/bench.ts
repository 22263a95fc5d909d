/**
 * npm run bench: the Worker under load, side by side on both driver paths, against a Postgres
 * server seeded at scale.
 *
 *   BENCH_DATABASE_URL  a Postgres server (default the local one); databases twitter_bench
 *                       (10,000 users, 1,000,000 tweets, 5,000,000 likes) and twitter_bench_small
 *                       (100 / 1,000 / 5,000) are created and seeded on first use, then reused.
 *   BENCH_SCALE         "small" seeds 1/10 of the large set (a quick look, not the reference figures).
 *
 * For each driver (http: neon-http through the local SQL-over-HTTP endpoint; ws: neon-serverless
 * through the WebSocket proxy) it starts the Worker with `unstable_startWorker` (wrangler dev's
 * engine, workerd), drives every endpoint with autocannon and counts, where the statements pass,
 * SQL statements and database connections per request. `GET /` touches no database: its row is
 * the runtime's own ceiling in the same run. Then it times list pages on the 1M-tweet and the
 * 1k-tweet databases, interleaved, and reports the ratio. Figures go to bench/results/latest.json
 * and latest.svg; the table is printed.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { DEFAULT_COUNTS, seed, terminalProgress } from "../seeds/seed";
import { encodeCursor } from "../src/lib/pagination";
import { migrateUrl, ROOT, redactUrl, withClient, withDatabase } from "./stack/database";
import { type Stack, startStack } from "./stack/stack";

const SERVER = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const SCALE = process.env.BENCH_SCALE === "small" ? 10 : 1;
const BIG = {
  name: SCALE === 1 ? "twitter_bench" : "twitter_bench_tenth",
  counts: { users: 10_000 / SCALE, tweets: 1_000_000 / SCALE, likes: 5_000_000 / SCALE },
};
const SMALL = { name: "twitter_bench_small", counts: DEFAULT_COUNTS };
const CONNECTIONS = 10;
const PAGE_SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 200);
const started = Date.now();
const log = (msg: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

async function ensureDatabase(def: { name: string; counts: typeof DEFAULT_COUNTS }): Promise<string> {
  const exists = await withClient(
    SERVER,
    async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [def.name])).rowCount,
  );
  if (!exists) await withClient(SERVER, (c) => c.query(`CREATE DATABASE ${def.name}`));
  const url = withDatabase(SERVER, def.name);
  await migrateUrl(url);
  const result = await withClient(url, (c) => seed(c, def.counts, terminalProgress(`seeding ${def.name} `)));
  const [counts] = await withClient(
    url,
    async (c) =>
      (
        await c.query(
          "SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM tweets)::int AS tweets, (SELECT count(*) FROM likes)::int AS likes",
        )
      ).rows,
  );
  log(
    `${def.name}: ${result.seeded ? "seeded" : "reused"} (${counts.users} users, ${counts.tweets} tweets, ${counts.likes} likes)`,
  );
  return url;
}

type Endpoint = {
  name: string;
  method: string;
  path: string | (() => string);
  body?: () => unknown;
  auth?: boolean;
  amount: number;
};

type Row = {
  driver: string;
  endpoint: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  statementsPerRequest: number;
  connectionsPerRequest: number;
  ratioToCeiling?: number;
};

const rand = (n: number) => 1 + Math.floor(Math.random() * n);

function counters(stack: Stack) {
  return {
    statements: stack.driver === "ws" ? stack.proxy.stats.statements : stack.sqlHttp.stats.statements,
    connections: stack.driver === "ws" ? stack.proxy.stats.connections : 0,
    roundTrips: stack.driver === "ws" ? stack.proxy.stats.connections : stack.sqlHttp.stats.requests,
  };
}

async function load(stack: Stack, endpoint: Endpoint, token: string): Promise<Row> {
  const before = counters(stack);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (endpoint.auth) headers.authorization = `Bearer ${token}`;
  const result = await autocannon({
    url: stack.baseUrl,
    connections: CONNECTIONS,
    amount: endpoint.amount,
    requests: [
      {
        method: endpoint.method as "GET",
        headers,
        setupRequest: (req) => ({
          ...req,
          path: typeof endpoint.path === "function" ? endpoint.path() : endpoint.path,
          ...(endpoint.body ? { body: JSON.stringify(endpoint.body()) } : {}),
        }),
      },
    ],
  });
  await new Promise((r) => setTimeout(r, 200));
  const after = counters(stack);
  const requests = Object.values(result.statusCodeStats ?? {}).reduce((n, s) => n + (s as { count: number }).count, 0);
  const ok = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => Number(code) < 400)
    .reduce((n, [, s]) => n + (s as { count: number }).count, 0);
  return {
    driver: stack.driver,
    endpoint: endpoint.name,
    requests,
    // Throughput while busy (Little's law): autocannon's own run time is rounded to its 1 s ticks.
    rps: Math.round((CONNECTIONS * 1000) / result.latency.mean),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: requests - ok + result.errors + result.timeouts,
    statementsPerRequest: (after.statements - before.statements) / Math.max(requests, 1),
    connectionsPerRequest: (after.connections - before.connections) / Math.max(requests, 1),
  };
}

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

async function benchUser(stack: Stack) {
  const username = `bench_${Date.now().toString(36)}_${stack.driver}`;
  const password = "bench password";
  const body = JSON.stringify({ username, password });
  const headers = { "content-type": "application/json" };
  const user = await json(`${stack.baseUrl}/users`, { method: "POST", body, headers });
  const login = await json(`${stack.baseUrl}/auth/login`, { method: "POST", body, headers });
  return { id: user.id as number, username, password, token: login.access_token as string };
}

function endpoints(
  user: { id: number; username: string; password: string },
  tweets: number,
  users: number,
): Endpoint[] {
  return [
    { name: "GET / (no database: ceiling)", method: "GET", path: "/", amount: 4000 },
    { name: "GET /health", method: "GET", path: "/health", amount: 3000 },
    { name: "GET /users", method: "GET", path: "/users?limit=20", amount: 3000 },
    { name: "GET /users/{id}", method: "GET", path: () => `/users/${rand(users)}`, amount: 3000 },
    { name: "GET /users/{id}/tweets", method: "GET", path: () => `/users/${rand(users)}/tweets`, amount: 3000 },
    {
      name: "GET /users/{id}/liked_tweets",
      method: "GET",
      path: () => `/users/${rand(users)}/liked_tweets`,
      amount: 3000,
    },
    { name: "GET /tweets", method: "GET", path: "/tweets", amount: 3000 },
    { name: "GET /tweets (with token: liked)", method: "GET", path: "/tweets", auth: true, amount: 3000 },
    { name: "GET /tweets/{id}", method: "GET", path: () => `/tweets/${rand(tweets)}`, amount: 3000 },
    {
      name: "GET /tweets/{id}/liking_users",
      method: "GET",
      path: () => `/tweets/${rand(tweets)}/liking_users`,
      amount: 3000,
    },
    {
      name: "POST /tweets",
      method: "POST",
      path: "/tweets",
      auth: true,
      body: () => ({ content: `bench tweet ${Math.random()}` }),
      amount: 1500,
    },
    {
      name: "POST /users/{id}/likes",
      method: "POST",
      path: `/users/${user.id}/likes`,
      auth: true,
      body: () => ({ tweet_id: rand(tweets) }),
      amount: 1500,
    },
    {
      name: "DELETE /users/{id}/likes/{tweet_id}",
      method: "DELETE",
      path: () => `/users/${user.id}/likes/${rand(tweets)}`,
      auth: true,
      amount: 1500,
    },
    {
      name: "POST /auth/login (PBKDF2 100k)",
      method: "POST",
      path: "/auth/login",
      body: () => ({ username: user.username, password: user.password }),
      amount: 150,
    },
  ];
}

/** Sequential page timings, big and small interleaved so both see the same machine state. */
async function pageLatency(big: Stack, small: Stack, paths: { name: string; big: string; small: string }[]) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const out = [];
  for (const p of paths) {
    const times = { big: [] as number[], small: [] as number[] };
    for (let i = 0; i < PAGE_SAMPLES; i++) {
      for (const [which, stack, path] of [
        ["big", big, p.big],
        ["small", small, p.small],
      ] as const) {
        const t0 = performance.now();
        const res = await fetch(`${stack.baseUrl}${path}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        times[which].push(performance.now() - t0);
      }
    }
    const b = median(times.big);
    const s = median(times.small);
    out.push({
      driver: big.driver,
      endpoint: p.name,
      smallMs: +s.toFixed(2),
      bigMs: +b.toFixed(2),
      ratio: +(b / s).toFixed(2),
    });
  }
  return out;
}

async function deepCursor(stack: Stack, tweetId: number) {
  const t = await json(`${stack.baseUrl}/tweets/${tweetId}`);
  return encodeCursor({ at: new Date(t.created_at), id: t.id });
}

function bundleFigures() {
  const out = mkdtempSync(join(tmpdir(), "twitter-bundle-"));
  try {
    const wrangler = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
    execFileSync(process.execPath, [wrangler, "deploy", "--dry-run", "--minify", "--outdir", out], {
      cwd: ROOT,
      stdio: "ignore",
    });
    const code = readFileSync(join(out, "index.js"));
    let startupMs: number | undefined;
    try {
      const profile = join(out, "startup.cpuprofile");
      execFileSync(process.execPath, [wrangler, "check", "startup", "--outfile", profile], {
        cwd: ROOT,
        stdio: "ignore",
        timeout: 120_000,
      });
      const p = JSON.parse(readFileSync(profile, "utf8")) as { startTime: number; endTime: number };
      startupMs = +((p.endTime - p.startTime) / 1000).toFixed(1);
    } catch {
      startupMs = undefined;
    }
    return { minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, startupMs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const fmt = (n: number, d = 1) => n.toFixed(d);
function table(rows: Row[]) {
  const lines = [
    "| driver | endpoint | req/s | p50 ms | p99 ms | errors | SQL stmts/req | DB conns/req | vs ceiling |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows)
    lines.push(
      `| ${r.driver} | ${r.endpoint} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${fmt(r.statementsPerRequest, 2)} | ${fmt(r.connectionsPerRequest, 2)} | ${r.ratioToCeiling === undefined ? "–" : fmt(r.ratioToCeiling, 2)} |`,
    );
  return lines.join("\n");
}

function svg(
  rows: Row[],
  pages: { driver: string; endpoint: string; smallMs: number; bigMs: number; ratio: number }[],
) {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const W = 980;
  const barArea = 420;
  const left = 330;
  const maxMs = Math.max(...rows.filter((r) => !r.endpoint.includes("login")).map((r) => r.p99), 1);
  const scale = (ms: number) => Math.min(barArea, (ms / maxMs) * barArea);
  let y = 50;
  const parts: string[] = [
    `<text x="10" y="24" font-size="16" font-weight="bold">Latency per endpoint (p50 solid, p99 light; ${CONNECTIONS} connections). Login is CPU-bound (PBKDF2) and clipped.</text>`,
  ];
  for (const r of rows) {
    const color = r.driver === "http" ? "#2f6fdf" : "#d9822b";
    parts.push(
      `<text x="${left - 8}" y="${y + 11}" font-size="11" text-anchor="end">${esc(`${r.driver} · ${r.endpoint}`)}</text>`,
    );
    parts.push(
      `<rect x="${left}" y="${y}" width="${scale(r.p99).toFixed(1)}" height="14" fill="${color}" opacity="0.35"/>`,
    );
    parts.push(`<rect x="${left}" y="${y}" width="${scale(r.p50).toFixed(1)}" height="14" fill="${color}"/>`);
    parts.push(
      `<text x="${left + scale(r.p99) + 6}" y="${y + 11}" font-size="11">${r.p50} / ${r.p99} ms · ${r.rps} req/s</text>`,
    );
    y += 18;
  }
  y += 30;
  parts.push(
    `<text x="10" y="${y}" font-size="16" font-weight="bold">Page latency: 1,000 tweets (grey) vs 1,000,000 tweets (green), median of ${PAGE_SAMPLES} sequential requests</text>`,
  );
  y += 20;
  const maxPage = Math.max(...pages.flatMap((p) => [p.smallMs, p.bigMs]), 1);
  const pscale = (ms: number) => (ms / maxPage) * barArea;
  for (const p of pages) {
    parts.push(
      `<text x="${left - 8}" y="${y + 11}" font-size="11" text-anchor="end">${esc(`${p.driver} · ${p.endpoint}`)}</text>`,
    );
    parts.push(`<rect x="${left}" y="${y}" width="${pscale(p.smallMs).toFixed(1)}" height="7" fill="#8a8a8a"/>`);
    parts.push(`<rect x="${left}" y="${y + 7}" width="${pscale(p.bigMs).toFixed(1)}" height="7" fill="#1b9e5a"/>`);
    parts.push(
      `<text x="${left + pscale(Math.max(p.smallMs, p.bigMs)) + 6}" y="${y + 11}" font-size="11">${p.smallMs} → ${p.bigMs} ms (×${p.ratio})</text>`,
    );
    y += 18;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 20}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}

async function main() {
  log(`server ${redactUrl(SERVER)}`);
  const bigUrl = await ensureDatabase(BIG);
  const smallUrl = await ensureDatabase(SMALL);
  const rows: Row[] = [];
  const pages = [];
  for (const driver of ["http", "ws"] as const) {
    const big = await startStack({ existingDatabaseUrl: bigUrl, env: "bench", driver });
    const small = await startStack({ existingDatabaseUrl: smallUrl, env: "bench", driver });
    try {
      const user = await benchUser(big);
      log(`${driver}: Worker ${big.baseUrl}`);
      const driverRows: Row[] = [];
      for (const endpoint of endpoints(user, BIG.counts.tweets, BIG.counts.users)) {
        const row = await load(big, endpoint, user.token);
        driverRows.push(row);
        log(
          `${driver} ${endpoint.name}: ${row.rps} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${fmt(row.statementsPerRequest, 2)} stmt/req`,
        );
      }
      const ceiling = driverRows[0]?.rps ?? 1;
      for (const r of driverRows) r.ratioToCeiling = r.rps / ceiling;
      rows.push(...driverRows);

      const midBig = Math.floor(BIG.counts.tweets / 2);
      const midSmall = Math.floor(SMALL.counts.tweets / 2);
      const [cBig, cSmall] = [await deepCursor(big, midBig), await deepCursor(small, midSmall)];
      const ucBig = encodeCursor({ id: Math.floor(BIG.counts.users / 2) });
      const ucSmall = encodeCursor({ id: Math.floor(SMALL.counts.users / 2) });
      const page = await pageLatency(big, small, [
        { name: "GET /tweets", big: "/tweets", small: "/tweets" },
        { name: "GET /tweets (middle page)", big: `/tweets?cursor=${cBig}`, small: `/tweets?cursor=${cSmall}` },
        { name: "GET /users", big: "/users", small: "/users" },
        { name: "GET /users (middle page)", big: `/users?cursor=${ucBig}`, small: `/users?cursor=${ucSmall}` },
        { name: "GET /users/{id}/tweets", big: "/users/42/tweets", small: "/users/42/tweets" },
        { name: "GET /users/{id}/liked_tweets", big: "/users/42/liked_tweets", small: "/users/42/liked_tweets" },
        {
          name: "GET /tweets/{id}/liking_users",
          big: `/tweets/${midSmall}/liking_users`,
          small: `/tweets/${midSmall}/liking_users`,
        },
      ]);
      for (const p of page) log(`${driver} page ${p.endpoint}: 1k ${p.smallMs} ms, 1M ${p.bigMs} ms, ratio ${p.ratio}`);
      pages.push(...page);
    } finally {
      await big.stop();
      await small.stop();
    }
  }
  log("bundle size and start-up");
  const bundle = bundleFigures();
  const [pgVersion] = await withClient(SERVER, async (c) => (await c.query("SHOW server_version")).rows);
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: pgVersion.server_version,
    date: new Date().toISOString(),
  };
  const results = {
    machine,
    scale: BIG.counts,
    connections: CONNECTIONS,
    rows,
    pages,
    bundle,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const dir = join(ROOT, "bench", "results");
  const suffix = SCALE === 1 ? "latest" : "latest-small";
  writeFileSync(join(dir, `${suffix}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, `${suffix}.svg`), svg(rows, pages));

  console.log(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}`,
  );
  console.log(`Data: ${BIG.counts.users} users, ${BIG.counts.tweets} tweets, ${BIG.counts.likes} likes\n`);
  console.log(table(rows));
  console.log("\n| driver | list endpoint | 1k tweets ms | 1M tweets ms | ratio |\n|---|---|---:|---:|---:|");
  for (const p of pages) console.log(`| ${p.driver} | ${p.endpoint} | ${p.smallMs} | ${p.bigMs} | ${p.ratio} |`);
  console.log(
    `\nBundle: ${(bundle.minifiedBytes / 1024).toFixed(0)} KiB minified, ${(bundle.gzipBytes / 1024).toFixed(0)} KiB gzipped; start-up ${bundle.startupMs ?? "n/a"} ms (wrangler check startup, local CPU)`,
  );
  console.log(`Written: bench/results/${suffix}.json, bench/results/${suffix}.svg (${results.seconds} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
