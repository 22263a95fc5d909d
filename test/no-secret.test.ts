import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../scripts/stack/stack";
import { LEGS } from "./helpers";

/** A second Worker, started without JWT_SECRET: it must neither issue nor accept tokens. */
describe.runIf(LEGS.once)("without JWT_SECRET", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: "test", jwtSecret: null });
  });
  afterAll(() => stack?.stop());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.baseUrl}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("refuses to log in or accept tokens (503 problem), while public reads work", async () => {
    const created = await post("/users", { username: "nosecret", password: "long enough" });
    expect(created.status).toBe(201);
    const login = await post("/auth/login", { username: "nosecret", password: "long enough" });
    expect(login.status).toBe(503);
    expect(login.headers.get("content-type")).toMatch(/problem\+json/);
    expect(await login.text()).not.toContain("access_token");
    // A token signed with any key is refused.
    const forged = await sign({ sub: "1", ver: 0, exp: Math.floor(Date.now() / 1000) + 60 }, "any key", "HS256");
    const write = await post("/tweets", { content: "forged" }, { Authorization: `Bearer ${forged}` });
    expect(write.status).toBe(503);
    expect((await fetch(`${stack.baseUrl}/tweets`)).status).toBe(200);
  });
});
