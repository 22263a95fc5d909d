import { describe, expect, it } from "vitest";
import { api, baseUrl, expectProblem } from "./helpers";

describe("service endpoints", () => {
  it("GET / gives name, version and links", async () => {
    const res = await api("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.json).toEqual({
      name: expect.any(String),
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      links: { docs: "/docs", openapi: "/openapi.json", health: "/health" },
    });
  });

  it("GET /health answers ok when the database answers", async () => {
    const res = await api("/health");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });

  it("GET /openapi.json is OpenAPI 3.1 describing every route", async () => {
    const res = await api("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    const operations = Object.entries(res.json.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /",
        "GET /health",
        "GET /docs",
        "GET /openapi.json",
        "POST /auth/login",
        "GET /users",
        "POST /users",
        "GET /users/{id}",
        "PATCH /users/{id}",
        "PUT /users/{id}",
        "DELETE /users/{id}",
        "GET /users/{id}/tweets",
        "GET /users/{id}/liked_tweets",
        "POST /users/{id}/likes",
        "DELETE /users/{id}/likes/{tweet_id}",
        "GET /tweets",
        "POST /tweets",
        "GET /tweets/{id}",
        "DELETE /tweets/{id}",
        "GET /tweets/{id}/liking_users",
        "GET /users/by/username/{username}",
        "GET /users/{id}/followers",
        "GET /users/{id}/following",
        "POST /users/{id}/following",
        "DELETE /users/{id}/following/{target_user_id}",
        "GET /users/{id}/timeline",
        "GET /tweets/{id}/replies",
        "GET /tweets/{id}/context",
        "GET /tweets/search",
        "GET /users/{id}/bookmarks",
        "POST /users/{id}/bookmarks",
        "DELETE /users/{id}/bookmarks/{tweet_id}",
        "GET /users/{id}/blocking",
        "POST /users/{id}/blocking",
        "DELETE /users/{id}/blocking/{target_user_id}",
        "GET /users/{id}/muting",
        "POST /users/{id}/muting",
        "DELETE /users/{id}/muting/{target_user_id}",
        "POST /users/{id}/reposts",
        "DELETE /users/{id}/reposts/{tweet_id}",
        "GET /tweets/{id}/reposted_by",
        "GET /tweets/{id}/quotes",
        "GET /users/{id}/notifications",
        "GET /users/{id}/notifications/unread_count",
        "GET /users/{id}/notifications/marker",
        "PUT /users/{id}/notifications/marker",
        "GET /users/{id}/mentions",
      ].sort(),
    );
    expect(res.json.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(res.json.paths["/tweets"].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      "cursor",
      "limit",
    ]);
    const search = res.json.paths["/tweets/search"].get.parameters;
    expect(search.find((p: { name: string }) => p.name === "q")).toMatchObject({ required: true, in: "query" });
    // The contract's objects, field by field.
    expect(Object.keys(res.json.components.schemas.User.properties).sort()).toEqual(
      [
        "id",
        "username",
        "created_at",
        "followers_count",
        "following_count",
        "tweet_count",
        "following",
        "followed_by",
        "blocking",
        "muting",
      ].sort(),
    );
    expect(Object.keys(res.json.components.schemas.Tweet.properties).sort()).toEqual(
      [
        "id",
        "content",
        "created_at",
        "user_id",
        "username",
        "like_count",
        "in_reply_to_tweet_id",
        "conversation_id",
        "reply_count",
        "repost_count",
        "quote_count",
        "quoted_tweet_id",
        "quoted_tweet",
        "liked",
        "bookmarked",
        "reposted",
      ].sort(),
    );
    // The embedded quoted tweet is a Tweet one level deep: no quoted_tweet of its own.
    expect(Object.keys(res.json.components.schemas.QuotedTweet.properties)).not.toContain("quoted_tweet");
    expect(res.json.components.schemas.TimelineTweet.properties).toHaveProperty("reposted_by");
    expect(Object.keys(res.json.components.schemas.Notification.properties).sort()).toEqual(
      ["id", "type", "created_at", "actor", "tweet"].sort(),
    );
    expect(res.json.components.schemas.Notification.properties.type.enum.sort()).toEqual(
      ["like", "repost", "quote", "reply", "mention", "follow"].sort(),
    );
  });

  it("GET /docs is an HTML reference whose assets the Worker serves itself", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.text).toContain("/openapi.json");
    const scripts = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const src of scripts) {
      expect(src.startsWith("/")).toBe(true); // same origin: no CDN
      const asset = await fetch(`${baseUrl}${src}`);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expectProblem(await api("/docs/assets/package.json"), 404);
  });

  it("unknown routes are 404 problems", async () => {
    expectProblem(await api("/nope"), 404);
    expectProblem(await api("/users/1/nope"), 404);
    expectProblem(await api("/tweets/"), 404);
  });

  it("a known path with a wrong method is 405 with Allow", async () => {
    const cases: [string, string, string[]][] = [
      ["PUT", "/tweets", ["GET", "HEAD", "POST"]],
      ["POST", "/tweets/1", ["GET", "HEAD", "DELETE"]],
      ["DELETE", "/users", ["GET", "HEAD", "POST"]],
      ["POST", "/health", ["GET", "HEAD"]],
      ["GET", "/users/1/likes", ["POST"]],
      ["GET", "/auth/login", ["POST"]],
      ["PUT", "/users/1/following", ["GET", "HEAD", "POST"]],
      ["POST", "/users/1/timeline", ["GET", "HEAD"]],
      ["POST", "/tweets/1/context", ["GET", "HEAD"]],
    ];
    for (const [method, path, allowed] of cases) {
      const res = await api(path, { method });
      expectProblem(res, 405);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect((res.headers.get("allow") ?? "").split(/,\s*/).sort(), `${method} ${path}`).toEqual(allowed.sort());
    }
  });

  it("echoes X-Request-Id or generates one", async () => {
    const given = await api("/", { headers: { "X-Request-Id": "my-trace-123" } });
    expect(given.headers.get("x-request-id")).toBe("my-trace-123");
    const generated = await api("/");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const onError = await api("/users/0");
    expect(onError.headers.get("x-request-id")).toBeTruthy();
  });

  it("allows browser clients on any origin with a bearer token", async () => {
    const preflight = await fetch(`${baseUrl}/tweets`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://example.org",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    const allowHeaders = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["authorization", "content-type", "idempotency-key"]) expect(allowHeaders).toContain(h);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect(preflight.headers.get("x-request-id")).toBeTruthy();

    const res = await api("/tweets", { headers: { Origin: "https://example.org" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    for (const h of ["link", "location", "retry-after", "x-request-id"]) expect(exposed).toContain(h);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("HEAD works wherever GET does", async () => {
    const res = await fetch(`${baseUrl}/tweets`, { method: "HEAD" });
    expect(res.status).toBe(200);
  });
});
