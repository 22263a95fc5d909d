import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Queryable } from "../../seeds/seed";
import { MIGRATIONS } from "./database";

/**
 * Down migrations, which drizzle-kit does not have (drizzle-orm#2352): every generated
 * `drizzle/NNNN_name.sql` has a hand-written `drizzle/NNNN_name.down.sql` beside it. Rolling back
 * runs the down file and deletes the migration's row from drizzle's bookkeeping table
 * (`drizzle.__drizzle_migrations`, matched on `created_at` = the journal's `when`), so that
 * `npm run db:migrate` re-applies it cleanly.
 */
export type JournalEntry = { idx: number; tag: string; when: number };

export function journal(folder = MIGRATIONS): JournalEntry[] {
  const parsed = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: JournalEntry[] };
  return parsed.entries;
}

export const downFile = (entry: JournalEntry, folder = MIGRATIONS) => join(folder, `${entry.tag}.down.sql`);

/** Migrations without a rollback file (a check fails on any). */
export function missingRollbacks(folder = MIGRATIONS): string[] {
  return journal(folder)
    .filter((e) => !existsSync(downFile(e, folder)))
    .map((e) => e.tag);
}

export async function appliedMigrations(db: Queryable): Promise<JournalEntry[]> {
  const exists = await db.query<{ t: string | null }>("SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t");
  if (!exists.rows[0]?.t) return [];
  const rows = await db.query<{ created_at: string }>("SELECT created_at::text FROM drizzle.__drizzle_migrations");
  const applied = new Set(rows.rows.map((r) => Number(r.created_at)));
  return journal().filter((e) => applied.has(e.when));
}

/**
 * Reverts applied migrations, newest first, down to (and not including) `target`; without a
 * target, only the last one. `target = "0"` reverts them all. Each rollback is one transaction.
 */
export async function rollback(db: Queryable, target?: string): Promise<string[]> {
  const applied = (await appliedMigrations(db)).sort((a, b) => b.when - a.when);
  let toRevert: JournalEntry[];
  if (target === undefined) toRevert = applied.slice(0, 1);
  else if (target === "0") toRevert = applied;
  else {
    const keep = applied.findIndex((e) => e.tag === target || e.tag.startsWith(`${target}_`));
    if (keep < 0) throw new Error(`No applied migration named ${target}`);
    toRevert = applied.slice(0, keep);
  }
  const reverted: string[] = [];
  for (const entry of toRevert) {
    if (!existsSync(downFile(entry))) throw new Error(`${entry.tag} has no rollback file ${entry.tag}.down.sql`);
    const statements = readFileSync(downFile(entry), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter((s) => s.replace(/--.*$/gm, "").trim());
    await db.query("BEGIN");
    try {
      for (const statement of statements) await db.query(statement);
      await db.query("DELETE FROM drizzle.__drizzle_migrations WHERE created_at = $1", [entry.when]);
      await db.query("COMMIT");
    } catch (error) {
      await db.query("ROLLBACK");
      throw error;
    }
    reverted.push(entry.tag);
  }
  return reverted;
}

/** The public schema as text (tables, columns, constraints, indexes), to compare two states. */
export async function schemaDump(db: Queryable): Promise<string> {
  // One after another: a pg Client runs one query at a time.
  const parts = [
    await db.query<{ line: string }>(
      `SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
              || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') || ' identity=' || is_identity
              || ' generated=' || coalesce(generation_expression, '') AS line
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
    ),
    await db.query<{ line: string }>(
      `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
    ),
    await db.query<{ line: string }>(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`),
  ];
  return parts.flatMap((p) => p.rows.map((r) => r.line)).join("\n");
}
