import type { MiddlewareHandler } from "hono";
import { sign, verify } from "hono/jwt";
import { MIN_JWT_SECRET_LENGTH } from "../env";
import { INT32_MAX } from "../lib/limits";
import { log } from "../lib/log";
import { type ApiError, serviceUnavailable, unauthorized } from "../lib/problem";
import type { AppContext, AppEnv, Caller, Config } from "../types";
import { limitOrThrow } from "./rate-limit";

const ALG = "HS256" as const;
const MAX_TOKEN_LENGTH = 2048;

let reported = false;

/** The signing secret, or the same 503 whether JWT_SECRET is unset or too short (the log says which, once). */
function secretOf(config: Config): string {
  if (!config.jwtSecret) {
    if (!reported) {
      reported = true;
      log("error", `JWT_SECRET is ${config.jwtSecretProblem ?? "unset"}: authentication is refused`, {
        min_length: MIN_JWT_SECRET_LENGTH,
      });
    }
    throw serviceUnavailable("Authentication is not configured.");
  }
  return config.jwtSecret;
}

/** Issues an access token: `sub` is the user id, `ver` the user's token version at issue time. */
export async function issueToken(config: Config, user: { id: number; tokenVersion: number }) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub: String(user.id), ver: user.tokenVersion, iat: now, exp: now + config.tokenTtlSeconds };
  return { token: await sign(payload, secretOf(config), ALG), expiresIn: config.tokenTtlSeconds };
}

async function callerFromHeader(c: AppContext, header: string): Promise<Caller> {
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(header.trim());
  if (!match?.[1] || header.length > MAX_TOKEN_LENGTH)
    throw unauthorized("The Authorization header must be `Bearer <access token>`.");
  const secret = secretOf(c.var.config);
  let payload: Record<string, unknown>;
  try {
    // The algorithm is fixed: a token that names another (`none`, RS256, …) fails here.
    payload = await verify(match[1], secret, ALG);
  } catch {
    throw unauthorized("The access token is invalid or expired.");
  }
  const id = Number(payload.sub);
  const version = payload.ver;
  if (!Number.isInteger(id) || id < 1 || id > INT32_MAX || typeof version !== "number" || !Number.isInteger(version))
    throw unauthorized("The access token is invalid or expired.");
  return { id, version };
}

/**
 * Optional authentication: without an Authorization header the request is anonymous; with one,
 * the token must verify (signature, expiry). Revocation is checked by the request's own SQL
 * statement, which compares the token version with the user's.
 */
export const optionalAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("Authorization");
  if (header !== undefined) c.set("caller", await callerFromHeader(c, header));
  await next();
};

/** Reads never count against the write limit (the contract): a client that pages or polls can still post. */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Required authentication, plus the per-user write limit on writes (never on reads). Two buckets,
 * because the token's version is checked by the request's own statement, after the limiter:
 * - WRITE_LIMITER, per user and token version: one token's budget. A revoked token (an older
 *   version) exhausts its own bucket and goes no further, so it takes at most this much from ...
 * - USER_WRITE_LIMITER, per user whatever the version: twice the above, so the owner keeps at
 *   least one token's budget while a revoked token spends, and a password change (a new version,
 *   a fresh first bucket) does not give the user a fresh budget: every version shares this one.
 */
export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("Authorization");
  if (header === undefined) throw unauthorized("This endpoint requires `Authorization: Bearer <access token>`.");
  const caller = await callerFromHeader(c, header);
  c.set("caller", caller);
  if (!READ_METHODS.has(c.req.method)) {
    await limitOrThrow(c.env.WRITE_LIMITER, `user:${caller.id}:v${caller.version}`);
    await limitOrThrow(c.env.USER_WRITE_LIMITER, `user:${caller.id}`);
  }
  await next();
};

/**
 * The caller of a route on `/users/{id}/…` that only that user may use, and the check that says so:
 * decided here, before the query, and answered in the one order of checks (src/db/run.ts).
 */
export function asUser(c: AppContext, id: number, forbidden: () => ApiError) {
  const caller = callerOf(c);
  return { caller, checks: { allowed: id === caller.id, forbidden } };
}

/** The caller of a route behind `requireAuth`. */
export function callerOf(c: AppContext): Caller {
  const caller = c.var.caller;
  if (!caller) throw unauthorized("This endpoint requires `Authorization: Bearer <access token>`.");
  return caller;
}
