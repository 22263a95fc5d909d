import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pg-proxy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, migratePgliteDb, migrateUrl, withDatabase } from "../scripts/stack/database";
import { type Queryable, seed } from "../seeds/seed";
import { FILTERED_SCAN_FACTOR, type Order, Page, type Position } from "../src/db/keyset";
import type { Statement } from "../src/db/run";
import { FANOUT_CHUNK, fanoutChunk } from "../src/fanout/fanout.queries";
import { UNREAD_COUNT_CAP } from "../src/lib/limits";
import { NEWEST_NOTIFICATIONS } from "../src/models/notification";
import { NEWEST_ENTRIES, NEWEST_TWEETS, OLDEST_TWEETS, RECENT_BOOKMARKS, RECENT_MENTIONS } from "../src/models/tweet";
import { RECENT_RELATIONS, USERS_BY_ID } from "../src/models/user";
import { relationList } from "../src/routes/blocks/blocks.queries";
import { bookmarkList } from "../src/routes/bookmarks/bookmarks.queries";
import { context, replies } from "../src/routes/conversations/conversations.queries";
import { followList, RECENT_FOLLOWS } from "../src/routes/follows/follows.queries";
import { likedTweets, likingUsers, RECENT_LIKES } from "../src/routes/likes/likes.queries";
import { mentionsOf } from "../src/routes/mentions/mentions.queries";
import { listNotifications, unreadCount } from "../src/routes/notifications/notifications.queries";
import { RECENT_REPOSTS, repostedBy } from "../src/routes/reposts/reposts.queries";
import { parseSearch } from "../src/routes/search/search.parser";
import { search } from "../src/routes/search/search.queries";
import { homeTimelinePage } from "../src/routes/timeline/timeline.queries";
import { listTweets, quotes, userTweets } from "../src/routes/tweets/tweets.queries";
import { listUsers } from "../src/routes/users/users.queries";
import type { Db } from "../src/types";
import { LEGS } from "./helpers";

/**
 * Every list query's plan walks an index in the list's order: no sequential scan of a big table,
 * and no sort of more rows than a page needs (a full sort would be estimated at table size).
 * Checked with EXPLAIN on a seeded and analysed scratch database (a new database on
 * TEST_DATABASE_URL's server, else an in-memory PGlite), with the exact SQL the API sends.
 *
 * Where a plan must sort, the bound is stated:
 * - every list sorts its page once more outside the LATERAL join (limit + 1 rows); a list of tweets
 *   read with a token (filtered for the caller: Page.scan) sorts its bounded scan, at most
 *   FILTERED_SCAN_FACTOR × limit rows;
 * - the home timeline sorts the union of its sources, each cut at its scan's bound (five sources:
 *   two of them one per followed account in `celebrities`);
 * - search by a rare term takes the matches from the GIN index and sorts them (top-N): Postgres
 *   chooses that only when it estimates few matches, and walks the newest-first index otherwise;
 * - context sorts at most MAX_ANCESTORS + MAX_DESCENDANTS ids.
 */
const COUNTS = { users: 500, tweets: 50_000, likes: 150_000, follows: 20_000 };
const BIG_TABLES = ["tweets", "likes", "reposts", "follows", "home_timeline", "bookmarks", "notifications"];
let db: Queryable;
let close: () => Promise<void>;

/** A Drizzle database that builds statements and never sends them: what the API would send. */
const builder: Db = drizzle(async () => ({ rows: [] }));
const sqlOf = (statement: Statement<unknown>) => {
  const query = statement(builder) as unknown as { toSQL(): { sql: string; params: unknown[] } };
  return query.toSQL();
};

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Plan Rows": number;
  Plans?: PlanNode[];
};
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

async function plan(q: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
  const { rows } = await db.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params);
  const raw = rows[0]?.["QUERY PLAN"];
  const json = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return nodes((json[0] as { Plan: PlanNode }).Plan);
}

