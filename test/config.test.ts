import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/stack/database";
import { type Stack, startStack } from "../scripts/stack/stack";
import { captureOutput } from "./capture";
import { LEGS } from "./helpers";

/**
 * Settings that are wrong never turn into 500s: a JWT_SECRET that is too short is refused like a
 * missing one (503 on authentication only), an invalid setting makes every route a 503 problem
 * whose log line names the setting (never its value), and `npm run dev` refuses to start, naming it.
 */
const post = (stack: Stack, path: string, body: unknown) =>
  fetch(`${stack.baseUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe.runIf(LEGS.once)("a JWT_SECRET shorter than 32 characters", () => {
  let short: Stack;
  let unset: Stack;
  beforeAll(async () => {
    [short, unset] = await Promise.all([
      startStack({ env: "test", jwtSecret: "only-31-characters-long-secret!" }),
      startStack({ env: "test", jwtSecret: null }),
    ]);
  });
  afterAll(async () => {
    await short?.stop();
    await unset?.stop();
  });

  it("refuses authentication with the same 503 as a missing one; the rest of the API works", async () => {
    for (const stack of [short, unset]) {
      expect((await post(stack, "/users", { username: "cfg_user", password: "long enough" })).status).toBe(201);
      const login = await post(stack, "/auth/login", { username: "cfg_user", password: "long enough" });
      expect(login.status).toBe(503);
      expect(login.headers.get("content-type")).toMatch(/problem\+json/);
      expect(await login.json()).toMatchObject({ status: 503, detail: "Authentication is not configured." });
      for (const path of ["/", "/health", "/tweets"])
        expect((await fetch(`${stack.baseUrl}${path}`)).status, path).toBe(200);
    }
  });
});

describe.runIf(LEGS.once)("an invalid setting", () => {
  let stack: Stack;
  let output: ReturnType<typeof captureOutput>;
  beforeAll(async () => {
    output = captureOutput();
    stack = await startStack({
      env: "test",
      logLevel: "log",
      vars: { DB_DRIVER: "foo-driver", TOKEN_TTL_SECONDS: "not-a-number" },
    });
  });
  afterAll(async () => {
    output?.restore();
    await stack?.stop();
  });

  it("makes every route a 503 problem, and the log names the settings but not their values", async () => {
    for (const path of ["/", "/health", "/tweets", "/users/1", "/openapi.json"]) {
      const res = await fetch(`${stack.baseUrl}${path}`);
      expect(res.status, path).toBe(503);
      expect(res.headers.get("content-type")).toMatch(/problem\+json/);
      expect(res.headers.get("retry-after")).toBeTruthy();
      const text = await res.text();
      expect(text).not.toMatch(/foo-driver|not-a-number|ZodError/);
    }
    await new Promise((r) => setTimeout(r, 200));
    const logs = stripVTControlCharacters(output.text());
    const line = logs.split("\n").find((l) => l.includes('"invalid configuration"'));
    expect(line).toBeDefined();
    expect(line).toContain("DB_DRIVER");
    expect(line).toContain("TOKEN_TTL_SECONDS");
    // The Worker's own log lines (wrangler's startup table lists the bindings it was given).
    const workerLines = logs.split("\n").filter((l) => l.includes('{"level"'));
    expect(workerLines.length).toBeGreaterThan(0);
    for (const l of workerLines) expect(l).not.toMatch(/foo-driver|not-a-number/);
  });
});

describe.runIf(LEGS.once)("npm run dev with an invalid setting", () => {
  it("stops at once, naming the setting, before starting anything", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts"], {
      cwd: ROOT,
      env: { ...process.env, DB_DRIVER: "carrier-pigeon", PORT: "18787" },
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    // "At once" is what it printed, not how long it took (26 s once, loading tsx on two busy
    // cores): the setting is named and nothing of the start-up follows it.
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(out).toContain("Invalid setting: DB_DRIVER");
    expect(out).not.toContain("carrier-pigeon");
    expect(out).toContain("Nothing was started.");
    expect(out).not.toContain("Database:");
  }, 90_000);
});
