import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePgliteDb, migrateUrl, withDatabase } from "../scripts/lib/database";
import { type Queryable, seed } from "../seeds/seed";
import type { Database } from "../src/db/client";
import type { Position } from "../src/lib/pagination";
import { listLikedTweets, listLikingUsers } from "../src/routes/likes/likes.queries";
import { listTweets, listUserTweets } from "../src/routes/tweets/tweets.queries";

/**
 * Every list query's plan walks an index in the list's order: no sequential scan of tweets or
 * likes, and no sort of more rows than one page (a full sort would be estimated at table size). Checked with EXPLAIN on a seeded and analysed scratch database (a new database
 * on TEST_DATABASE_URL's server, else an in-memory PGlite), with the exact SQL the API sends.
 */
const COUNTS = { users: 500, tweets: 50_000, likes: 150_000 };
let db: Queryable;
let close: () => Promise<void>;

beforeAll(async () => {
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const name = `twitter_plans_${Date.now()}_${process.pid}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await migrateUrl(withDatabase(server, name));
    const client = new pg.Client({ connectionString: withDatabase(server, name) });
    await client.connect();
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
}, 180_000);
afterAll(() => close?.());

/** The statement a query function would send, captured instead of executed. */
async function captured(run: (db: Database) => Promise<unknown>): Promise<{ sql: string; params: unknown[] }> {
  let statement: SQL | undefined;
  const execute = async (s: SQL) => {
    statement = s;
    return { rows: [] };
  };
  const capture = { orm: { execute }, deadlineMs: 10_000 } as unknown as Database;
  await run(capture);
  if (!statement) throw new Error("no statement");
  return new PgDialect().sqlToQuery(statement);
}

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

const middle: Position = { at: new Date("2026-10-10T00:00:00.000Z"), id: 25_000 };
const caller = { id: 7, version: 0 };

describe("query plans at scale", () => {
  const cases: [string, number, (db: Database) => Promise<unknown>][] = [
    ["GET /tweets", 20, (d) => listTweets(d, undefined, undefined, 20)],
    ["GET /tweets (page 2, with token)", 100, (d) => listTweets(d, caller, middle, 100)],
    ["GET /users/{id}/tweets", 20, (d) => listUserTweets(d, undefined, 42, undefined, 20)],
    ["GET /users/{id}/tweets (page 2, with token)", 20, (d) => listUserTweets(d, caller, 42, middle, 20)],
    ["GET /users/{id}/liked_tweets", 20, (d) => listLikedTweets(d, undefined, 42, undefined, 20)],
    ["GET /users/{id}/liked_tweets (page 2, with token)", 20, (d) => listLikedTweets(d, caller, 42, middle, 20)],
    ["GET /tweets/{id}/liking_users", 20, (d) => listLikingUsers(d, undefined, 4_242, undefined, 20)],
    ["GET /tweets/{id}/liking_users (page 2)", 20, (d) => listLikingUsers(d, caller, 4_242, middle, 20)],
  ];
  it.each(cases)(
    "%s walks an index: no seq scan of tweets or likes, no sort beyond one page",
    async (_name, pageSize, run) => {
      const q = await captured(run);
      const limit = pageSize + 1; // a page reads one row more to know whether another page exists
      const steps = await plan(q);
      const show = (n: PlanNode) =>
        `${n["Node Type"]} ${n["Relation Name"] ?? n["Index Name"] ?? ""} (${n["Plan Rows"]} rows)`;
      const bad = steps.filter(
        (n) =>
          (n["Node Type"] === "Sort" && n["Plan Rows"] > limit) ||
          (n["Node Type"] === "Seq Scan" && ["tweets", "likes"].includes(n["Relation Name"] ?? "")),
      );
      expect(bad.map(show), steps.map(show).join("\n")).toEqual([]);
      expect(steps.some((n) => /Index/.test(n["Node Type"]))).toBe(true);
    },
  );
});
