import { describe, expect, it } from "vitest";
import { withRetries } from "../../src/db/run";

/** The retry loop of every statement (src/db/run.ts), on attempts that fail as Postgres would. */
const failing = (code: string) => Object.assign(new Error("Failed query"), { cause: { code } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("retries inside a request", () => {
  it("runs a deadlock's statement again and returns its rows", async () => {
    let calls = 0;
    const rows = await withRetries(1_000, async () => {
      if (++calls < 3) throw failing("40P01");
      return ["row"];
    });
    expect(rows).toEqual(["row"]);
    expect(calls).toBe(3);
  });

  it("keeps the request's deadline across retries: a slow conflict ends by the deadline", async () => {
    // Attempts of 200 ms that each fail with a serialization failure, under a 300 ms deadline: the
    // second attempt gets what is left (a 504 at the deadline), or none when too little is left (the
    // conflict's 503). Each attempt with the whole deadline, four of them took ~900 ms.
    let calls = 0;
    const started = Date.now();
    const outcome = await withRetries(300, async () => {
      calls++;
      await sleep(200);
      throw failing("40001");
    }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect([503, 504]).toContain((outcome as { status?: number }).status);
    expect(calls).toBeLessThanOrEqual(2);
    expect(elapsed).toBeLessThan(300 + 150);
  });

  it("retries a refused connection until half the deadline, then answers 503", async () => {
    let calls = 0;
    const started = Date.now();
    const outcome = await withRetries(400, async () => {
      calls++;
      throw failing("53300");
    }).catch((e: unknown) => e);
    expect(outcome).toMatchObject({ status: 503 });
    expect(calls).toBeGreaterThan(2);
    expect(Date.now() - started).toBeLessThan(200 + 150);
  });

  it("never retries a lost connection (the statement may have run)", async () => {
    let calls = 0;
    const outcome = await withRetries(1_000, async () => {
      calls++;
      throw failing("08006");
    }).catch((e: unknown) => e);
    expect(outcome).toMatchObject({ status: 503 });
    expect(calls).toBe(1);
  });
});
