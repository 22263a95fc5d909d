import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../src/index";
import { baseUrl, newUser } from "./helpers";

describe("the typed client (hono/client)", () => {
  it("calls the running Worker with typed routes", async () => {
    const client = hc<AppType>(baseUrl);
    const u = await newUser("typed");
    const headers = { Authorization: `Bearer ${u.token}` };

    const created = await client.tweets.$post({ json: { content: "typed hello" }, header: {} }, { headers });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const tweet = await created.json();
    expect(tweet.content).toBe("typed hello");

    const page = await client.users[":id"].tweets.$get({ param: { id: String(u.id) }, query: { limit: "5" } });
    expect(page.status).toBe(200);
    if (page.status !== 200) return;
    const tweets = await page.json();
    expect(tweets.map((t) => t.id)).toEqual([tweet.id]);

    const unread = await client.users[":id"].notifications.unread_count.$get(
      { param: { id: String(u.id) } },
      { headers },
    );
    expect(unread.status).toBe(200);
    if (unread.status !== 200) return;
    expect((await unread.json()).count).toBe(0);
    const notifications = await client.users[":id"].notifications.$get(
      { param: { id: String(u.id) }, query: { types: "like,follow" } },
      { headers },
    );
    expect(notifications.status).toBe(200);
    if (notifications.status !== 200) return;
    const list = await notifications.json();
    expect(list.map((n) => n.type)).toEqual([]);
  });
});
