/**
 * npm run soak [-- --seconds 60 --connections 20 --driver http|ws|hyperdrive]
 *
 * A bounded mixed run over the whole API against the Worker (workerd, as in the tests) on a fresh
 * database: the embedded PGlite by default, or a new database on the server named by
 * SOAK_DATABASE_URL. It must end with zero 5xx; then the invariants are checked with SQL: every
 * count equals the rows it counts, nothing is orphaned, no acknowledged tweet or like is lost.
 * Exits 1 if anything fails.
 */
import { parseArgs } from "node:util";
import { checkInvariants, invariantsHold, runMixedLoad } from "./stack/load";
import { driverFromEnv, startStack } from "./stack/stack";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    connections: { type: "string", default: "20" },
    driver: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const driver = driverFromEnv(values.driver ?? "http");

const stack = await startStack({ serverUrl: process.env.SOAK_DATABASE_URL || undefined, env: "bench", driver });
console.log(`Soak: ${seconds} s, ${connections} connections, ${stack.kind} Postgres, ${stack.driver} driver`);
let failed = true;
try {
  const load = await runMixedLoad({ baseUrl: stack.baseUrl, seconds, connections });
  // Let the last fan-outs land before checking (they do not change any count).
  await new Promise((r) => setTimeout(r, 2_000));
  const invariants = await checkInvariants(stack.databaseUrl, load);
  const fiveXx = Object.entries(load.statuses)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
  console.log(
    `Requests: ${load.requests} in ${load.seconds.toFixed(1)} s (${(load.requests / load.seconds).toFixed(0)} req/s)`,
  );
  console.log(
    `By status: ${Object.entries(load.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(", ")}`,
  );
  console.log(
    `5xx: ${fiveXx}; 5xx without a problem document: ${load.malformed}; transport errors: ${load.transportErrors}`,
  );
  console.log(
    `Acknowledged: ${load.tweets.size} tweets (${load.deletedTweets.size} deleted again), ` +
      `${load.deletedUsers.size} accounts deleted, ${invariants.checkedLikes} like states`,
  );
  console.log(
    `Invariants: count mismatches ${JSON.stringify(invariants.counts)}, orphan likes ${invariants.orphanLikes}, ` +
      `orphan tweets ${invariants.orphanTweets}, orphan follows ${invariants.orphanFollows}, ` +
      `lost tweets ${invariants.lostTweets}, like states wrong ${invariants.likeStateMismatches}, ` +
      `notifications without their action ${invariants.orphanNotifications}`,
  );
  failed = fiveXx > 0 || load.transportErrors > 0 || !invariantsHold(invariants);
  console.log(failed ? "SOAK FAILED" : "Soak passed: zero 5xx, all invariants hold.");
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);
