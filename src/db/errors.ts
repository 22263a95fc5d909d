import { DrizzleQueryError } from "drizzle-orm/errors";
import { ApiError, badRequest, conflict, internalError, notFound, serviceUnavailable } from "../lib/problem";

/** The fields of a Postgres error that decide the answer (never its message, which quotes values). */
export type PgError = { code?: string; constraint?: string; message?: string };

/** An error and its causes, outermost first: drivers and Drizzle wrap the database's error a few levels deep. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 4; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** Drivers and Drizzle wrap Postgres errors ("Failed query: …"); the Postgres error is a `cause`. */
export function pgErrorOf(error: unknown): PgError | undefined {
  return causes(error).find((e): e is PgError => {
    const code = (e as PgError).code;
    return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
  });
}

/**
 * Why a database request failed when Postgres did not say (no SQLSTATE), for the error log: the
 * names along the cause chain and the innermost message, which comes from the network or the
 * driver's transport (a lost connection, an HTTP status), never from a query: query errors are
 * the Drizzle wrapper, skipped.
 */
export function transportReason(error: unknown): string {
  const chain: Error[] = [];
  for (const e of causes(error)) {
    if (!(e instanceof Error)) break;
    chain.push(e);
  }
  const innermost = chain.at(-1);
  const message = !innermost || innermost instanceof DrizzleQueryError ? "" : innermost.message;
  return `${chain.map((e) => e.name).join(" < ")}${message ? `: ${message.slice(0, 200)}` : ""}`;
}

/**
 * What a Postgres failure means, in one table: the problem it ends as and, for the few that are
 * worth running again inside the request, how:
 * - "conflict": a deadlock or a serialization failure (the statement or transaction rolled back,
 *   so running it again is safe) — a few attempts;
 * - "refused": the connection was refused before anything ran (too many connections, the server
 *   starting up) — the WebSocket path and local Hyperdrive open a connection per request, so a
 *   burst can meet the server's max_connections, and a retry a moment later gets one.
 * A lost connection (class 08) may have run the statement: it is not retried.
 */
export type Transient = "conflict" | "refused";
type Meaning = { problem: (pg: PgError) => ApiError; retry?: Transient };

const busy = () => serviceUnavailable("The database is busy or unavailable; retry shortly.");
/** A connection lost mid-statement: the statement may have committed. */
const lost = () => {
  const problem = busy();
  problem.options.outcomeUnknown = true;
  return problem;
};
/** Postgres cancelled the statement at its statement_timeout (src/db/client.ts): rolled back. */
const cancelled = () =>
  serviceUnavailable(
    "The database did not finish in time and cancelled the request: nothing was changed; retry shortly.",
  );
const malformed = () => badRequest("A value is out of range or malformed.");

/** The unique index behind "username taken" (src/db/schema.ts). */
const USERNAME_TAKEN = "users_username_lower_key";

/** By SQLSTATE first, then by its class (the first two characters). */
const MEANINGS: Record<string, Meaning> = {
  "40P01": { problem: busy, retry: "conflict" }, // deadlock detected
  "40001": { problem: busy, retry: "conflict" }, // serialization failure
  "53300": { problem: busy, retry: "refused" }, // too many connections
  "57P03": { problem: busy, retry: "refused" }, // cannot connect now (starting up)
  "55P03": { problem: busy }, // lock not available (lock_timeout)
  "25006": { problem: busy }, // read-only transaction (a replica, a failover)
  "57014": { problem: cancelled }, // query canceled (statement_timeout)
  "23505": {
    problem: (pg) =>
      conflict(pg.constraint === USERNAME_TAKEN ? "The username is taken." : "The resource already exists."),
  },
  // A row the statement refers to went away meanwhile (e.g. a tweet deleted while being liked).
  "23503": { problem: () => notFound("A resource this request refers to no longer exists.") },
  "23514": { problem: malformed }, // check violation
  "23502": { problem: malformed }, // not-null violation
  "22": { problem: malformed }, // data exception
  "08": { problem: lost }, // connection exception
  "53": { problem: busy }, // insufficient resources
  "57": { problem: busy }, // operator intervention (canceled, shutting down)
};

/**
 * Neon's own refusals (quota exceeded, compute suspended or disabled) come without a specific
 * SQLSTATE; they are matched on their wording, which is Neon's and quotes no user value.
 */
const NEON_UNAVAILABLE =
  /exceeded the .*quota|endpoint (is|has been) disabled|compute.*(suspended|disabled)|couldn't connect to compute/i;

function meaningOf(pg: PgError | undefined): Meaning {
  // No SQLSTATE at all: the driver could not reach the database.
  if (!pg?.code) return { problem: () => serviceUnavailable("The database is unavailable; retry shortly.") };
  const meaning = MEANINGS[pg.code] ?? MEANINGS[pg.code.slice(0, 2)];
  if (meaning) return meaning;
  return NEON_UNAVAILABLE.test(pg.message ?? "") ? { problem: busy } : { problem: internalError };
}

/** Whether (and how) a failure is run again inside the request: see MEANINGS. */
export function transientOf(error: unknown): Transient | undefined {
  return meaningOf(pgErrorOf(error)).retry;
}

/**
 * Maps a database failure to a problem without leaking SQL or driver messages. The failure is kept
 * as the problem's `cause`, so that the error log can name its SQLSTATE.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const pg = pgErrorOf(error);
  const problem = meaningOf(pg).problem(pg ?? {});
  return new ApiError(problem.status, problem.title, problem.detail, { ...problem.options, cause: error });
}
