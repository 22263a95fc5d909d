import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";

/**
 * A local stand-in for Neon's SQL-over-HTTP endpoint, for the Worker's HTTP driver path
 * (`drizzle-orm/neon-http`, `neonConfig.fetchEndpoint`): it speaks the protocol the
 * @neondatabase/serverless `neon()` function sends to Neon, over a pooled connection to the
 * local Postgres (the server, or PGlite's socket server):
 *
 *   POST /sql  {query, params}             → {fields, rows, command, rowCount}
 *   POST /sql  {queries: [{query, params}]} → {results: [...]}, one transaction
 *              (Neon-Batch-Isolation-Level, Neon-Batch-Read-Only, Neon-Batch-Deferrable)
 *
 * Rows are arrays of raw text values (Neon-Array-Mode, Neon-Raw-Text-Output): the driver parses
 * them with its own type parsers. Postgres errors are HTTP 400 with their fields (code, constraint…).
 * Only the configured database is served, whatever the Neon-Connection-String says.
 *
 * It runs any SQL it is sent, so it answers only the Worker (SECURITY.md, "Local stand-ins"): the
 * path carries a random per-run secret; a request with an `Origin` header (a web page), with a
 * `Host` that is not loopback (DNS rebinding) or with a body that is not `application/json` (a
 * form or `no-cors` fetch, which skips the preflight) is refused before any SQL runs.
 */
export type SqlHttp = {
  /** The endpoint's URL, secret included: what the Worker is given. */
  url: string;
  port: number;
  secret: string;
  stats: { requests: number; statements: number; refused: number };
  close(): Promise<void>;
};

const rawText = { getTypeParser: () => (value: string) => value };
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
const ISOLATION: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

type Query = { query: string; params?: unknown[] };

function toResult(result: pg.QueryResult<unknown[]>) {
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows,
    rowAsArray: true,
    fields: result.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: "text",
    })),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/** Why a request is not the Worker's, if it is not. */
export function refuse(req: IncomingMessage, path: string): { status: number; message: string } | undefined {
  if (req.headers.origin !== undefined) return { status: 403, message: "requests from web pages are refused" };
  if (!LOOPBACK_HOST.test(req.headers.host ?? "")) return { status: 403, message: "Host must be loopback" };
  if (req.method !== "POST" || req.url?.split("?")[0] !== path) return { status: 404, message: "not found" };
  const type = (req.headers["content-type"] ?? "").split(";", 1)[0]?.trim().toLowerCase();
  if (type !== "application/json") return { status: 415, message: "application/json only" };
  return undefined;
}

export async function startSqlHttp(options: {
  databaseUrl: string;
  port?: number;
  max?: number;
  secret?: string;
}): Promise<SqlHttp> {
  // A request waits for one of the pool's connections as long as it takes, as behind Neon's pooler:
  // the Worker's deadline decides when to give up. (With a 3 s wait, a storm on a loaded two-core
  // machine got one 502 from here, "timeout exceeded when trying to connect", which the Worker
  // rightly answered 503.) An unreachable database still fails at once (connection refused).
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: 60_000,
  });
  pool.on("error", () => {});
  // Every connection, for its whole life, checked out or idle, between statements or not: a dropped
  // connection (a restart, pg_terminate_backend) reports through the statement in flight, never as
  // a crash of the process (an uncaught 57P01 once ended a test run). Added once per connection.
  pool.on("connect", (client) => client.on("error", () => {}));
  const stats = { requests: 0, statements: 0, refused: 0 };
  const secret = options.secret ?? randomBytes(24).toString("hex");
  const path = `/sql/${secret}`;
  const run = (client: pg.Pool | pg.PoolClient, q: Query) => {
    stats.statements++;
    return client.query<unknown[]>({ text: q.query, values: q.params ?? [], rowMode: "array", types: rawText });
  };

  const server = createServer(async (req, res) => {
    const refusal = refuse(req, path);
    if (refusal) {
      stats.refused++;
      req.resume();
      return send(res, refusal.status, { message: refusal.message });
    }
    stats.requests++;
    let body: Query & { queries?: Query[] };
    try {
      body = (await readJson(req)) as typeof body;
    } catch {
      return send(res, 400, { message: "request body is not JSON" });
    }
    let client: pg.PoolClient | undefined;
    try {
      if (!Array.isArray(body.queries)) return send(res, 200, toResult(await run(pool, body)));
      client = await pool.connect();
      const isolation = ISOLATION[String(req.headers["neon-batch-isolation-level"])] ?? "READ COMMITTED";
      const readOnly = req.headers["neon-batch-read-only"] === "true" ? " READ ONLY" : "";
      const deferrable = req.headers["neon-batch-deferrable"] === "true" ? " DEFERRABLE" : "";
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}${readOnly}${deferrable}`);
      const results = [];
      for (const q of body.queries) results.push(toResult(await run(client, q)));
      await client.query("COMMIT");
      return send(res, 200, { results });
    } catch (error) {
      if (client) await client.query("ROLLBACK").catch(() => {});
      const e = error as Record<string, unknown> & { message?: string };
      if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
        return send(res, 400, Object.fromEntries([["message", e.message], ...ERROR_FIELDS.map((f) => [f, e[f]])]));
      }
      return send(res, 502, { message: `database unavailable: ${e.message ?? error}` });
    } finally {
      client?.release();
    }
  });
  // Node closes an idle keep-alive connection after 5 s; workerd may send on it at that very moment
  // and get a reset (a 503 of one request in a few thousand). Idle connections stay open longer here
  // than workerd keeps them.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    secret,
    stats,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
