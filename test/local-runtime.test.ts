import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/stack/database";
import { type Stack, startStack } from "../scripts/stack/stack";
import { baseUrl, inject, LEGS } from "./helpers";

/**
 * The local runtime the tests, the bench and the soak run on (scripts/stack/stack.ts) answers
 * every request itself, whatever the moment and whatever changes in the checkout meanwhile.
 */

/** A login with a username that cannot exist: the Worker's own 400, before any limiter or database. */
async function impossibleLogin(base: string) {
  const res = await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "no such user!", password: "whatever" }),
  });
  return `${res.status} ${res.headers.get("content-type")}: ${(await res.text()).slice(0, 60)}`;
}
const WORKER_ANSWER = /^400 application\/problem\+json/;

describe.runIf(LEGS.once)("connections idle for about five seconds", () => {
  /**
   * Through wrangler 4.86's dev proxy (what `npm run dev` serves) a request failed now and then: its
   * pooled connections to the Worker and the Worker's server both close an idle connection after
   * 5 s, a request written at that moment was lost ("Network connection lost"), and the proxy
   * answered a POST with a text/plain 503 "Your worker restarted mid-request" (workers-sdk#14641):
   * 25 of 224 requests of these bursts after pauses just under 5 s (a burst takes a moment, so some
   * connections idle 5 s). wrangler 4.164: none, through the proxy or straight to the runtime.
   */
  const BURST = 32;
  const PAUSES_MS = [4_700, 4_750, 4_800, 4_850, 4_900, 4_950];

  it.each([
    ["wrangler's dev proxy", inject("proxyUrl")],
    ["the Worker's runtime", baseUrl],
  ])(
    "every request of bursts after ~5 s pauses gets the Worker's answer, through %s",
    async (_, base) => {
      const burst = () => Promise.all(Array.from({ length: BURST }, () => impossibleLogin(base)));
      const answers = await burst();
      for (const pause of PAUSES_MS) {
        await new Promise((r) => setTimeout(r, pause));
        answers.push(...(await burst()));
      }
      const other = answers.filter((a) => !WORKER_ANSWER.test(a));
      expect(other, `${other.length} of ${answers.length}`).toEqual([]);
    },
    90_000,
  );
});

describe.runIf(LEGS.once)("the project's files changing during a run", () => {
  /**
   * wrangler reloads a running Worker, `watch: false` or not, when a file its bundler read changes
   * or wrangler.toml does; a reload cuts off what is in flight. Each stack runs a build of its own
   * with no build command and no config watching (buildWorker and startStack in stack.ts), and the
   * build's source map carries the sources: without them wrangler's bundler read every file of
   * src/ through the map, and this edit reloaded the Worker twice (the edit, then putting it back);
   * the same for wrangler.toml with config watching on.
   */
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ serverUrl: process.env.TEST_DATABASE_URL || undefined, env: "test" });
  });
  afterAll(() => stack?.stop());

  it("reload no running Worker", async () => {
    expect(stack.reloads()).toBe(0);
    // A developer's edit: one more line in the sources and in the dev build's output, put back after.
    const files = ["src/index.ts", "src/app.ts", "wrangler.toml", "dist/worker.js"].map((f) => join(ROOT, f));
    const before = files.map((f) => (existsSync(f) ? readFileSync(f) : undefined));
    try {
      for (const [i, file] of files.entries()) writeFileSync(file, `${before[i] ?? ""}\n`);
      await new Promise((r) => setTimeout(r, 4_000));
    } finally {
      for (const [i, file] of files.entries()) {
        const original = before[i];
        if (original === undefined) rmSync(file, { force: true });
        else writeFileSync(file, original);
      }
    }
    await new Promise((r) => setTimeout(r, 2_000));
    expect(stack.reloads()).toBe(0);
    expect(await impossibleLogin(stack.baseUrl)).toMatch(WORKER_ANSWER);
  }, 60_000);
});
