import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withClient } from "../scripts/stack/database";
import { type Stack, startStack } from "../scripts/stack/stack";
import { captureOutput } from "./capture";

/**
 * The Worker's logs: structured JSON lines with the request id, never a password, hash, token or
 * secret. Its console output reaches this process (workerd → wrangler), where it is captured.
 */
let stack: Stack;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  stack = await startStack({ env: "test", logLevel: "log" });
  output = captureOutput();
});
afterAll(async () => {
  output?.restore();
  await stack?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.baseUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("logs", () => {
  it("are JSON lines with the request id and never contain passwords, hashes, tokens or secrets", async () => {
    const username = `logger_${Date.now().toString(36)}`;
    const password = "first secret password";
    const newPassword = "second secret password";
    const signup = await post("/users", { username, password }, { "X-Request-Id": "trace-signup-1" });
    expect(signup.status).toBe(201);
    const login = (await (await post("/auth/login", { username, password })).json()) as {
      access_token: string;
      user: { id: number };
    };
    const token = login.access_token as string;
    expect((await post("/tweets", { content: "logged" }, { Authorization: `Bearer ${token}` })).status).toBe(201);
    await fetch(`${stack.baseUrl}/users/${login.user.id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ password: newPassword }),
    });
    expect((await post("/auth/login", { username, password: "wrong password!" })).status).toBe(401);
    // A failing statement: its driver error quotes the SQL parameters (here: the hash); the log must not.
    expect((await post("/users", { username, password }, { "X-Request-Id": "trace-conflict-2" })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 1000));

    const lines = stripVTControlCharacters(output.text())
      .split("\n")
      .map((l) => l.slice(l.indexOf("{")).trim())
      .filter((l) => l.startsWith('{"level"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const l of requests)
      expect(l).toMatchObject({
        level: "info",
        request_id: expect.any(String),
        method: expect.any(String),
        status: expect.any(Number),
      });
    expect(requests.find((l) => l.request_id === "trace-signup-1")).toMatchObject({ path: "/users", status: 201 });
    expect(requests.find((l) => l.request_id === "trace-conflict-2")).toMatchObject({ status: 409 });

    const hash = await withClient(stack.databaseUrl, async (c) => {
      const { rows } = await c.query("SELECT password_hash FROM users WHERE username = $1", [username]);
      return rows[0]?.password_hash as string;
    });
    for (const secret of [password, newPassword, token, stack.jwtSecret ?? "", hash ?? "", "pbkdf2_sha256$"]) {
      expect(secret.length).toBeGreaterThan(5);
      expect(output.text().includes(secret), `logs contain ${secret.slice(0, 12)}…`).toBe(false);
    }
  });

  it("wrangler.toml holds no secret", () => {
    const toml = readFileSync(join(import.meta.dirname, "../wrangler.toml"), "utf8");
    expect(toml).not.toMatch(/^\s*(JWT_SECRET|DATABASE_URL)\s*=/m);
    expect(toml).not.toMatch(/postgres(ql)?:\/\/[^\s"]*:[^\s"@]+@/);
  });
});
