/**
 * npx tsx scripts/explain-blocks.ts [tweets]: the figures of issue #21's "Measure", with EXPLAIN
 * (ANALYZE, BUFFERS) of the exact SQL the API sends, on a scratch database of the local server
 * (MEASURE_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres), seeded at scale and
 * dropped after:
 * - GET /tweets, search and the home timeline for a caller who blocks 1,000 users and is blocked by
 *   1,000 others vs one who blocks none (median execution time of 15 runs, and the ratio);
 * - a caller who blocks the authors of most of the newest tweets: rows the page's scan read, rows shown;
 * - GET /users/{id}/bookmarks at 100,000 bookmarks vs 100.
 */
import { drizzle } from "drizzle-orm/pg-proxy";
import { seed } from "../seeds/seed";
import { Page } from "../src/db/keyset";
import type { Statement } from "../src/db/run";
import { NEWEST_TWEETS, RECENT_BOOKMARKS } from "../src/models/tweet";
import { bookmarkList } from "../src/routes/bookmarks/bookmarks.queries";
import { parseSearch } from "../src/routes/search/search.parser";
import { search } from "../src/routes/search/search.queries";
import { homeTimelinePage } from "../src/routes/timeline/timeline.queries";
import { listTweets } from "../src/routes/tweets/tweets.queries";
import type { Db } from "../src/types";
import { connectClient, migrateUrl, withDatabase } from "./stack/database";

const server = process.env.MEASURE_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const TWEETS = Number(process.argv[2] ?? 300_000);
const USERS = 20_000;
const builder: Db = drizzle(async () => ({ rows: [] }));
const sqlOf = (s: Statement<unknown>) =>
  (s(builder) as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();

type Plan = { Plan: Record<string, unknown>; "Execution Time": number };
const name = `twitter_measure_${Date.now()}`;
const admin = await connectClient(server);
await admin.query(`CREATE DATABASE ${name}`);
const url = withDatabase(server, name);
await migrateUrl(url);
const db = await connectClient(url);
try {
  const started = Date.now();
  await seed(db, { users: USERS, tweets: TWEETS, likes: TWEETS, follows: 10 * USERS }, () => {});
  console.log(`seeded ${USERS} users, ${TWEETS} tweets in ${Math.round((Date.now() - started) / 1000)} s`);
  // Caller 101 blocks 1,000 users and is blocked by 1,000 others; caller 102 blocks none. Both follow 200 accounts.
  await db.query(`INSERT INTO blocks (blocker_id, blocked_id) SELECT 101, g FROM generate_series(1001, 2000) g`);
  await db.query(`INSERT INTO blocks (blocker_id, blocked_id) SELECT g, 101 FROM generate_series(3001, 4000) g`);
  // Caller 103 blocks the authors of 90% of the 200 newest tweets.
  await db.query(`INSERT INTO blocks (blocker_id, blocked_id)
    SELECT DISTINCT 103, user_id FROM (SELECT user_id FROM tweets ORDER BY created_at DESC, id DESC LIMIT 200) t
    WHERE user_id <> 103 AND user_id % 10 <> 0 ON CONFLICT DO NOTHING`);
  // Bookmarks: user 104 has 100,000, user 105 has 100.
  await db.query(`INSERT INTO bookmarks (user_id, tweet_id, created_at)
    SELECT 104, id, created_at FROM tweets ORDER BY id LIMIT 100000 ON CONFLICT DO NOTHING`);
  await db.query(`INSERT INTO bookmarks (user_id, tweet_id, created_at)
    SELECT 105, id, created_at FROM tweets ORDER BY id LIMIT 100 ON CONFLICT DO NOTHING`);
  await db.query("VACUUM ANALYZE"); // the steady state autovacuum keeps: index-only probes

  const explain = async (s: Statement<unknown>) => {
    const q = sqlOf(s);
    const { rows } = await db.query<{ "QUERY PLAN": Plan[] }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`,
      q.params,
    );
    return rows[0]?.["QUERY PLAN"][0] as Plan;
  };
  const median = async (s: Statement<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) times.push((await explain(s))["Execution Time"]);
    return times.sort((a, b) => a - b)[7] as number;
  };
  const page = new Page(NEWEST_TWEETS, "/m", 20);
  const caller = (id: number) => ({ id, version: 0 });
  const pairs: [string, (id: number) => Statement<unknown>][] = [
    ["GET /tweets", (id) => listTweets(caller(id), page)],
    ["search 'thinking'", (id) => search(caller(id), parseSearch("thinking"), page)],
    ["home timeline", (id) => homeTimelinePage(caller(id), id, page)],
  ];
  if (process.env.SHOW_PLANS)
    for (const [label, of] of pairs)
      for (const id of [101, 102]) {
        const q = sqlOf(of(id));
        const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
        console.log(`--- ${label}, caller ${id}\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
      }
  for (const [label, of] of pairs) {
    const blocking = await median(of(101));
    const none = await median(of(102));
    console.log(
      `${label}: blocks 1,000 + blocked by 1,000 ${blocking.toFixed(3)} ms, blocks none ${none.toFixed(3)} ms, ratio ${(blocking / none).toFixed(2)}`,
    );
  }
  // Rows read vs shown when blocked authors wrote most of the newest tweets.
  const scanRows = (plan: Plan) => {
    const found: number[] = [];
    const walk = (n: Record<string, unknown>) => {
      if (n["Subplan Name"] === "CTE scan" && typeof n["Actual Rows"] === "number") found.push(n["Actual Rows"]);
      for (const child of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(plan.Plan);
    return found[0];
  };
  const shown = async (id: number) => {
    const q = sqlOf(listTweets(caller(id), page));
    const { rows } = await db.query<{ id: number | null }>(q.sql, q.params);
    return rows.filter((r) => r.id !== null).length;
  };
  const mostly = await explain(listTweets(caller(103), page));
  console.log(
    `GET /tweets, limit 20, caller blocking the authors of 90% of the newest tweets: scan read ${scanRows(mostly)} rows, page shows ${await shown(103)} (caller blocking none shows ${await shown(102)}); ${mostly["Execution Time"].toFixed(3)} ms`,
  );
  const big = await median(bookmarkList(caller(104), 104, new Page(RECENT_BOOKMARKS, "/b", 20)));
  const small = await median(bookmarkList(caller(105), 105, new Page(RECENT_BOOKMARKS, "/b", 20)));
  console.log(
    `GET /users/{id}/bookmarks: 100,000 bookmarks ${big.toFixed(3)} ms, 100 ${small.toFixed(3)} ms, ratio ${(big / small).toFixed(2)}`,
  );
} finally {
  await db.end();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}
