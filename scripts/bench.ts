/**
 * npm run bench [-- --rtt N] [--drivers http,ws,hyperdrive] [--report (print the saved figures again)]
 *
 * The Worker under load (workerd, as `wrangler dev` runs it) on each driver path, against the
 * PostgreSQL server (BENCH_DATABASE_URL, default the local one) seeded at scale on first use —
 * 10,000 users, 1,000,000 tweets, 5,000,000 likes, ~1,000,000 follows (BENCH_SCALE=small: a tenth) —
 * with N ms of round trip between the Worker and the database (--rtt or BENCH_RTT; default 0):
 *
 * - every endpoint at one client and at ten: p50/p99, database round trips per request (counted
 *   where they pass, connection setup included), SQL statements, the Worker's CPU per request
 *   (workerd's /proc times), and p50 / RTT;
 * - the graph: the home timeline of users following 10, 500 and 5,000 accounts, posting by authors
 *   with 0 and 10,000 followers, and the fan-out delay until every follower has the tweet;
 * - search and conversations against GET /tweets in the same run; list pages at 1M vs 1k tweets;
 * - the feature ratios of #19, #20 and #21 (reposts and quotes, notifications and mentions, blocks
 *   and bookmarks): each scenario against its baseline, timed interleaved or from the endpoint rows;
 * - the deployed bundle's size and start-up time.
 *
 * Figures go to bench/results/rtt-<N>.json and .svg, and are printed as the README's tables.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { DEFAULT_COUNTS } from "../seeds/seed";
import { count, endpoints, featurePairs } from "./bench/endpoints";
import {
  bigCounts,
  ensureDatabase,
  ensureFixtures,
  type Fixtures,
  fanoutAuthor,
  SCALES,
  timelineCursor,
  type User,
} from "./bench/fixtures";
import { type Feature, type Results, report, svg } from "./bench/report";
import { interleaved, interleavedEndpoints, median, type Row, run } from "./bench/runner";
import { hostPortOf, ROOT, redactUrl, withClient, withDatabase } from "./stack/database";
import { startDelayProxy } from "./stack/net-delay";
import { DRIVERS, type Driver, type Stack, startStack } from "./stack/stack";

const { values } = parseArgs({
  options: { rtt: { type: "string" }, drivers: { type: "string" }, report: { type: "boolean" } },
});
const RTT = Number(values.rtt ?? process.env.BENCH_RTT ?? 0);
const drivers = (values.drivers?.split(",") ?? DRIVERS).filter((d): d is Driver => DRIVERS.includes(d as Driver));
if (!Number.isFinite(RTT) || RTT < 0 || drivers.length === 0) {
  console.error("usage: npm run bench [-- --rtt N] [--drivers http,ws,hyperdrive]");
  process.exit(2);
}
const URL_GIVEN = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
/**
 * A database named in BENCH_DATABASE_URL (other than `postgres`) names the bench's databases, so
 * that runs side by side on one server keep apart; they are created through `postgres`.
 */
const BASE = ((name) => (name && name !== "postgres" ? name : "twitter_bench"))(
  decodeURIComponent(new URL(URL_GIVEN).pathname.slice(1)),
);
const SERVER = withDatabase(URL_GIVEN, "postgres");
const SCALE = process.env.BENCH_SCALE === "small" ? SCALES.small : SCALES.default;
const BIG = { name: SCALE === 1 ? BASE : `${BASE}_tenth`, counts: bigCounts(SCALE) };
const SMALL = { name: `${BASE}_small`, counts: DEFAULT_COUNTS };
/**
 * The bench times posting by an author with 10,000 followers fanned out, so its Workers and seeds
 * take accounts of up to 10,000 followers as fanned out, whatever the default (src/lib/limits.ts).
 */
const FANOUT_MAX_FOLLOWERS = 10_000;
const VARS = { FANOUT_MAX_FOLLOWERS: String(FANOUT_MAX_FOLLOWERS) };
/**
 * The fan-out to 50,000 followers (a tenth at BENCH_SCALE=small): a database of that many users
 * plus one, all following user 2 (the seed's account followed by everyone), a tweet each and no
 * likes, so it seeds in seconds; its timelines are short, where the big database's are full (800).
 */
