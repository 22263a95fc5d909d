import { ApiError, badRequest, conflict, internalError, notFound, serviceUnavailable } from "../lib/problem";

/** The fields of a Postgres error that decide the answer (never its message, which quotes values). */
export type PgError = { code?: string; constraint?: string; message?: string };

/** Drivers and Drizzle wrap Postgres errors ("Failed query: …"); the Postgres error is a `cause`. */
export function pgErrorOf(error: unknown): PgError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as PgError).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return e as PgError;
  }
  return undefined;
}

/**
 * Why a failure is worth running again inside the request, if it is:
 * - "conflict": a deadlock or a serialization failure (the statement or transaction rolled back);
 * - "refused": the connection was refused before anything ran (too many connections, the server
 *   starting up) — the WebSocket path and local Hyperdrive open a connection per request, so a
 *   burst can meet the server's max_connections, and a retry a moment later gets one.
 */
const CONFLICT = new Set(["40P01", "40001"]);
const REFUSED = new Set(["53300", "57P03"]);
export type Transient = "conflict" | "refused";
export function transientOf(error: unknown): Transient | undefined {
  const code = pgErrorOf(error)?.code ?? "";
  return CONFLICT.has(code) ? "conflict" : REFUSED.has(code) ? "refused" : undefined;
}

/**
 * Neon's own refusals (quota exceeded, compute suspended or disabled) come without a specific
 * SQLSTATE; they are matched on their wording, which is Neon's and quotes no user value.
 */
const NEON_UNAVAILABLE =
  /exceeded the .*quota|endpoint (is|has been) disabled|compute.*(suspended|disabled)|couldn't connect to compute/i;

/** SQLSTATEs that mean "the database cannot serve this now; retry": connection, resources, shutdown, locks, read-only. */
const UNAVAILABLE = new Set(["40001", "40P01", "55P03", "25006", "57014"]);

/** The unique index behind "username taken" (src/db/schema.ts). */
const USERNAME_TAKEN = "users_username_lower_key";

/**
 * Maps a database failure to a problem without leaking SQL or driver messages. The failure is kept
 * as the problem's `cause`, so that the error log can name its SQLSTATE.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const problem = problemOf(pgErrorOf(error));
  return new ApiError(problem.status, problem.title, problem.detail, { ...problem.options, cause: error });
}

function problemOf(pg: PgError | undefined): ApiError {
  const retry = () => serviceUnavailable("The database is busy or unavailable; retry shortly.");
  if (!pg?.code) return serviceUnavailable("The database is unavailable; retry shortly.");
  const cls = pg.code.slice(0, 2);
  if (pg.code === "23505")
    return conflict(pg.constraint === USERNAME_TAKEN ? "The username is taken." : "The resource already exists.");
  // A row the statement refers to went away meanwhile (e.g. a tweet deleted while being liked).
  if (pg.code === "23503") return notFound("A resource this request refers to no longer exists.");
  if (cls === "22" || pg.code === "23514" || pg.code === "23502")
    return badRequest("A value is out of range or malformed.");
  if (cls === "08" || cls === "53" || cls === "57" || UNAVAILABLE.has(pg.code)) return retry();
  if (NEON_UNAVAILABLE.test(pg.message ?? "")) return retry();
  return internalError();
}
