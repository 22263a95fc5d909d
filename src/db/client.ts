import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Bindings, Config } from "../env";
import { serviceUnavailable } from "../lib/problem";
import * as schema from "./schema";

/** The Drizzle database, whichever driver path it runs on. Statements are built on it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type Row = Record<string, unknown>;

/** A request's database: the Drizzle handle, a one-round-trip transaction, and its end. */
export type Database = {
  orm: Db;
  /** Deadline for one round trip (ms): DB_TIMEOUT_MS. */
  deadlineMs: number;
  /**
   * Runs the statements as one transaction in ONE round trip and returns each statement's rows.
   * READ COMMITTED: each statement sees what committed before it started, so a statement that
   * follows a lock sees every row written before the lock was granted.
   */
  transaction(statements: SQL[]): Promise<Row[][]>;
  /**
   * Sends one statement built on `orm` under Postgres' time limit (statementTimeoutOf): on the HTTP
   * path in the same request, behind a SET LOCAL (a batch: a transaction, so only for statements
   * that write, where a statement finishing after the client's answer does harm; a read is sent
   * alone); the pool paths' connections carry the limit already.
   */
  limited<R>(query: PromiseLike<R[]>, writes: boolean): Promise<R[]>;
  /** Ends the request's connection (WebSocket and Hyperdrive paths); run after the response. */
  close(): Promise<void>;
};

const dialect = new PgDialect();

/**
 * Statements joined into one simple-protocol Query message: Postgres runs a multi-statement Query
 * as one implicit transaction (all or nothing), and it costs one round trip. The simple protocol
 * has no parameters, so values are written as literals: only integers, booleans and NULL are
 * accepted, which makes the text safe by construction (a transaction that needs a string must
 * use the HTTP path's batch or change shape).
 */
export function oneQueryMessage(statements: SQL[]): string {
  return statements
    .map((statement) => {
      const { sql: text, params } = dialect.sqlToQuery(statement);
      return text.replace(/\$(\d+)\b/g, (_, n: string) => {
        const value = params[Number(n) - 1];
        if (value === null) return "NULL";
        if (typeof value === "boolean") return value ? "true" : "false";
        if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
        throw new Error("oneQueryMessage: only integer, boolean and null parameters can be inlined");
      });
    })
    .join(";\n");
}

/**
 * Postgres' own time limit for a statement (statement_timeout), below the Worker's deadline
 * (DB_TIMEOUT_MS) by a tenth of it (at most a second): a statement still running then is cancelled
 * by Postgres (rolled back, 57014, a 503 that says nothing changed) before the Worker gives up on
 * it, instead of committing after the client was told 504. The margin is for the cancellation's
 * answer to travel back.
 */
export const statementTimeoutOf = (deadlineMs: number) =>
  Math.max(1, deadlineMs - Math.min(1000, Math.ceil(deadlineMs / 10)));

let sqlEndpointConfiguredFor: string | undefined;
let proxyConfiguredFor: string | undefined;

/**
 * The request's database on one of three driver paths (DB_DRIVER), each imported only when
 * configured:
 *
 * - "http" (default): `drizzle-orm/neon-http`. Every statement is one HTTPS request to Neon's SQL
 *   endpoint, no connection to set up; a transaction is one request too (Neon's batch).
 * - "ws": `drizzle-orm/neon-serverless`, the Postgres protocol over a WebSocket. A Pool per request
 *   (Workers cannot share I/O objects between requests), ended after the response.
 * - "hyperdrive": `drizzle-orm/node-postgres` (pg) over a TCP socket to the Hyperdrive binding, which
 *   pools connections next to the database (any Postgres). A connection per request, as Cloudflare
 *   advises (a pg Pool of one, ended after the response). pg sends a statement with its parameters in one round trip (Parse, Bind, Execute,
 *   Sync together); postgres.js describes a parameterized statement first, one round trip more.
 */
type CorkableStream = {
  write(data: Uint8Array | string, ...rest: unknown[]): boolean;
  cork?: () => void;
  uncork?: () => void;
};

/**
 * pg corks its socket around the messages of a query (Parse, Bind, Describe, Execute, Sync) so
 * that they leave in one write. Its socket on workerd (pg-cloudflare) has no cork: each message
 * went out as its own TCP segment, and Nagle's algorithm held the later ones until the first was
 * acknowledged — 40 ms or more per statement behind a delayed ACK (the bench at 20 ms RTT: 71 ms
 * instead of ~25). This gives the socket a cork that gathers the messages into one write.
 */
