import { describe, expect, it } from "vitest";
import app from "../../src/app";
import { encodeCursor } from "../../src/db/keyset";

/**
 * The app in-process (`app.request`), without a database: validation and problem documents that
 * are decided before any statement. No DATABASE_URL is set, so a request that reached the database
 * would answer 503 instead.
 */
const env = { JWT_SECRET: "x".repeat(32) };
const request = (path: string, init?: RequestInit) => app.request(path, init, env);

async function problemOf(res: Response) {
  expect(res.headers.get("Content-Type")).toBe("application/problem+json; charset=utf-8");
  return (await res.json()) as { status: number; title: string; detail: string; errors?: unknown[] };
}

describe("problem documents without a database", () => {
  it("an unknown route is 404, with the headers every answer carries", async () => {
    const res = await request("/nope", { headers: { Origin: "https://example.com" } });
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ status: 404, title: "Not Found" });
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });

  it("a path id, a limit or a body that is not valid is 400 with `errors`", async () => {
    for (const path of ["/users/abc", "/users/0", "/tweets?limit=0", "/tweets?limit=101", "/tweets?cursor=%25%25"]) {
      const res = await request(path);
      expect(res.status, path).toBe(400);
      expect((await problemOf(res)).errors, path).toBeDefined();
    }
    const res = await request("/users", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
    expect(res.status).toBe(400);
  });

  it("a write without a token is 401 with WWW-Authenticate; a wrong method is 405 with Allow", async () => {
    const res = await request("/tweets", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    const wrong = await request("/tweets/1", { method: "PUT" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("Allow")).toContain("GET");
  });

  it("a cursor pages only the list it came from", async () => {
    const cursor = encodeCursor("/tweets", { at: new Date("2026-11-26T13:44:22.123Z"), id: 5 });
    const lists = ["/users/1/followers", "/users/1/following", "/users/1/liked_tweets", "/tweets/1/liking_users"];
    for (const list of [...lists, "/tweets/1/replies", "/users/1/tweets", "/users/2/tweets?x=/tweets"]) {
      const res = await request(`${list.split("?")[0]}?cursor=${cursor}`);
      expect(res.status, list).toBe(400);
      expect((await problemOf(res)).detail).toBe("The cursor is not valid for this list.");
    }
    const timeline = await request(`/users/1/timeline?cursor=${cursor}`);
    expect(timeline.status).toBe(401);
  });
});
