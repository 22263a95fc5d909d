import { z } from "zod";
import { DEFAULT_FANOUT_MAX_FOLLOWERS } from "./lib/limits";
import type { Bindings, Config } from "./types";

/** Cloudflare rejects PBKDF2 above 100,000 iterations in production (workerd#1346). */
export const MAX_PBKDF2_ITERATIONS = 100_000;

/** A JWT_SECRET shorter than this is treated as unset: authentication refuses (503) and says why in the log. */
export const MIN_JWT_SECRET_LENGTH = 32;

const integer = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Every setting, its rule and its default; keys are the binding names, so an error names the setting. */
const settings = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  DB_DRIVER: z.enum(["http", "ws", "hyperdrive"]).default("http"),
  DB_PROXY_URL: z.url({ protocol: /^wss?$/ }).optional(),
  DB_SQL_HTTP_URL: z.url({ protocol: /^https?$/ }).optional(),
  DB_TIMEOUT_MS: integer(100, 60_000, 8_000),
  TOKEN_TTL_SECONDS: integer(60, 30 * 24 * 3600, 3600),
  PBKDF2_ITERATIONS: integer(10_000, MAX_PBKDF2_ITERATIONS, MAX_PBKDF2_ITERATIONS),
  /** Accounts with more followers than this are not fanned out: their tweets are merged at read time. */
  FANOUT_MAX_FOLLOWERS: integer(1, 100_000_000, DEFAULT_FANOUT_MAX_FOLLOWERS),
  JWT_SECRET: z.string().optional(),
});

/** The settings as read from the environment, or the names (never the values) of those that are invalid. */
export type LoadedConfig = { ok: true; config: Config } | { ok: false; invalid: string[] };

/** Validates the settings; shared by the Worker (per isolate) and `npm run dev` (before anything starts). */
export function parseConfig(env: Record<string, unknown>): LoadedConfig {
  const raw = Object.fromEntries(Object.keys(settings.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const parsed = settings.safeParse(raw);
  if (!parsed.success) return { ok: false, invalid: [...new Set(parsed.error.issues.map((i) => String(i.path[0])))] };
  const s = parsed.data;
  const secret = s.JWT_SECRET;
  const secretOk = secret !== undefined && secret.length >= MIN_JWT_SECRET_LENGTH;
  return {
    ok: true,
    config: {
      databaseUrl: s.DATABASE_URL,
      dbDriver: s.DB_DRIVER,
      dbProxyUrl: s.DB_PROXY_URL,
      dbSqlHttpUrl: s.DB_SQL_HTTP_URL,
      dbTimeoutMs: s.DB_TIMEOUT_MS,
      tokenTtlSeconds: s.TOKEN_TTL_SECONDS,
      pbkdf2Iterations: s.PBKDF2_ITERATIONS,
      fanoutMaxFollowers: s.FANOUT_MAX_FOLLOWERS,
      jwtSecret: secretOk ? secret : undefined,
      jwtSecretProblem: secretOk ? undefined : secret === undefined ? "unset" : "too short",
    },
  };
}

const cache = new WeakMap<object, LoadedConfig>();

/** Reads and validates the configuration once per env object (i.e. once per isolate). */
export function loadConfig(env: Bindings): LoadedConfig {
  let loaded = cache.get(env);
  if (!loaded) {
    loaded = parseConfig(env as unknown as Record<string, unknown>);
    cache.set(env, loaded);
  }
  return loaded;
}