function corkable(stream: CorkableStream) {
  if (stream.cork) return;
  const write = stream.write.bind(stream);
  let depth = 0;
  let pending: Uint8Array[] = [];
  stream.cork = () => {
    depth++;
  };
  stream.uncork = () => {
    if (depth > 0) depth--;
    if (depth > 0 || pending.length === 0) return;
    const chunks = pending;
    pending = [];
    const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    write(data);
  };
  stream.write = (data, ...rest) => {
    if (depth === 0) return write(data, ...rest);
    // A copy: the caller may reuse its buffer once write() returns.
    pending.push(typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  };
}

/** The pool of one connection of the WebSocket and Hyperdrive paths (pg's and Neon's Pool alike). */
type OneConnectionPool = {
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
};

/** A request's database over a pool of one connection: a transaction is one simple-query message. */
function overPool(pool: OneConnectionPool, orm: Db, deadlineMs: number): Database {
  // Errors of an idle connection must not crash the isolate; the request that used it already answered.
  pool.on("error", () => {});
  return {
    orm,
    deadlineMs,
    limited: async (query) => query,
    transaction: async (statements) => {
      const result = await pool.query(oneQueryMessage(statements));
      const list = Array.isArray(result) ? result : [result];
      return list.map((r) => (r as { rows: Row[] }).rows);
    },
    close: () => pool.end(),
  };
}

export async function openDatabase(config: Config, env: Bindings): Promise<Database> {
  const deadlineMs = config.dbTimeoutMs;
  // Pool paths: a startup parameter of the connection (pg and Neon's Pool send statement_timeout in
  // the startup message): no statement, no round trip.
  const statement_timeout = statementTimeoutOf(deadlineMs);
  if (config.dbDriver === "hyperdrive") {
    if (!env.HYPERDRIVE) throw serviceUnavailable("The database is not configured (no HYPERDRIVE binding).");
    const [{ Pool }, { drizzle }] = await Promise.all([import("pg"), import("drizzle-orm/node-postgres")]);
    // A pool of one connection rather than a bare Client: a connection refused at startup (too many
    // connections) fails the query with the server's SQLSTATE, so run() can retry it on a new
    // connection; a Client would fail its queued query with a bare "Connection terminated".
    const pool = new Pool({
      connectionString: env.HYPERDRIVE.connectionString,
      max: 1,
      connectionTimeoutMillis: deadlineMs,
      statement_timeout,
    });
    pool.on("connect", (client) =>
      corkable((client as unknown as { connection: { stream: CorkableStream } }).connection.stream),
    );
    return overPool(pool, drizzle({ client: pool, schema }), deadlineMs);
  }

  if (!config.databaseUrl) throw serviceUnavailable("The database is not configured (DATABASE_URL is unset).");
  const databaseUrl = config.databaseUrl;
  const { neon, neonConfig, Pool } = await import("@neondatabase/serverless");

  if (config.dbDriver === "http") {
    const { drizzle } = await import("drizzle-orm/neon-http");
    if (config.dbSqlHttpUrl && sqlEndpointConfiguredFor !== config.dbSqlHttpUrl) {
      // Local development and tests: the local stand-in for Neon's SQL-over-HTTP endpoint, whose
      // URL holds a per-run secret and which takes only application/json (SECURITY.md).
      const url = config.dbSqlHttpUrl;
      neonConfig.fetchEndpoint = () => url;
      neonConfig.fetchFunction = (input: string, init: RequestInit) => {
        const headers = new Headers(init.headers);
        headers.set("Content-Type", "application/json");
        return fetch(input, { ...init, headers });
      };
      sqlEndpointConfiguredFor = url;
    }
    const orm = drizzle({ client: neon(databaseUrl), schema });
    // The HTTP path has no connection to configure: each request is a batch (one transaction, one
    // HTTP request) whose first statement sets the time limit for it alone (SET LOCAL).
    const timeLimit = () => orm.execute(sql.raw(`SET LOCAL statement_timeout = ${statement_timeout}`));
    return {
      orm: orm,
      deadlineMs,
      transaction: async (statements) => {
        if (statements.length === 0) return [];
        const [, ...results] = await orm.batch([timeLimit(), ...statements.map((s) => orm.execute(s))]);
        return results.map((r) => r.rows as Row[]);
      },
      limited: async (query, writes) => {
        if (!writes) return query;
        const [, rows] = await orm.batch([timeLimit(), query as unknown as BatchItem<"pg">]);
        return rows as never;
      },
      close: async () => {},
    };
  }

  const { drizzle } = await import("drizzle-orm/neon-serverless");
  if (config.dbProxyUrl && proxyConfiguredFor !== config.dbProxyUrl) {
    // Local development and tests: reach Postgres through the local WebSocket-to-TCP proxy.
    const base = config.dbProxyUrl.replace(/\/+$/, "");
    neonConfig.wsProxy = (host, port) => `${base.replace(/^wss?:\/\//, "")}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = base.startsWith("wss:");
    // With pipelining, a SCRAM server rejects the login (and pglite-socket stops answering).
    neonConfig.pipelineConnect = false;
    proxyConfiguredFor = config.dbProxyUrl;
  }
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 1,
    connectionTimeoutMillis: deadlineMs,
    statement_timeout,
  });
  return overPool(pool, drizzle({ client: pool, schema }), deadlineMs);
}
