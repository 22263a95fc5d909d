import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { migratePgliteDb, migrateUrl, ROOT, withClient, withDatabase } from "../scripts/stack/database";
import { startEmbedded } from "../scripts/stack/embedded";
import { appliedMigrations, journal, missingRollbacks, rollback, schemaDump } from "../scripts/stack/migrations";
import type { Queryable } from "../seeds/seed";
import { LEGS } from "./helpers";

/** Runs `fn` on a scratch database: a new database on TEST_DATABASE_URL's server, else an in-memory PGlite. */
async function onScratch(fn: (db: Queryable, migrate: () => Promise<void>) => Promise<void>) {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    const db = await PGlite.create();
    try {
      await fn(db, () => migratePgliteDb(db));
    } finally {
      await db.close();
    }
    return;
  }
  const name = `twitter_migrations_${Date.now()}_${process.pid}`;
  await withClient(server, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(server, name);
  try {
    await withClient(url, (client) => fn(client, () => migrateUrl(url)));
  } finally {
    await withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

/** Runs `fn` with the URL of an empty database: on TEST_DATABASE_URL's server, else an embedded one served over TCP. */
async function onEmptyUrl(fn: (url: string) => Promise<void>) {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    const embedded = await startEmbedded();
    try {
      await fn(embedded.url);
    } finally {
      await embedded.close();
    }
    return;
  }
  const name = `twitter_push_${Date.now()}_${process.pid}`;
  await withClient(server, (c) => c.query(`CREATE DATABASE ${name}`));
  try {
    await fn(withDatabase(server, name));
  } finally {
    await withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

// Seven migrations applied, rolled back and applied again on a scratch database: a minute on a loaded machine.
describe.runIf(LEGS.perDatabase)("reversible migrations", { timeout: 90_000 }, () => {
  it("every migration has a rollback file", () => {
    expect(journal().length).toBeGreaterThan(0);
    expect(missingRollbacks()).toEqual([]);
  });

  it("apply all, roll all back, apply again: the same schema", async () => {
    await onScratch(async (db, migrate) => {
      await migrate();
      const first = await schemaDump(db);
      expect(first).toContain("tweets_created_at_id_idx");
      expect((await appliedMigrations(db)).length).toBe(journal().length);

      const reverted = await rollback(db, "0");
      expect(reverted).toEqual(
        journal()
          .map((e) => e.tag)
          .reverse(),
      );
      expect(await schemaDump(db)).toBe("");
      expect(await appliedMigrations(db)).toEqual([]);

      await migrate();
      expect(await schemaDump(db)).toBe(first);
      // Rolling back the last one and migrating again is also clean.
      expect(await rollback(db)).toEqual([journal().at(-1)?.tag]);
      await migrate();
      expect(await schemaDump(db)).toBe(first);
    });
  });

  it("drizzle-kit push gives the schema the migrations give", async () => {
    let migrated = "";
    await onScratch(async (db, migrate) => {
      await migrate();
      migrated = await schemaDump(db);
    });
    await onEmptyUrl(async (url) => {
      await promisify(execFile)(
        process.execPath,
        [join(ROOT, "node_modules", "drizzle-kit", "bin.cjs"), "push", "--force"],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: url },
          timeout: 60_000,
        },
      );
      const pushed = await withClient(url, (c) => schemaDump(c));
      expect(pushed).toContain("tweets.search tsvector");
      expect(pushed).toBe(migrated);
    });
  }, 90_000);
});
