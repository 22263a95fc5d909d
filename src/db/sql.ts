import { type SQL, sql } from "drizzle-orm";
import type { Caller } from "../lib/context";
import type { Position } from "../lib/pagination";
import { gatewayTimeout } from "../lib/problem";
import type { Database } from "./client";

/**
 * Building blocks of the API's statements. Every endpoint runs exactly one SQL statement: the
 * token's revocation check, existence checks and the read or write are CTEs or sub-selects of it.
 */

/** `true` when the token's user still exists with the token's version (not deleted, no password change since). */
export const callerValid = (caller: Caller | undefined): SQL =>
  caller ? sql`EXISTS (SELECT 1 FROM users WHERE id = ${caller.id} AND token_version = ${caller.version})` : sql`true`;

/**
 * One row of flags joined with the rows of a page: the statement answers both "does the parent
 * exist / is the token valid" and the page itself, and an empty page still yields the flags.
 * `order` (over the page's columns, as `r.…`) is the list's order: SQL keeps no order through a
 * join unless told, and sorting the at most limit + 1 rows of a page costs nothing.
 */
export function flagsWithRows(flags: SQL, rows: SQL, order?: SQL): SQL {
  const statement = sql`SELECT f.*, r.* FROM (SELECT ${flags}) AS f LEFT JOIN LATERAL (${rows}) AS r ON true`;
  return order ? sql`${statement} ORDER BY ${order}` : statement;
}

/** Keyset predicate `(at, id) < (cursor)` for a descending order on a timestamp and an id. */
export const beforePosition = (at: SQL, id: SQL, position: Position | undefined): SQL =>
  position?.at ? sql`(${at}, ${id}) < (${position.at.toISOString()}::timestamptz, ${position.id})` : sql`true`;

/**
 * Runs one statement and returns its rows, within the request's deadline: a database that does
 * not answer (down, unreachable, locked, slow) ends as a 504 problem, never as a hanging request.
 */
export async function rowsOf<Row>(db: Database, statement: SQL, deadlineMs = db.deadlineMs): Promise<Row[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(gatewayTimeout("The database did not answer in time; retry shortly.")), deadlineMs);
  });
  // Drizzle's query is a lazy thenable that runs on every then(): make it one promise, run once.
  const query = Promise.resolve(db.orm.execute(statement));
  query.catch(() => {}); // a late failure after the deadline is not an unhandled rejection
  try {
    const result = await Promise.race([query, deadline]);
    return result.rows as Row[];
  } finally {
    clearTimeout(timer);
  }
}

/** ISO 8601 UTC with milliseconds, whatever the driver returned. */
export const isoTime = (value: Date | string): string => new Date(value).toISOString();
