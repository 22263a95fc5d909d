import {
  and,
  asc,
  type Column,
  type ColumnsSelection,
  eq,
  getTableName,
  or,
  type SQL,
  type SQLWrapper,
  type Subquery,
  sql,
  type WithSubquery,
} from "drizzle-orm";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { Caller, Db } from "../types";
import type { Page } from "./keyset";
import { blocks, type bookmarks, follows, type likes, mutes, type reposts, tweets, users } from "./schema";

/**
 * What statements share. A read statement is `SELECT <flags>, page.* FROM (SELECT) AS flags LEFT
 * JOIN LATERAL (<page>) page ON true ORDER BY <the list's order>`: one row of flags (see run.ts)
 * joined with the rows of the page or of the one item, so that an empty page still answers "is
 * the token valid, does the resource exist".
 */

/** A row of no columns, to select the flags on. */
export const flagsRow = sql`(SELECT) AS flags`;

/** The token's user still exists at the token's version (not deleted, no password change since); NULL without a token. */
export const callerOk = (caller: Caller | undefined) =>
  (caller
    ? sql<boolean>`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${caller.id} AND ${users.tokenVersion} = ${caller.version})`
    : sql<null>`NULL::boolean`
  ).as("caller_ok");

/** A condition as a named boolean column. */
export const flag = <const Name extends string>(name: Name, condition: SQL) => sql<boolean>`${condition}`.as(name);

/** A boolean only an authenticated request has (NULL, so absent from the JSON, without a token). */
export const callerOnly = (caller: Caller | undefined, name: string, condition: (caller: Caller) => SQL) =>
  (caller ? sql<boolean>`${condition(caller)}` : sql<null>`NULL::boolean`).as(name);

export const userExists = (id: number) => sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${id})`;
export const tweetExists = (id: number) => sql`EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${id})`;

/**
 * One primary-key probe of a table of pairs (blocks, mutes, follows, a user's marks on tweets) for
 * the pair (owner, target), kept a probe: `OFFSET 0` stops Postgres from turning the correlated
 * EXISTS into a hashed subplan that reads every row of the owner's — all 1,000 blocks of a caller,
 * or all 100,000 of a user's bookmarks for the `bookmarked` flags of a page of 20, whenever the
 * owner's rows are estimated few: the cost would grow with them. Every per-row flag of a pair is
 * this. The home timeline's follow tests stay plain EXISTS in its WHERE (semi-joins: the bench's
 * timeline following 5,022 vs 10 is 1.10 with them; as probes they measured no better, at 1M).
 */
const pairExists = (owner: { column: Column; is: Pair }, target: { column: Column; is: Pair }) => {
  // Under an alias of its own: `is` may be a column of the same table in the enclosing query.
  const probed = (column: Column) => sql`pair_probe.${sql.identifier(column.name)}`;
  return sql<boolean>`EXISTS (SELECT 1 FROM ${sql.identifier(getTableName(owner.column.table))} AS pair_probe
    WHERE ${probed(owner.column)} = ${owner.is} AND ${probed(target.column)} = ${target.is} OFFSET 0)`;
};
type Pair = number | Column | SQL;

/** `owner` blocks `target` (one primary-key probe). */
export const blocking = (owner: Pair, target: Pair) =>
  pairExists({ column: blocks.ownerId, is: owner }, { column: blocks.targetId, is: target });

/**
 * The one block rule: a block stands between users `a` and `b`, in either direction (two
 * primary-key probes). Every write it bars (follow, like, repost, reply, quote) and every read it
 * filters (lists of tweets for a caller, an embedded quoted tweet, notifications) uses this.
 */
export const eitherBlocks = (a: Pair, b: Pair) => sql<boolean>`(${blocking(a, b)} OR ${blocking(b, a)})`;

/** `owner` mutes `target` (one primary-key probe): the home timeline and notifications leave the target out. */
export const muting = (owner: Pair, target: Pair) =>
  pairExists({ column: mutes.ownerId, is: owner }, { column: mutes.targetId, is: target });

/** `follower` follows `followee` (one primary-key probe). */
export const followingUser = (follower: Pair, followee: Pair) =>
  pairExists({ column: follows.followerId, is: follower }, { column: follows.followeeId, is: followee });

/** `user` marked the tweet `tweet` (liked, reposted, bookmarked it: one primary-key probe). */
export const marked = (table: typeof likes | typeof reposts | typeof bookmarks, user: Pair, tweet: Pair) =>
  pairExists({ column: table.userId, is: user }, { column: table.tweetId, is: tweet });

/**
 * The caller's own row as a CTE, only while the token is current, locked for the whole statement:
 * every write that changes a count on the caller's behalf takes it (README, "Exact counts"), so an
 * account deletion, which locks it FOR UPDATE, waits for the write or the write for it.
 * `after`: a condition on CTEs that must lock their rows before this one (it is evaluated first).
 */
export const lockedCaller = <Name extends string>(
  db: Db,
  name: Name,
  caller: Caller,
  strength: "key share" | "no key update",
  after?: SQL,
) =>
  db.$with(name).as(
    db
      .select({ id: users.id, username: users.username, followersCount: users.followersCount })
      .from(users)
      .where(and(eq(users.id, caller.id), eq(users.tokenVersion, caller.version), after))
      .for(strength),
  );

/**
 * Two users' rows — the caller's, only while its token is current, and another's — locked in id
 * order: every write between two users that changes both their counts (a follow either way, a
 * block) takes the pair in this one order, so they queue instead of deadlocking.
 */
export const lockedPair = (db: Db, caller: Caller, targetId: number) =>
  db.$with("pair").as(
    db
      .select({ id: users.id })
      .from(users)
      .where(or(and(eq(users.id, caller.id), eq(users.tokenVersion, caller.version)), eq(users.id, targetId)))
      .orderBy(asc(users.id))
      .for("no key update"),
  );

/**
 * The first statement of a transaction between two users (a follow, a block): it takes the pair's
 * locks, so the next statement, whose snapshot is taken after them (READ COMMITTED), sees every
 * row a concurrent write on the pair committed: a block sees the follow that got in first, and a
 * follow sees the block. One statement could not: its snapshot would predate the wait.
 */
export const lockPair = (db: Db, caller: Caller, targetId: number) => {
  const pair = lockedPair(db, caller, targetId);
  return sqlOf(
    db
      .with(pair)
      .select({
        callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${pair} WHERE ${pair.id} = ${caller.id})`),
        targetFound: flag("target_found", sql`EXISTS (SELECT 1 FROM ${pair} WHERE ${pair.id} = ${targetId})`),
      })
      .from(flagsRow),
  );
};

