import type { SQL } from "drizzle-orm";
import { type ApiError, gatewayTimeout, unauthorized } from "../lib/problem";
import type { Connection, Db, Requester, Row } from "../types";
import { toApiError, transientOf } from "./errors";
import type { Scanned } from "./keyset";

/**
 * The one way a request talks to the database.
 *
 * A statement is a function of the Drizzle handle that builds ONE statement (a query-builder
 * chain: its rows are typed and decoded by the schema's columns). `send` sends it — one round
 * trip — within the request's deadline, and retries it when Postgres rolled it back for a deadlock
 * or a serialization failure (it is atomic, so running it again is safe).
 *
 * A request's checks come in one order, the same for every endpoint:
 *
 *   401  callerOk     flag: the token's user still exists at the token's version (null without a token)
 *   404  found        flag: the resource the path names exists
 *   403  allowed      known before the query (the caller is the path's user), or a flag (the caller
 *                     is the tweet's author)
 *   404  targetFound  flag: the object the request acts on exists (a tweet to like, a user to follow)
 *   403  blocked      flag: a block stands between the caller and the target's user (eitherBlocks in sql.ts)
 *
 * What JS knows is decided before the query and given to it (so a refused write writes nothing);
 * the flags come back on the statement's first row, beside `item` (null in an empty page's row).
 */
export type Statement<R> = (db: Db) => PromiseLike<R[]>;

export type Checks = {
  notFound?: () => ApiError;
  /** Known before the query; when absent, the statement's `allowed` flag decides. */
  allowed?: boolean;
  forbidden?: () => ApiError;
  targetNotFound?: () => ApiError;
  /** When the statement's `blocked` flag is true (blockStands in problem.ts). */
  blocked?: () => ApiError;
};
type Flags = { callerOk?: unknown; found?: unknown; allowed?: unknown; targetFound?: unknown; blocked?: unknown };

/**
 * A conflict is tried this many times in all; a refusal until half the deadline has passed. Some
 * deadlocks cannot be ordered away: an account deletion holds its own row and then updates the
 * counts of the users it followed, while a follow of it locks the pair in id order, so under a storm
 * of follows and deletions a statement may lose several times in a row (each retry waits 20–220 ms).
 */
const CONFLICT_ATTEMPTS = 8;

/**
 * Runs `attempt` within the deadline; a transient failure (see transientOf) runs it again, with
 * jittered backoff. The deadline is the request's, not each attempt's: a retry gets what is left.
 */
export async function withRetries<T>(deadlineMs: number, attempt: () => PromiseLike<T>): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await withinDeadline(deadlineMs - (Date.now() - started), attempt);
    } catch (error) {
      const backoff = Math.min(10 * 2 ** n, 200) + Math.random() * 20;
      const elapsed = Date.now() - started + backoff;
      const transient = transientOf(error);
      const again =
        transient === "conflict"
          ? n < CONFLICT_ATTEMPTS && elapsed < deadlineMs
          : transient === "refused" && elapsed < deadlineMs / 2;
      if (!again) throw toApiError(error);
      await new Promise((r) => setTimeout(r, backoff));
    }
  }
}

/** A database that does not answer (down, unreachable, locked, slow) ends as a 504 problem, never a hang. */
export async function withinDeadline<T>(deadlineMs: number, attempt: () => PromiseLike<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(gatewayTimeout("The database did not answer in time.")), deadlineMs);
  });
  // Drizzle's queries are lazy thenables that run on every then(): make this attempt one promise.
  const query = Promise.resolve(attempt());
  query.catch(() => {}); // a late failure after the deadline is not an unhandled rejection
  try {
    return await Promise.race([query, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function check(requester: Requester, row: Flags | undefined, checks: Checks) {
  const failed = (name: keyof Flags) => row?.[name] === false;
  if (requester.caller && failed("callerOk")) throw unauthorized("The access token has been revoked.");
  if (checks.notFound && failed("found")) throw checks.notFound();
  if (checks.forbidden && (checks.allowed === false || (checks.allowed === undefined && failed("allowed"))))
    throw checks.forbidden();
  if (checks.targetNotFound && failed("targetFound")) throw checks.targetNotFound();
  if (checks.blocked && row?.blocked === true) throw checks.blocked();
}

/** Sends a statement (deadline, retries) and returns its rows, unchecked: for work outside a request (the fan-out). */
export async function send<R>(connection: Connection, statement: Statement<R>): Promise<R[]> {
  const query = statement(connection.db);
  return withRetries(connection.deadlineMs, () => connection.send(query));
}

/** Runs a request's statement and returns its rows, after the checks passed. */
export async function run<R extends object>(requester: Requester, statement: Statement<R>, checks: Checks = {}) {
  const rows = await send(await requester.connection(), statement);
  check(requester, rows[0], checks);
  return rows;
}

/** A statement about one item: its row, or the first failed check (else 404 by `notFound`). */
export async function runItem<R extends { item: unknown }>(
  requester: Requester,
  statement: Statement<R>,
  checks: Checks = {},
) {
  const [row] = await run(requester, statement, checks);
  const item = row?.item;
  if (row === undefined || item === null || item === undefined)
    throw (checks.targetNotFound ?? checks.notFound ?? noRow)();
  return { ...row, item };
}

/** A statement that returns a list: its items (an empty page's single row of flags has none). */
export async function runList<R extends { item: unknown }>(
  requester: Requester,
  statement: Statement<R>,
  checks: Checks = {},
) {
  const rows = await run(requester, statement, checks);
  return rows.flatMap((r) => (r.item === null || r.item === undefined ? [] : [r.item as NonNullable<R["item"]>]));
}

/**
 * A statement that returns a page read by a bounded scan (Page.scan): its items and where the scan
 * stopped (the `scan_*` flags of Page.scanned), for the next page's cursor (Page.cut).
 */
export async function runPage<
  R extends { item: unknown; scanFull: boolean | null; scanLastId: number | null; scanLastAt: Date | null },
>(requester: Requester, statement: Statement<R>, checks: Checks = {}) {
  const rows = await run(requester, statement, checks);
  const first = rows[0];
  const scanned: Scanned = {
    full: first?.scanFull ?? false,
    lastId: first?.scanLastId ?? null,
    lastAt: first?.scanLastAt ?? null,
  };
  const items = rows.flatMap((r) =>
    r.item === null || r.item === undefined ? [] : [r.item as NonNullable<R["item"]>],
  );
  return { items, scanned, rows };
}

/**
 * Several statements as one transaction in one round trip (see Connection.transaction), with the
 * same deadline, retries and checks: on the statements' first rows, a later statement's flag
 * overriding an earlier one's (a statement after a lock knows better). Rows come back raw
 * (column names, the driver's types). `statements` may be built on the connection's Drizzle handle.
 */
export async function runTransaction(
  requester: Requester,
  statements: SQL[] | ((db: Db) => SQL[]),
  checks: Checks = {},
): Promise<Row[][]> {
  const connection = await requester.connection();
  const sent = typeof statements === "function" ? statements(connection.db) : statements;
  const results = await withRetries(connection.deadlineMs, () => connection.transaction(sent));
  const first: Row = Object.assign({}, ...results.map((rows) => rows[0] ?? {}));
  const flags = { callerOk: first.caller_ok, found: first.found, targetFound: first.target_found };
  check(requester, { ...flags, blocked: first.blocked }, checks);
  return results;
}

const noRow = () => new Error("statement returned no row");
