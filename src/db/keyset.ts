import { and, asc, type Column, desc, type SQL, sql, type WithSubquery } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import { z } from "zod";
import { DEFAULT_PAGE_SIZE, INT32_MAX } from "../lib/limits";
import { badRequest } from "../lib/problem";
import type { Db } from "../types";
import { tweets } from "./schema";

/**
 * Keyset pagination, in one object per request (after bluesky-social/atproto's
 * packages/bsky/src/data-plane/server/db/pagination.ts): a list's order, the position its cursor
 * names, the WHERE that starts after it, the ORDER BY, LIMIT + 1, the cut and the next cursor.
 */

/** A keyset position: the sort timestamp (when the order has one) and the tie-breaking id. */
export type Position = { at?: Date; id: number };

/**
 * A list's order: newest or oldest first by the time in the row field `at` (none: by id alone),
 * ties broken by the listed object's `id` in the same direction. Every order has its index.
 */
export type Order = { direction: "desc" | "asc"; at?: string };

type Sortable = Column | SQL | SQL.Aliased;

/**
 * A list filtered for a caller (tweets by a blocked or blocking author left out, muted users in the
 * home timeline) reads at most this many index rows per row its page shows: enough that a page is
 * full unless most of the next rows are hidden, and a bound on what a page costs when they are.
 */
export const FILTERED_SCAN_FACTOR = 4;

/** How far a page's scan read: whether it read all the rows it may, and the position of the last one. */
export type Scanned = { full: boolean | null; lastId: number | null; lastAt: Date | null };

/** `(at, id) < position` (newest first) or `>` (oldest first): a range of the list's index. */
export function startAfter(
  order: Order["direction"],
  position: Position | undefined,
  at: Sortable | undefined,
  id: Sortable,
) {
  const op = sql.raw(order === "desc" ? "<" : ">");
  if (!position) return sql`true`;
  if (!at || !position.at) return sql`${id} ${op} ${position.id}`;
  return sql`(${at}, ${id}) ${op} (${position.at.toISOString()}::timestamptz, ${position.id})`;
}

/** A page of a list: `list` is the list's path, and a cursor is valid for that list only. */
export class Page {
  constructor(
    readonly order: Order,
    readonly list: string,
    readonly limit: number,
    readonly position?: Position,
  ) {}

  /** The page a request asks for (`?limit=&cursor=`): a cursor of another list, or tampered with, is 400. */
  static read(order: Order, list: string, query: { limit?: number; cursor?: string }) {
    return new Page(order, list, query.limit ?? DEFAULT_PAGE_SIZE, decodeCursor(query.cursor, list, !!order.at));
  }

  /** Rows a statement reads: one more than the page shows, to know whether a next page exists. */
  get rows() {
    return this.limit + 1;
  }

  /** WHERE: the rows after the cursor (`true` on the first page). */
  where(at: Sortable | undefined, id: Sortable): SQL {
    return startAfter(this.order.direction, this.position, at, id);
  }

  orderBy(at: Sortable | undefined, id: Sortable): SQL[] {
    const by = this.order.direction === "desc" ? desc : asc;
    return at ? [by(at), by(id)] : [by(id)];
  }

  /** A query cut to this page: its own condition and the keyset's WHERE, ORDER BY, LIMIT + 1. */
  take<Q extends PgSelect>(query: Q, condition: SQL | undefined, at: Sortable | undefined, id: Sortable) {
    return query
      .where(and(condition, this.where(at, id)))
      .orderBy(...this.orderBy(at, id))
      .limit(this.rows);
  }

  /** The order again, on a subquery's fields (SQL keeps no order through a join unless told). */
  orderOf(page: Record<string, unknown>): SQL[] {
    const at = this.order.at ? (page[this.order.at] as Sortable) : undefined;
    return this.orderBy(at, page.id as Sortable);
  }

  /** Index rows a scan reads at most: limit + 1, or FILTERED_SCAN_FACTOR × limit when it filters. */
  scanRows(filtered: boolean) {
    return filtered ? Math.max(this.limit * FILTERED_SCAN_FACTOR, this.rows) : this.rows;
  }

