import { z } from "zod";

/** The Worker's bindings: vars and secrets from wrangler.toml / .dev.vars, rate limiters. */
export type Bindings = {
  /** Postgres connection string (Neon in production; the local proxy target in development). */
  DATABASE_URL?: string;
  /** "http" (one HTTPS request per statement, the default) or "ws" (Postgres protocol over a WebSocket). */
  DB_DRIVER?: string;
  /** Local development and tests only: ws:// URL of the WebSocket-to-TCP proxy in front of Postgres. */
  DB_PROXY_URL?: string;
  /** Local development and tests only: URL of the local SQL-over-HTTP endpoint (Neon's protocol). */
  DB_SQL_HTTP_URL?: string;
  /** HS256 signing secret for access tokens (a Worker secret; `.dev.vars` locally). */
  JWT_SECRET?: string;
  TOKEN_TTL_SECONDS?: string;
  /** Deadline for one database statement, connection included (ms). */
  DB_TIMEOUT_MS?: string;
  PBKDF2_ITERATIONS?: string;
  /** Static assets: the API reference UI (swagger-ui-dist). */
  ASSETS?: Fetcher;
  /** Login attempts per client address and username. */
  LOGIN_LIMITER?: RateLimit;
  /** Sign-ups per client address. */
  SIGNUP_LIMITER?: RateLimit;
  /** Writes per authenticated user. */
  WRITE_LIMITER?: RateLimit;
};

/** Cloudflare rejects PBKDF2 above 100,000 iterations in production (workerd#1346). */
export const MAX_PBKDF2_ITERATIONS = 100_000;

const configSchema = z.object({
  databaseUrl: z.string().min(1).optional(),
  dbDriver: z.enum(["http", "ws"]).default("http"),
  dbProxyUrl: z.url({ protocol: /^wss?$/ }).optional(),
  dbSqlHttpUrl: z.url({ protocol: /^https?$/ }).optional(),
  jwtSecret: z.string().min(32).optional(),
  dbTimeoutMs: z.coerce.number().int().min(100).max(60_000).default(8_000),
  tokenTtlSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(3600),
  pbkdf2Iterations: z.coerce.number().int().min(10_000).max(MAX_PBKDF2_ITERATIONS).default(MAX_PBKDF2_ITERATIONS),
});

export type Config = z.infer<typeof configSchema>;

const cache = new WeakMap<object, Config>();

/** Reads and validates the configuration once per env object (i.e. once per isolate). */
export function loadConfig(env: Bindings): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = configSchema.parse({
    databaseUrl: env.DATABASE_URL || undefined,
    dbDriver: env.DB_DRIVER || undefined,
    dbProxyUrl: env.DB_PROXY_URL || undefined,
    dbSqlHttpUrl: env.DB_SQL_HTTP_URL || undefined,
    jwtSecret: env.JWT_SECRET || undefined,
    dbTimeoutMs: env.DB_TIMEOUT_MS || undefined,
    tokenTtlSeconds: env.TOKEN_TTL_SECONDS || undefined,
    pbkdf2Iterations: env.PBKDF2_ITERATIONS || undefined,
  });
  cache.set(env, config);
  return config;
}