/** A built statement's SQL, to send it in a transaction (runTransaction). */
export const sqlOf = (query: unknown) => (query as SQLWrapper).getSQL();

/** A column's name without its table, for the left side of `UPDATE … SET` and INSERT column lists. */
export const columnName = (column: Column) => sql.identifier(column.name);

/**
 * A read statement of flags and items (see the top of this file), typed: each row has the flags
 * and `item`, the page's row or null. `order` (a Page: the list's) is repeated outside the join; `withs`
 * are the statement's CTEs (data-modifying ones run regardless).
 */
export function selectWithFlags<F extends Record<string, SQL.Aliased>, P extends PageSubquery>(
  db: Db,
  flags: F,
  subquery: P,
  options: { order?: Page | SQL[]; withs?: WithSubquery[] } = {},
): PromiseLike<FlaggedRow<F, P>[]> & { toSQL(): { sql: string; params: unknown[] } } {
  const start = options.withs?.length ? db.with(...options.withs) : db;
  const query = start
    .select({ ...flags, item: subquery._.selectedFields })
    .from(flagsRow)
    // The page's selection is generic here, which Drizzle's join typing cannot check; the row type
    // is declared by this function instead.
    .leftJoinLateral(subquery as unknown as Subquery<"page", Record<string, never>>, sql`true`);
  const { order } = options;
  const ordered = !order
    ? query
    : query.orderBy(...(Array.isArray(order) ? order : order.orderOf(subquery as unknown as Record<string, unknown>)));
  return ordered as unknown as PromiseLike<FlaggedRow<F, P>[]> & { toSQL(): { sql: string; params: unknown[] } };
}

type PageSubquery = Subquery<"page", Record<string, unknown>> & { _: { selectedFields: ColumnsSelection } };
export type FlaggedRow<F extends Record<string, SQL.Aliased>, P extends PageSubquery> = {
  [K in keyof F]: F[K]["_"]["type"];
} & { item: SelectResultFields<P["_"]["selectedFields"]> | null };