  /**
   * The bounded scan of a list (a CTE named `scan`): the next rows of `query` after the cursor in
   * the list's order, at most `scanRows`, each with its `shown` column (`filtered`: whether it can
   * be false). `query` selects the list's keys — `id`, the order's time field — and `shown`. The
   * page is the shown rows (`shownRows`), and `scanned` tells where the scan stopped, so that a page
   * that shows fewer than `limit` rows still leads on from the last row READ: paging never ends
   * early, never repeats or skips a row, and a page never reads more than `scanRows` index rows.
   */
  scan<Q extends PgSelect>(
    db: Db,
    query: Q,
    condition: SQL | undefined,
    at: Sortable | undefined,
    id: Sortable,
    filtered: boolean,
  ) {
    return db.$with("scan").as(
      query
        .where(and(condition, this.where(at, id)))
        .orderBy(...this.orderBy(at, id))
        .limit(this.scanRows(filtered)),
    );
  }

  /** The scan's rows in the list's order that are shown, cut to `limit + 1`: a page's (scan.shown, ORDER BY, LIMIT). */
  shownRows<Q extends PgSelect>(query: Q, cte: WithSubquery) {
    const scan = cte as unknown as Record<string, unknown>;
    return query
      .where(sql`${scan.shown as SQL}`)
      .orderBy(...this.orderOf(scan))
      .limit(this.rows);
  }

  /** The flags of a scan: did it read all the rows it may, and the keys of the last row it read. */
  scanned(cte: WithSubquery, filtered: boolean) {
    const scan = cte as unknown as Record<string, unknown>;
    const reverse = this.order.direction === "desc" ? asc : desc;
    const at = this.order.at ? (scan[this.order.at] as Sortable) : undefined;
    const last = (field: Sortable) =>
      sql`(SELECT ${field} FROM ${cte} ORDER BY ${sql.join(
        (at ? [reverse(at), reverse(scan.id as Sortable)] : [reverse(scan.id as Sortable)]) as SQL[],
        sql`, `,
      )} LIMIT 1)`;
    return {
      scanFull: sql<boolean>`(SELECT count(*) FROM ${cte}) >= ${this.scanRows(filtered)}`.as("scan_full"),
      scanLastId: sql<number | null>`${last(scan.id as Sortable)}`.as("scan_last_id"),
      scanLastAt: (at ? sql<Date | null>`${last(at)}` : sql<null>`NULL::timestamptz`)
        .mapWith(tweets.createdAt)
        .as("scan_last_at"),
    };
  }

  /**
   * The first `limit` items, and the cursor of the next page: after the last item shown when a
   * next item exists, else after the last row the scan read when it read all it may (the rows
   * between were left out, and more may follow).
   */
  cut<Item extends { id: number }>(items: Item[], scanned?: Scanned): { items: Item[]; next?: string } {
    const shown = items.slice(0, this.limit);
    const last = shown.at(-1);
    if (items.length > this.limit && last) {
      const at = this.order.at ? (last as Record<string, unknown>)[this.order.at] : undefined;
      return { items: shown, next: encodeCursor(this.list, { at: at instanceof Date ? at : undefined, id: last.id }) };
    }
    if (scanned?.full && scanned.lastId !== null)
      return { items: shown, next: encodeCursor(this.list, { at: scanned.lastAt ?? undefined, id: scanned.lastId }) };
    return { items: shown };
  }
}

const id = z.number().int().min(1).max(INT32_MAX);
const cursorSchema = z.union([z.tuple([z.string(), id]), z.tuple([z.string(), z.iso.datetime(), id])]);

/** A cursor: base64url of `[list, at?, id]`, opaque to clients. */
export function encodeCursor(list: string, position: Position): string {
  const json = JSON.stringify(position.at ? [list, position.at.toISOString(), position.id] : [list, position.id]);
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const invalidCursor = () =>
  badRequest("The cursor is not valid for this list.", [{ path: "cursor", message: "invalid cursor" }]);

/** Decodes a cursor of `list`; `timed` says whether the list's order has a timestamp. Else 400. */
export function decodeCursor(cursor: string | undefined, list: string, timed: boolean): Position | undefined {
  if (cursor === undefined) return undefined;
  let parsed: z.infer<typeof cursorSchema>;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    parsed = cursorSchema.parse(JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/"))));
  } catch {
    throw invalidCursor();
  }
  // Another list's cursor, or one of another shape (with or without a time), is not this list's.
  if (parsed[0] !== list || (parsed.length === 3) !== timed) throw invalidCursor();
  if (parsed.length === 2) return { id: parsed[1] };
  const at = new Date(parsed[1]);
  if (Number.isNaN(at.getTime())) throw invalidCursor();
  return { at, id: parsed[2] };
}
