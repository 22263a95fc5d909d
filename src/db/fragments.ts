import {
  asc,
  type Column,
  type ColumnsSelection,
  desc,
  type SQL,
  type Subquery,
  sql,
  type WithSubquery,
} from "drizzle-orm";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { Position } from "../lib/pagination";
import type { Caller } from "../middlewares/context";
import type { Db } from "./client";
import { follows, likes, tweets, users } from "./schema";

/**
 * The pieces every statement shares, written against the schema's tables and columns.
 *
 * A read statement is `SELECT <flags>, <page columns> FROM FLAGS LEFT JOIN LATERAL (<page>) page
 * ON true ORDER BY <the list's order>`: one row of flags joined with the rows of the page (or of
 * the one item), so that an empty page still answers "does the parent exist / is the token valid".
 * SQL keeps no order through a join unless told, so the outer ORDER BY repeats the list's order
 * (it sorts at most limit + 1 rows).
 */
export const FLAGS = sql`(SELECT) AS flags`;
export const ON = sql`true`;

/** The token's user still exists at the token's version (not deleted, no password change since); NULL without a token. */
export const callerOk = (caller: Caller | undefined) =>
  (caller
    ? sql<boolean>`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${caller.id} AND ${users.tokenVersion} = ${caller.version})`
    : sql<null>`NULL::boolean`
  ).as("caller_ok");

/** `EXISTS (subquery)` as a named boolean flag. */
export const flag = <const Name extends string>(name: Name, condition: SQL) => sql<boolean>`${condition}`.as(name);

export const userExists = (id: number) => sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${id})`;
export const tweetExists = (id: number) => sql`EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${id})`;

/** A boolean only an authenticated request has (NULL, so absent from the JSON, without a token). */
const callerOnly = (caller: Caller | undefined, name: string, condition: (caller: Caller) => SQL) =>
  (caller ? sql<boolean>`${condition(caller)}` : sql<null>`NULL::boolean`).as(name);

/** The columns of a User, from `users` (and, with a token, whether the caller follows them and they the caller). */
export const userColumns = (caller: Caller | undefined) => ({
  id: users.id,
  username: users.username,
  createdAt: users.createdAt,
  followersCount: users.followersCount,
  followingCount: users.followingCount,
  tweetCount: users.tweetCount,
  following: callerOnly(
    caller,
    "following",
    (c) =>
      sql`EXISTS (SELECT 1 FROM ${follows} WHERE ${follows.followerId} = ${c.id} AND ${follows.followeeId} = ${users.id})`,
  ),
  followedBy: callerOnly(
    caller,
    "followed_by",
    (c) =>
      sql`EXISTS (SELECT 1 FROM ${follows} WHERE ${follows.followerId} = ${users.id} AND ${follows.followeeId} = ${c.id})`,
  ),
});

/** The columns of a Tweet, from `tweets` joined with its author in `users` (and, with a token, whether the caller liked it). */
export const tweetColumns = (caller: Caller | undefined) => ({
  id: tweets.id,
  content: tweets.content,
  createdAt: tweets.createdAt,
  userId: tweets.userId,
  username: users.username,
  likeCount: tweets.likeCount,
  inReplyToTweetId: tweets.inReplyToTweetId,
  conversationId: sql<number>`coalesce(${tweets.conversationId}, ${tweets.id})`.as("conversation_id"),
  replyCount: tweets.replyCount,
  liked: callerOnly(
    caller,
    "liked",
    (c) => sql`EXISTS (SELECT 1 FROM ${likes} WHERE ${likes.tweetId} = ${tweets.id} AND ${likes.userId} = ${c.id})`,
  ),
});

type Sortable = Column | SQL.Aliased;
/** A page's order, repeated outside the LATERAL join: newest first, or oldest first, by (time, id). */
export const newestFirst = (time: Sortable, id: Sortable) => [desc(time), desc(id)];
export const oldestFirst = (time: Sortable, id: Sortable) => [asc(time), asc(id)];

/** Keyset predicate of a newest-first list: `(at, id) < cursor`, a range of the list's index. */
export const olderThan = (position: Position | undefined, at: Column | SQL, id: Column | SQL): SQL =>
  position?.at ? sql`(${at}, ${id}) < (${position.at.toISOString()}::timestamptz, ${position.id})` : sql`true`;

/** Keyset predicate of an oldest-first list: `(at, id) > cursor`. */
export const newerThan = (position: Position | undefined, at: Column | SQL, id: Column | SQL): SQL =>
  position?.at ? sql`(${at}, ${id}) > (${position.at.toISOString()}::timestamptz, ${position.id})` : sql`true`;

/** A column's bare name, for the left side of `UPDATE … SET` in a `sql` statement. */
export const bare = (column: Column) => sql.identifier(column.name);

/**
 * A read statement of flags and items: `SELECT <flags>, page.* FROM FLAGS LEFT JOIN LATERAL (page)
 * ON true [ORDER BY <order>]` (see the top of this file), typed: each row has the flags and `item`,
 * the page's row or null. `withs` are the statement's CTEs (data-modifying ones run regardless).
 */
export function flagged<F extends Record<string, SQL.Aliased>, P extends PageSubquery>(
  db: Db,
  flags: F,
  page: P,
  options: { order?: (page: P) => SQL[]; withs?: WithSubquery[] } = {},
): PromiseLike<FlaggedRow<F, P>[]> & { toSQL(): { sql: string; params: unknown[] } } {
  const start = options.withs?.length ? db.with(...options.withs) : db;
  const query = start
    .select({ ...flags, item: page._.selectedFields })
    .from(FLAGS)
    // The page's selection is generic here, which Drizzle's join typing cannot check; the row type
    // is declared by this function instead.
    .leftJoinLateral(page as unknown as Subquery<"page", Record<string, never>>, ON);
  const ordered = options.order ? query.orderBy(...options.order(page)) : query;
  return ordered as unknown as PromiseLike<FlaggedRow<F, P>[]> & { toSQL(): { sql: string; params: unknown[] } };
}

type PageSubquery = Subquery<"page", Record<string, unknown>> & { _: { selectedFields: ColumnsSelection } };
export type FlaggedRow<F extends Record<string, SQL.Aliased>, P extends PageSubquery> = {
  [K in keyof F]: F[K]["_"]["type"];
} & { item: SelectResultFields<P["_"]["selectedFields"]> | null };