const FAN = {
  name: `${BASE}_fanout${SCALE === 1 ? "" : "_tenth"}`,
  counts: { users: 50_000 / SCALE + 1, tweets: 50_000 / SCALE, likes: 0, follows: 50_000 / SCALE + 1 },
  maxFollowers: 100_000,
};
/** Requests per endpoint at 1 and at 10 clients: fewer when every request waits for the distance. */
const AMOUNT = RTT > 0 ? { c1: 60, c10: 300 } : { c1: 200, c10: 1500 };
const PAGE_SAMPLES = RTT > 0 ? 30 : 100;
const JWT_SECRET = randomBytes(32).toString("hex");
const started = Date.now();
const log = (msg: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

async function call(stack: Stack, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as { id: number } };
}

type Timed = { p50: number; p99: number };
export type FanoutFigures = {
  followers: number;
  p50Ms: number;
  maxMs: number;
  samples: number;
  /** Timeline entries written per second to the last follower (followers / p50). */
  rowsPerSecond: number;
};

/** What fans out: a tweet, or a repost (of a random seeded tweet; fans out through its own outbox). */
type Spread = "post" | "repost";

/**
 * Posting (or reposting) by `author`, one client, then the delay until every follower has the
 * tweet: until its outbox row is gone, which the chunk that writes the last followers deletes in
 * the same statement (a primary-key probe every 10 ms; counting the tweet's entries instead would
 * scan the whole home_timeline and take the CPU the fan-out runs on). The followers are then
 * checked once. Each write waits until the previous fan-out has finished, so that the request is
 * timed alone: on this two-core machine the consumer's chunks would otherwise take the CPU that
 * the database, the stand-in and the Worker share (in production they run elsewhere). With `zero`,
 * right before each, the author with no followers writes under the same conditions (after the
 * same pause, on the same connection state): the ratio compares like with like. The first two of
 * `samples` warm up (connections, the isolate).
 */
async function fanout(
  stack: Stack,
  url: string,
  author: User,
  followers: number,
  samples: number,
  zero?: User,
  spread: Spread = "post",
) {
  const posts: number[] = [];
  const posts0: number[] = [];
  const delays: number[] = [];
  let failures = 0;
  const reposted: { user: User; tweetId: number }[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** The write: 201 with the tweet's id, or (a repost of a tweet already reposted or gone) anything else. */
  const write = async (user: User, i: number) => {
    if (spread === "post")
      return call(stack, "POST", "/tweets", user.token, { content: `to ${followers} followers ${i}` });
    const tweetId = 1 + Math.floor(Math.random() * BIG.counts.tweets);
    const res = await call(stack, "POST", `/users/${user.id}/reposts`, user.token, { tweet_id: tweetId });
    if (res.status === 201) reposted.push({ user, tweetId });
    return { status: res.status, json: { id: tweetId } };
  };
  await withClient(url, async (db) => {
    const drained = async () =>
      (
        await db.query(
          "SELECT ((SELECT count(*) FROM fanout_outbox) + (SELECT count(*) FROM repost_fanout_outbox))::int AS n",
        )
      ).rows[0].n === 0;
    const pending = async (id: number) =>
      (
        await db.query(
          spread === "post"
            ? "SELECT 1 FROM fanout_outbox WHERE tweet_id = $1"
            : "SELECT 1 FROM repost_fanout_outbox WHERE tweet_id = $1 AND user_id = $2",
          spread === "post" ? [id] : [id, author.id],
        )
      ).rowCount === 1;
    for (let i = 0; i < samples; i++) {
      let wait = 0;
      while (!(await drained()) && wait++ < 600) await sleep(100);
      if (wait > 600) log("WARNING fan-outs still pending after 60 s; timing the next write anyway");
      let zeroMs: number | undefined;
      if (zero) {
        const z0 = performance.now();
        const res = await write(zero, i);
        if (res.status !== 201) {
          // A 503 from the stand-in on a loaded machine, or a repost of a tweet already reposted
          // (200) or deleted (404) by an earlier run: sample again.
          if (++failures > 10) throw new Error(`${spread} by the author without followers: ${res.status}`);
          i--;
          continue;
        }
        zeroMs = performance.now() - z0;
      }
      const t0 = performance.now();
      const res = await write(author, i);
      if (res.status !== 201) {
        // A failed write (a 503 from the stand-in on a loaded machine; for a repost, a tweet already
        // reposted or gone) times no fan-out: sample again.
        if (++failures > 10) throw new Error(`${spread} by the author with followers: ${res.status}`);
        log(`WARNING ${spread} by the author with ${followers} followers: ${res.status}; sampled again`);
        i--;
        continue;
      }
      const posted = performance.now() - t0;
      while ((await pending(res.json.id)) && performance.now() - t0 < 60_000) await sleep(10);
      const delay = performance.now() - t0;
      // Every follower has the entry (a repost's: its own, at the repost's time, reposted_by the author).
      const { n } = (
        await db.query(
          `SELECT count(*)::int AS n FROM follows f
           WHERE f.followee_id = $1
             AND EXISTS (SELECT 1 FROM home_timeline h WHERE h.user_id = f.follower_id AND h.tweet_id = $2
                           AND h.reposted_by IS NOT DISTINCT FROM $3::int)`,
          [author.id, res.json.id, spread === "repost" ? author.id : null],
        )
      ).rows[0];
      if (n < followers)
        throw new Error(`fan-out of ${spread} ${res.json.id}: ${n} of ${followers} followers after ${delay} ms`);
      if (i >= 2) {
        // B's sample counts only with its A's: both or neither.
        if (zeroMs !== undefined) posts0.push(zeroMs);
        posts.push(posted);
        delays.push(delay);
      }
    }
    // The benchmark's own fan-outs leave the timelines as they were (a repost's entries carry the
    // reposter as author_id), and its reposts are undone.
    for (const { user, tweetId } of reposted) {
      const undone = await call(stack, "DELETE", `/users/${user.id}/reposts/${tweetId}`, user.token);
      if (undone.status !== 204) log(`WARNING the bench's repost of ${tweetId} by ${user.id} stays: ${undone.status}`);
    }
    await db.query("DELETE FROM home_timeline WHERE author_id = $1 AND created_at > now() - interval '1 hour'", [
      author.id,
    ]);
  });
  const timed = (xs: number[]): Timed => ({ p50: median(xs), p99: [...xs].sort((a, b) => a - b).at(-1) ?? 0 });
  const p50Ms = median(delays);
  return {
    post0: timed(posts0),
    post: timed(posts),
    fanout: {
      followers,
      p50Ms,
      maxMs: Math.max(...delays),
      samples: delays.length,
      rowsPerSecond: Math.round(followers / (p50Ms / 1000)),
    } satisfies FanoutFigures,
  };
}

/**
 * The distance itself: `SELECT 1` from Node through the same delay, without the Worker or a
 * stand-in (the delay's timers add a little to the nominal RTT). Endpoints are compared with it too.
 */
async function distanceFloor(url: string): Promise<number> {
  const proxy = await startDelayProxy({ target: hostPortOf(url), rttMs: RTT, postgres: true });
  try {
    const through = new URL(url);
    through.host = proxy.url;
    return await withClient(through.toString(), async (c) => {
      await c.query("SELECT 1");
      const times: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await c.query("SELECT 1");
        times.push(performance.now() - t0);
      }
      return +median(times).toFixed(1);
    });
  } finally {
    await proxy.close();
  }
}

