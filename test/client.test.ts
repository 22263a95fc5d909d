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

    const saved = await client.users[":id"].bookmarks.$post(
      { param: { id: String(u.id) }, json: { tweet_id: tweet.id } },
      { headers },
    );
    expect(saved.status).toBe(201);
    if (saved.status !== 201) return;
    expect((await saved.json()).bookmarked).toBe(true);
    const marks = await client.users[":id"].bookmarks.$get({ param: { id: String(u.id) }, query: {} }, { headers });
    if (marks.status !== 200) throw new Error(`bookmarks: ${marks.status}`);
    expect((await marks.json()).map((t) => t.id)).toEqual([tweet.id]);
    const reposted = await client.users[":id"].reposts.$post(
      { param: { id: String(u.id) }, json: { tweet_id: tweet.id } },
      { headers },
    );
    expect(reposted.status).toBe(201);
    if (reposted.status !== 201) return;
    expect((await reposted.json()).repost_count).toBe(1);
    const quoted = await client.tweets.$post(
      { json: { content: "typed quote", quoted_tweet_id: tweet.id }, header: {} },
      { headers },
    );
    if (quoted.status !== 201) throw new Error(`quote: ${quoted.status}`);
    expect((await quoted.json()).quoted_tweet?.id).toBe(tweet.id);
    const quotes = await client.tweets[":id"].quotes.$get({ param: { id: String(tweet.id) }, query: {} });
    if (quotes.status !== 200) throw new Error(`quotes: ${quotes.status}`);
    expect((await quotes.json()).map((t) => t.quoted_tweet_id)).toEqual([tweet.id]);
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
