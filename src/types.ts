import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Context } from "hono";

/** The types every layer shares; this module imports nothing of src/ (layers: README, "Layout"). */

/**
 * The Worker's bindings: `Env` is generated from wrangler.toml by `wrangler types`
 * (worker-configuration.d.ts, `npm run types`); variables that wrangler.toml does not declare
 * (they are set by the dev script, the tests or `wrangler secret put`) are added here.
 */
export type Bindings = Env & {
  /** Postgres connection string (Neon in production; a local Postgres in development). */
  DATABASE_URL?: string;
  /** "http" (default), "ws" or "hyperdrive": see src/db/connection.ts. */
  DB_DRIVER?: string;
  /** Local development and tests only: URL (with a per-run secret) of the local WebSocket-to-TCP proxy. */
  DB_PROXY_URL?: string;
  /** Local development and tests only: URL (with a per-run secret) of the local SQL-over-HTTP endpoint. */
  DB_SQL_HTTP_URL?: string;
  DB_TIMEOUT_MS?: string;
  FANOUT_MAX_FOLLOWERS?: string;
  /** HS256 signing secret for access tokens (a Worker secret; `.dev.vars` locally). */
  JWT_SECRET?: string;
};

/** The validated settings (src/env.ts). */
export type Config = {
  databaseUrl?: string;
  dbDriver: "http" | "ws" | "hyperdrive";
  dbProxyUrl?: string;
  dbSqlHttpUrl?: string;
  dbTimeoutMs: number;
  tokenTtlSeconds: number;
  pbkdf2Iterations: number;
  fanoutMaxFollowers: number;
  /** Undefined when unset or shorter than MIN_JWT_SECRET_LENGTH (see `jwtSecretProblem`). */
  jwtSecret?: string;
  jwtSecretProblem?: "unset" | "too short";
};

/** The caller named by a verified access token: user id and the token version it was issued for. */
export type Caller = { id: number; version: number };

/** The Drizzle handle statements are built on, whichever driver runs them. */
export type Db = PgDatabase<PgQueryResultHKT>;

export type Row = Record<string, unknown>;

/** A database connection: the Drizzle handle, a one-round-trip transaction, and its end. */
export type Connection = {
  db: Db;
  /** Deadline for one round trip (ms): DB_TIMEOUT_MS. */
  deadlineMs: number;
  /**
   * Runs the statements as one transaction in ONE round trip and returns each statement's rows.
   * READ COMMITTED: each statement sees what committed before it started, so a statement that
   * follows a lock sees every row written before the lock was granted.
   */
  transaction(statements: SQL[]): Promise<Row[][]>;
  /**
   * Sends one statement built on `db` under Postgres' statement_timeout (statementTimeoutOf): the
   * pool paths' connections carry it from their startup; the HTTP path sends a write behind a
   * SET LOCAL in the same request (a batch), and a read alone.
   */
  send<R>(query: PromiseLike<R[]>): Promise<R[]>;
  /** Ends the connection (WebSocket and Hyperdrive paths); run after the response. */
  close(): Promise<void>;
};

/** What the data layer needs of a request: who asks, and its connection (opened on first use). */
export type Requester = { caller?: Caller; connection: () => Promise<Connection> };

export type AppEnv = {
  Bindings: Bindings;
  Variables: Requester & { requestId: string; config: Config };
};

export type AppContext = Context<AppEnv>;

/** The handler of an OpenAPI route definition, with its params, query, body and responses typed. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