const middle = { at: new Date("2026-10-10T00:00:00.000Z"), id: 25_000 };
const caller = { id: 7, version: 0 };
/** A page of a list in `order`, as the API reads it from `?limit=&cursor=`. */
const pageOf = (order: Order) => (limit: number, after?: Position) => new Page(order, "/list", limit, after);
const page = pageOf(NEWEST_TWEETS);
const byId = pageOf(USERS_BY_ID);
const byLike = pageOf(RECENT_LIKES);
const byFollow = pageOf(RECENT_FOLLOWS);
const oldest = pageOf(OLDEST_TWEETS);
const byBookmark = pageOf(RECENT_BOOKMARKS);
const byMention = pageOf(RECENT_MENTIONS);
const byRelation = pageOf(RECENT_RELATIONS);
/** The largest sort of a list filtered for a caller: its bounded scan (Page.scan). */
const scanOf = (limit: number) => FILTERED_SCAN_FACTOR * limit;
const entries = pageOf(NEWEST_ENTRIES);
const byRepost = pageOf(RECENT_REPOSTS);
const byNotification = pageOf(NEWEST_NOTIFICATIONS);
/** The user with the most notifications of the seed (everyone follows user 2). */
const notified = { id: 2, version: 0 };

/** [name, the largest sort allowed, statement] */
const cases: [string, number, Statement<unknown>][] = [
  ["GET /tweets", 21, listTweets(undefined, page(20))],
  ["GET /tweets (page 2, with token)", scanOf(100), listTweets(caller, page(100, middle))],
  ["GET /users", 21, listUsers(undefined, byId(20))],
  ["GET /users/{id}/tweets", 21, userTweets(undefined, 42, page(20))],
  ["GET /users/{id}/tweets (page 2, with token)", scanOf(20), userTweets(caller, 42, page(20, middle))],
  ["GET /users/{id}/liked_tweets", 21, likedTweets(undefined, 42, byLike(20))],
  ["GET /users/{id}/liked_tweets (page 2, with token)", scanOf(20), likedTweets(caller, 42, byLike(20, middle))],
  ["GET /tweets/{id}/liking_users", 21, likingUsers(undefined, 4_242, byLike(20))],
  ["GET /tweets/{id}/liking_users (page 2)", 21, likingUsers(caller, 4_242, byLike(20, middle))],
  ["GET /users/{id}/followers (the account everyone follows)", 21, followList(caller, 2, "followers", byFollow(20))],
  ["GET /users/{id}/followers (page 2)", 21, followList(undefined, 2, "followers", byFollow(20, middle))],
  ["GET /users/{id}/following (the demo user)", 21, followList(caller, 1, "following", byFollow(20))],
  ["GET /users/{id}/following (page 2)", 21, followList(undefined, 1, "following", byFollow(20, middle))],
  [
    "GET /users/{id}/timeline (following 100+)",
    5 * scanOf(20),
    homeTimelinePage({ id: 1, version: 0 }, 1, entries(20)),
  ],
  [
    "GET /users/{id}/timeline (page 2)",
    5 * scanOf(20),
    homeTimelinePage({ id: 1, version: 0 }, 1, entries(20, middle)),
  ],
  [
    "GET /users/{id}/timeline (following few)",
    5 * scanOf(20),
    homeTimelinePage({ id: 300, version: 0 }, 300, entries(20)),
  ],
  ["GET /tweets/{id}/quotes", scanOf(20), quotes(caller, 4_242, page(20))],
  ["GET /tweets/{id}/quotes (page 2)", 21, quotes(undefined, 4_242, page(20, middle))],
  // A tweet estimated to have few reposts (here ~24) has them sorted; one with many walks the index.
  ["GET /tweets/{id}/reposted_by", 100, repostedBy(undefined, 4_242, byRepost(20))],
  ["GET /tweets/{id}/reposted_by (page 2)", 21, repostedBy(caller, 4_242, byRepost(20, middle))],
  ["GET /tweets/{id}/replies", 21, replies(undefined, 4_241, oldest(20))],
  ["GET /tweets/{id}/replies (page 2)", scanOf(20), replies(caller, 4_241, oldest(20, middle))],
  ["GET /tweets/{id}/context", 300, context(caller, 4_240)],
  ["GET /users/{id}/bookmarks", scanOf(20), bookmarkList(caller, 7, byBookmark(20))],
  ["GET /users/{id}/bookmarks (page 2)", scanOf(20), bookmarkList(caller, 7, byBookmark(20, middle))],
  ["GET /users/{id}/blocking", 21, relationList({ id: 1, version: 0 }, 1, "blocking", byRelation(20))],
  ["GET /users/{id}/muting (page 2)", 21, relationList({ id: 1, version: 0 }, 1, "muting", byRelation(20, middle))],
  ["GET /tweets/search (a word in 1 of 10)", 21, search(undefined, parseSearch("thinking"), page(20))],
  ["GET /tweets/search (page 2)", scanOf(20), search(caller, parseSearch("thinking"), page(20, middle))],
  ["GET /tweets/search (a phrase)", 21, search(undefined, parseSearch('"new keyboard"'), page(20))],
  ["GET /tweets/search (#hashtag)", 5_000, search(undefined, parseSearch("#jazz"), page(20))],
  ["GET /tweets/search (from:)", 21, search(undefined, parseSearch("from:pineappledreamer"), page(20))],
  ["GET /tweets/search (a rare word)", 5_000, search(undefined, parseSearch("zeppelin coffee"), page(20))],
  ["GET /users/{id}/notifications", scanOf(20), listNotifications(notified, 2, undefined, byNotification(20))],
  [
    "GET /users/{id}/notifications (page 2)",
    scanOf(20),
    listNotifications(notified, 2, undefined, byNotification(20, middle)),
  ],
  [
    "GET /users/{id}/notifications?types=like",
    scanOf(20),
    listNotifications(notified, 2, ["like"], byNotification(20)),
  ],
  [
    "GET /users/{id}/notifications?types=follow,reply (page 2)",
    2 * scanOf(20),
    listNotifications(notified, 2, ["follow", "reply"], byNotification(20, middle)),
  ],
  [
    "GET /users/{id}/notifications (the demo user)",
    scanOf(20),
    listNotifications({ id: 1, version: 0 }, 1, undefined, byNotification(20)),
  ],
  // A user with few unread rows (estimated) may be read by a bitmap and sorted (at most the scan's
  // bound); many: walked in order.
  ["GET /users/{id}/notifications/unread_count", UNREAD_COUNT_CAP * FILTERED_SCAN_FACTOR, unreadCount(notified, 2)],
  ["GET /users/{id}/mentions", scanOf(20), mentionsOf(caller, 42, byMention(20))],
  ["GET /users/{id}/mentions (page 2)", 21, mentionsOf(undefined, 42, byMention(20, middle))],
  // Not a list, but a walk of one: the fan-out's chunk, the first and a later one (author known).
  ["fan-out chunk (the first)", FANOUT_CHUNK, fanoutChunk(4_242, undefined)],
  [
    "fan-out chunk (the account everyone follows, later)",
    FANOUT_CHUNK,
    fanoutChunk(4_242, { authorId: 2, after: middle }),
  ],
  ["fan-out chunk of a repost (the first)", FANOUT_CHUNK, fanoutChunk(4_242, undefined, 2)],
  ["fan-out chunk of a repost (later)", FANOUT_CHUNK, fanoutChunk(4_242, { authorId: 2, after: middle }, 2)],
];

