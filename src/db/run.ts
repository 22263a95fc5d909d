import type { SQL } from "drizzle-orm";
import { type ApiError, gatewayTimeout, unauthorized } from "../lib/problem";
import type { AppContext } from "../middlewares/context";
import type { Database, Db, Row } from "./client";
import { toApiError, transientOf } from "./errors";

/**
 * The one way a request talks to the database.
 *
 * A statement is a function of the Drizzle handle that builds ONE statement (a query-builder
 * chain: its rows are typed and decoded by the schema's columns). `run` sends it — one round trip —
 * within the request's deadline, retries it when Postgres rolled it back for a deadlock or a
 * serialization failure (it is atomic, so running it again is safe), and decodes the flags every
 * statement of this API selects next to its rows:
 *
 *   callerOk  the token's user still exists at the token's version (null without a token)  → 401
 *   found     the resource of the path exists                                               → 404
 *   allowed   the caller may do this                                                        → 403
 *   item      the row itself (null in the one row of an empty page)
 *
 * Failures are checked in the order the handler lists them, after the token.
 */
export type Statement<R> = (db: Db) => PromiseLike<R[]>;

export type Flags = { callerOk?: boolean | null; found?: boolean | null; allowed?: boolean | null };
type Failures = { notFound?: () => ApiError; forbidden?: () => ApiError };
const FLAG_OF = { notFound: "found", forbidden: "allowed" } as const;

/** A conflict is retried this many times in all; a refusal until half the deadline has passed. */
const CONFLICT_ATTEMPTS = 4;

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

/** A flag of a statement's first row: true, false, or undefined when the statement does not select it. */
function flagOf(row: object | undefined, name: keyof Flags): boolean | undefined {
  const value: unknown = row && name in row ? Reflect.get(row, name) : undefined;
  return typeof value === "boolean" ? value : undefined;
}

function check(c: AppContext, row: object | undefined, failures: Failures) {
  if (c.var.caller && flagOf(row, "callerOk") === false) throw unauthorized("The access token has been revoked.");
  for (const failure of Object.keys(failures) as (keyof Failures)[]) {
    const problem = failures[failure];
    if (problem && flagOf(row, FLAG_OF[failure]) === false) throw problem();
  }
}

/**
 * Sends a statement (deadline, retries) and returns its rows: for work outside a request, such as
 * the fan-out, too. `writes`: the statement may write (Database.limited).
 */
export async function execute<R>(db: Database, statement: Statement<R>, writes = true): Promise<R[]> {
  const query = statement(db.orm);
  return withRetries(db.deadlineMs, () => db.limited(query, writes));
}

const READS = new Set(["GET", "HEAD"]);

/** Runs a request's statement and returns its rows, after the flags of its first row passed. */
export async function run<R extends object>(c: AppContext, statement: Statement<R>, failures: Failures = {}) {
  const rows = await execute(await c.var.db(), statement, !READS.has(c.req.method));
  check(c, rows[0], failures);
  return rows;
}

/** A statement about one item: its row, or the first failure (404 by default when there is no item). */
export async function one<R extends { item: unknown }>(
  c: AppContext,
  statement: Statement<R>,
  failures: Failures = {},
) {
  const [row] = await run(c, statement, failures);
  const item = row?.item;
  if (row === undefined || item === null || item === undefined) throw (failures.notFound ?? noRow)();
  return { ...row, item };
}

/** A statement that returns a page: its items (an empty page's single row of flags has none). */
export async function items<R extends { item: unknown }>(
  c: AppContext,
  statement: Statement<R>,
  failures: Failures = {},
) {
  const rows = await run(c, statement, failures);
  return rows.flatMap((r) => (r.item === null || r.item === undefined ? [] : [r.item as NonNullable<R["item"]>]));
}

/**
 * Several statements as one transaction in one round trip (see Database.transaction), with the
 * same deadline, retries and flag checks (on the first statement's first row, which selects
 * `caller_ok`, `found` and `allowed`).
 */
export async function transaction(c: AppContext, statements: SQL[], failures: Failures = {}): Promise<Row[][]> {
  const db = await c.var.db();
  const results = await withRetries(db.deadlineMs, () => db.transaction(statements));
  const first = results[0]?.[0] ?? {};
  check(c, { callerOk: first.caller_ok, found: first.found, allowed: first.allowed }, failures);
  return results;
}

const noRow = () => new Error("statement returned no row");
