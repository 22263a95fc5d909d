import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Connection, Db, Row } from "../../types";

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

/** The pool of one connection of the WebSocket and Hyperdrive paths (pg's and Neon's Pool alike). */
type OneConnectionPool = {
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
};

/** A connection over a pool of one: a transaction is one simple-query message. */
export function overPool(pool: OneConnectionPool, db: Db, deadlineMs: number): Connection {
  // Errors of an idle connection must not crash the isolate; the request that used it already answered.
  pool.on("error", () => {});
  return {
    db,
    deadlineMs,
    transaction: async (statements) => {
      const result = await pool.query(oneQueryMessage(statements));
      const list = Array.isArray(result) ? result : [result];
      return list.map((r) => (r as { rows: Row[] }).rows);
    },
    send: async (query) => query,
    close: () => pool.end(),
  };
}