describe.runIf(LEGS.perDatabase)("query plans at scale", () => {
  beforeAll(async () => {
    const server = process.env.TEST_DATABASE_URL;
    if (server) {
      const name = `twitter_plans_${Date.now()}_${process.pid}`;
      const admin = await connectClient(server);
      await admin.query(`CREATE DATABASE ${name}`);
      await migrateUrl(withDatabase(server, name));
      const client = await connectClient(withDatabase(server, name));
      db = client;
      close = async () => {
        await client.end();
        await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
        await admin.end();
      };
    } else {
      const lite = await PGlite.create();
      await migratePgliteDb(lite);
      db = lite;
      close = () => lite.close();
    }
    await seed(db, COUNTS);
  }, 240_000);
  afterAll(() => close?.());

  it.each(cases)(
    "%s walks an index: no seq scan of a big table, no sort beyond its bound",
    async (_name, maxSort, statement) => {
      const steps = await plan(sqlOf(statement));
      const show = (n: PlanNode) =>
        `${n["Node Type"]} ${n["Relation Name"] ?? n["Index Name"] ?? ""} (${n["Plan Rows"]} rows)`;
      const bad = steps.filter(
        (n) =>
          ((n["Node Type"] === "Sort" || n["Node Type"] === "Incremental Sort") && n["Plan Rows"] > maxSort) ||
          (n["Node Type"] === "Seq Scan" && BIG_TABLES.includes(n["Relation Name"] ?? "")),
      );
      expect(bad.map(show), steps.map(show).join("\n")).toEqual([]);
      expect(steps.some((n) => /Index|Bitmap/.test(n["Node Type"]))).toBe(true);
    },
  );

  // Walking the newest-first index and filtering costs as many rows as lie between two matches: a
  // narrow search must be read from the index that holds only its matches (80 ms → 1 ms at 1M tweets).
  it.each([
    ["from:", "from:pineappledreamer", "tweets_user_id_created_at_id_idx"],
    ["a rare word", "zeppelin", "tweets_search_idx"],
    ["a rare word and a common one", "zeppelin thinking", "tweets_search_idx"],
  ])("search by %s reads the index of its matches", async (_name, q, index) => {
    const steps = await plan(sqlOf(search(undefined, parseSearch(q), page(20))));
    expect(
      steps.map((n) => n["Index Name"]),
      steps.map((n) => n["Node Type"]).join(" "),
    ).toContain(index);
  });

  // The count stops at the cap only when it walks (recipient, id) from the marker: on the primary
  // key it would skip every other user's notifications first (0.9 ms → 140 ms at 1M notifications).
  it("unread_count walks (recipient, id) from the marker", async () => {
    const steps = await plan(sqlOf(unreadCount(notified, 2)));
    expect(
      steps.map((n) => n["Index Name"]),
      steps.map((n) => `${n["Node Type"]} ${n["Index Name"] ?? ""}`).join(" "),
    ).toContain("notifications_recipient_id_id_idx");
  });

  // Statistics lag behind a user whose marks grew since the last ANALYZE (autovacuum's, in
  // production): estimated few, their marks were read whole, each joined to its tweet before the
  // sort, and the per-row `bookmarked` probe hashed all of them (345 ms at 100,000 bookmarks in the
  // bench). The scan joins nothing now (the author is a per-row probe evaluated after its LIMIT) and
  // every pair probe keeps OFFSET 0: stale statistics cost a bitmap of the user's index entries at
  // most; current ones, the ordered walk of a page.
  it("a user's marks estimated few but many: each tweet probed only for the page, no probe hashes them", async () => {
    await db.query(`INSERT INTO bookmarks (user_id, tweet_id, created_at)
      SELECT 9, id, now() - id * interval '1 ms' FROM tweets ORDER BY id LIMIT 20000 ON CONFLICT DO NOTHING`);
    type Analysed = PlanNode & { "Actual Rows": number; "Actual Loops": number };
    // VERBOSE: a select list's hashed subplan (the flags') is printed only in its Output.
    const analyse = async () => {
      const q = sqlOf(bookmarkList({ id: 9, version: 0 }, 9, byBookmark(20)));
      const { rows } = await db.query<{ "QUERY PLAN": unknown }>(
        `EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) ${q.sql}`,
        q.params,
      );
      const raw = rows[0]?.["QUERY PLAN"];
      const text = typeof raw === "string" ? raw : JSON.stringify(raw);
      const steps = nodes((JSON.parse(text) as { Plan: PlanNode }[])[0]?.Plan as PlanNode) as Analysed[];
      const read = (table: string) =>
        Math.max(
          0,
          ...steps.filter((n) => n["Relation Name"] === table).map((n) => n["Actual Rows"] * n["Actual Loops"]),
        );
      return { text, read };
    };
    const stale = await analyse();
    expect(stale.text).not.toContain("hashed SubPlan");
    expect(stale.read("tweets")).toBeLessThanOrEqual(scanOf(20));
    await db.query("ANALYZE bookmarks");
    const current = await analyse();
    expect(current.text).not.toContain("hashed SubPlan");
    expect(current.read("bookmarks")).toBeLessThanOrEqual(scanOf(20));
  });

  it("fails a plan that scans: the check itself can fail", async () => {
    const steps = await plan({ sql: "SELECT * FROM tweets WHERE content LIKE '%x%' ORDER BY content", params: [] });
    expect(steps.some((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "tweets")).toBe(true);
  });
});
