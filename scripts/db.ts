/**
 * npm run db:migrate                       apply drizzle/ migrations
 * npm run db:rollback [-- --to NAME|0]     revert the last migration (or down to NAME; 0 = all)
 * npm run db:seed [-- --users N --tweets N --likes N --follows N]   seed an empty database (migrates first)
 *
 * Target: DATABASE_URL when set; else the embedded database (through `npm run dev` when it is
 * running, or the PGlite folder directly when it is not).
 */
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { DEFAULT_COUNTS, seed, terminalProgress } from "../seeds/seed";
import { migratePgliteDb, migrateUrl, redactUrl, withClient } from "./stack/database";
import { PGLITE_DIR, runningEmbeddedUrl } from "./stack/local";
import { rollback } from "./stack/migrations";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    users: { type: "string", default: String(DEFAULT_COUNTS.users) },
    tweets: { type: "string", default: String(DEFAULT_COUNTS.tweets) },
    likes: { type: "string", default: String(DEFAULT_COUNTS.likes) },
    follows: { type: "string", default: String(DEFAULT_COUNTS.follows) },
    to: { type: "string" },
  },
});
const command = positionals[0];
if (command !== "migrate" && command !== "seed" && command !== "rollback") {
  console.error(
    "usage: tsx scripts/db.ts migrate|rollback [--to NAME|0]|seed [--users N --tweets N --likes N --follows N]",
  );
  process.exit(2);
}
const counts = {
  users: Number(values.users),
  tweets: Number(values.tweets),
  likes: Number(values.likes),
  follows: Number(values.follows),
};
for (const [name, n] of Object.entries(counts))
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);

const started = Date.now();
const progress = terminalProgress();

const url = process.env.DATABASE_URL || runningEmbeddedUrl();
let result: Awaited<ReturnType<typeof seed>> | undefined;
let reverted: string[] = [];
if (url) {
  console.log(`Database: ${redactUrl(url)}`);
  if (command === "rollback") reverted = await withClient(url, (client) => rollback(client, values.to));
  else await migrateUrl(url);
  if (command === "seed") result = await withClient(url, (client) => seed(client, counts, progress));
} else {
  console.log(`Database: embedded PGlite in ${PGLITE_DIR}`);
  mkdirSync(PGLITE_DIR, { recursive: true });
  const db = await PGlite.create(PGLITE_DIR);
  if (command === "rollback") reverted = await rollback(db, values.to);
  else await migratePgliteDb(db);
  if (command === "seed") result = await seed(db, counts, progress);
  await db.close();
}
if (command === "migrate") console.log("Migrations applied.");
else if (command === "rollback")
  console.log(reverted.length ? `Rolled back: ${reverted.join(", ")}` : "No applied migration to roll back.");
else if (result?.seeded)
  console.log(
    `Seeded ${counts.users} users, ${counts.tweets} tweets, ${counts.likes} likes, ~${counts.follows} follows in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
else console.log("The database already has users: nothing changed.");