function bundleFigures() {
  const out = mkdtempSync(join(tmpdir(), "twitter-bundle-"));
  try {
    const wrangler = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
    execFileSync(process.execPath, [wrangler, "deploy", "--dry-run", "--minify", "--outdir", out], {
      cwd: ROOT,
      stdio: "ignore",
    });
    // The bundle keeps the entry's name (dist/worker.js → worker.js).
    const entry = readdirSync(out).find((f) => f.endsWith(".js"));
    if (!entry) throw new Error("wrangler deploy --dry-run wrote no bundle");
    const code = readFileSync(join(out, entry));
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

/** The fan-out to the fan-out database's author (50,000 followers), on a Worker of its own. */
async function largeFanout(driver: Driver, fanUrl: string): Promise<FanoutFigures> {
  const stack = await startStack({
    existingDatabaseUrl: fanUrl,
    env: "bench",
    driver,
    rttMs: RTT,
    jwtSecret: JWT_SECRET,
    vars: { FANOUT_MAX_FOLLOWERS: String(FAN.maxFollowers) },
  });
  try {
    const { author, followers } = await fanoutAuthor(stack, fanUrl);
    log(`${driver}: the fan-out to ${followers} followers`);
    return (await fanout(stack, fanUrl, author, followers, 7)).fanout;
  } finally {
    await stack.stop();
  }
}

async function main() {
  const name = `${SCALE === 1 ? "" : "small-"}rtt-${RTT}`;
  if (values.report) {
    // Prints the tables of the last run at this RTT again, without running anything.
    const saved = JSON.parse(readFileSync(join(ROOT, "bench", "results", `${name}.json`), "utf8")) as Results;
    console.log(report(saved));
    return;
  }
  log(`server ${redactUrl(SERVER)}; RTT ${RTT} ms; drivers ${drivers.join(", ")}`);
  const bigUrl = await ensureDatabase(SERVER, BIG.name, BIG.counts, FANOUT_MAX_FOLLOWERS, log);
  const smallUrl = await ensureDatabase(SERVER, SMALL.name, SMALL.counts, FANOUT_MAX_FOLLOWERS, log);
  const fanUrl = await ensureDatabase(SERVER, FAN.name, FAN.counts, FAN.maxFollowers, log);
  const floorMs = await distanceFloor(withDatabase(SERVER, BIG.name));
  log(`the distance alone: SELECT 1 from Node through the same delay, p50 ${floorMs} ms`);
  const rows: Row[] = [];
  const graph: Results["graph"] = [];
  const pages: Results["pages"] = [];
  const features: Feature[] = [];
  let fixtures: Fixtures | undefined;
  for (const driver of drivers) {
    // One signing secret for the whole run: the fixtures' tokens are used on every driver's Worker.
    const big = await startStack({
      existingDatabaseUrl: bigUrl,
      env: "bench",
      driver,
      rttMs: RTT,
      jwtSecret: JWT_SECRET,
      vars: VARS,
    });
    // The small database's Worker starts for the page comparison only: while the endpoints run, the
    // workerd CPU read from /proc is the big Worker's alone.
    let small: Stack | undefined;
    try {
      if (!fixtures) {
        log("fixtures (created once per database)");
        big.distance.setRtt(0);
        fixtures = await ensureFixtures(big, bigUrl, BIG.counts);
        big.distance.setRtt(RTT);
      }
      const f = fixtures;
      const deep = {
        t10: await timelineCursor(big, f.following10, 300),
        t500: await timelineCursor(big, f.following500, 300),
        t5000: await timelineCursor(big, f.following5000, 300),
      };
      const driverRows: Row[] = [];
      for (const endpoint of endpoints(f, deep)) {
        const row = await run(big, endpoint, { ...AMOUNT, rttMs: RTT });
        driverRows.push(row);
        if (row.c1.errors + row.c10.errors > 0)
          log(
            `WARNING ${driver} ${endpoint.name}: ${row.c1.errors + row.c10.errors} requests failed ` +
              JSON.stringify({ c1: row.c1.failures, c10: row.c10.failures }),
          );
        log(
          `${driver} ${endpoint.name}: p50 ${row.c1.p50} ms (1) ${row.c10.p50} ms (10), ` +
            `${row.queryRoundTrips} round trips, ${row.statements} statements, ${row.cpuMs ?? "?"} ms CPU per request`,
        );
      }
      rows.push(...driverRows);
      const p50Of = (name: string) => driverRows.find((r) => r.endpoint === name)?.c1.p50 ?? Number.NaN;
      log(`${driver}: reposting by an author with ${f.followers10k} followers, and the repost's fan-out delay`);
      const repostFan = await fanout(big, bigUrl, f.author10k, f.followers10k, 12, f.author0, "repost");
      log(`${driver}: feature ratios (#19, #20, #21)`);
      const share = (x: number) => `${Math.round(x * 100)}% reposts`;
      for (const pair of featurePairs(f)) {
        const [a, b] =
          pair.source === "rows"
            ? [p50Of(pair.a.name), p50Of(pair.b.name)]
            : pair.source === "fanout"
              ? [repostFan.post.p50, repostFan.post0.p50]
              : await interleavedEndpoints(big, [pair.a, pair.b], PAGE_SAMPLES);
        const aMs = +(a ?? Number.NaN).toFixed(2);
        const bMs = +(b ?? Number.NaN).toFixed(2);
        // The timelines' scenarios say how many of their entries are reposts.
        const timeline = pair.source === "rows" && pair.measure === "timeline page";
        features.push({
          driver,
          issue: pair.issue,
          measure: pair.measure,
          a: pair.a.name
            .replace(/^GET \/users\/\{id\}\/timeline /, "")
            .concat(timeline ? `, ${share(f.features.repostShare.many)}` : ""),
          b: pair.b.name
            .replace(/^GET \/users\/\{id\}\/timeline /, "")
            .concat(timeline ? `, ${share(f.features.repostShare.few)}` : ""),
          aMs,
          bMs,
          ratio: +(aMs / bMs).toFixed(2),
          goal: pair.goal,
          timed: pair.source ?? "interleaved",
        });
        log(`${driver} ${pair.issue} ${pair.measure}: ${pair.a.name} ${aMs} ms vs ${pair.b.name} ${bMs} ms`);
      }
      log(`${driver}: posting by an author with ${f.followers10k} followers, and the fan-out delay`);
      const fan = await fanout(big, bigUrl, f.author10k, f.followers10k, 12, f.author0);
      const fanLarge = await largeFanout(driver, fanUrl);
      const timeline = [f.following.few, f.following.some, f.following.many].map(count).map((n) => ({
        following: n,
        first: p50Of(`GET /users/{id}/timeline (following ${n})`),
        deep: p50Of(`GET /users/{id}/timeline (following ${n}, deep page)`),
      }));

      graph.push({
        driver,
        timeline,
        timelineRatio: +(Math.max(timeline[2]?.first ?? 0, timeline[2]?.deep ?? 0) / (timeline[0]?.first ?? 1)).toFixed(
          2,
        ),
        post: [
          { followers: 0, p50: +fan.post0.p50.toFixed(1), p99: +fan.post0.p99.toFixed(1) },
          { followers: f.followers10k, p50: +fan.post.p50.toFixed(1), p99: +fan.post.p99.toFixed(1) },
        ],
        postRatio: +(fan.post.p50 / fan.post0.p50).toFixed(2),
        fanout: fan.fanout,
        fanoutLarge: fanLarge,
        repostFanout: repostFan.fanout,
      });
      for (const [what, x] of [
        ["fan-out", fan.fanout],
        ["fan-out", fanLarge],
        ["repost fan-out", repostFan.fanout],
      ] as const)
        log(
          `${driver}: ${what} to ${x.followers} followers: p50 ${x.p50Ms.toFixed(0)} ms, max ${x.maxMs.toFixed(0)} ms, ${x.rowsPerSecond} rows/s`,
        );

      small = await startStack({
        existingDatabaseUrl: smallUrl,
        env: "bench",
        driver,
        rttMs: RTT,
        jwtSecret: JWT_SECRET,
        vars: VARS,
      });
      const pageTargets = [
        ["GET /tweets", "/tweets", "/tweets"],
        ["GET /users", "/users", "/users"],
        ["GET /users/{id}/tweets", "/users/42/tweets", "/users/42/tweets"],
        ["GET /users/{id}/liked_tweets", "/users/42/liked_tweets", "/users/42/liked_tweets"],
        ["GET /tweets/search (a word in 1 of 10)", "/tweets/search?q=thinking", "/tweets/search?q=thinking"],
      ] as const;
      for (const [name, bigPath, smallPath] of pageTargets) {
        const [b, s] = await interleaved(
          [
            { stack: big, path: bigPath },
            { stack: small, path: smallPath },
          ],
          PAGE_SAMPLES,
        );
        pages.push({
          driver,
          endpoint: name,
          smallMs: +(s ?? 0).toFixed(2),
          bigMs: +(b ?? 0).toFixed(2),
          ratio: +((b ?? 0) / (s ?? 1)).toFixed(2),
        });
      }
    } finally {
      await big.stop();
      await small?.stop();
    }
  }
  log("bundle size and start-up");
  const bundle = bundleFigures();
  const [pgVersion] = await withClient(SERVER, async (c) => (await c.query("SHOW server_version")).rows);
  const results: Results = {
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: pgVersion.server_version,
      date: new Date().toISOString(),
    },
    rttMs: RTT,
    floorMs,
    scale: BIG.counts,
    rows,
    graph,
    pages,
    features,
    bundle,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  // A run of some drivers replaces their figures in the saved results and keeps the others'.
  const file = join(ROOT, "bench", "results", `${name}.json`);
  if (drivers.length < DRIVERS.length && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Results;
    const others = <T extends { driver: string }>(xs: T[]) => xs.filter((x) => !drivers.includes(x.driver as Driver));
    const order = (d: string) => DRIVERS.indexOf(d as Driver);
    const merged = <T extends { driver: string }>(old: T[], now: T[]) =>
      [...others(old), ...now].sort((x, y) => order(x.driver) - order(y.driver));
    results.rows = merged(saved.rows, rows);
    results.graph = merged(saved.graph, graph);
    results.pages = merged(saved.pages, pages);
    results.features = merged(saved.features ?? [], features);
  }
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(ROOT, "bench", "results", `${name}.svg`), svg(results));
  console.log(`\n${report(results)}\n\nWritten: bench/results/${name}.json and .svg (${results.seconds} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
