import { describe, expect, it } from "vitest";
import { api, expectProblem, follow, like, newTweet, newUser, reply } from "./helpers";

/** A cursor belongs to the list it came from: another list's cursor is 400 (contract, "Lists and pagination"). */
describe("cursors are tied to their list", () => {
  it("a cursor of GET /tweets pages no other list", async () => {
    const u = await newUser("cur");
    const v = await newUser("cur");
    const root = await newTweet(u);
    await reply(v, root.id);
    await reply(v, root.id);
    await like(u, root.id);
    await follow(v, u);
    const first = await api("/tweets?limit=1");
    const next = /[?&]cursor=([^&>]+)/.exec(first.headers.get("link") ?? "")?.[1];
    expect(next).toBeTruthy();
    expect((await api(`/tweets?limit=1&cursor=${next}`)).status).toBe(200);
    for (const path of [
      `/users/${u.id}/followers`,
      `/users/${v.id}/following`,
      `/users/${u.id}/liked_tweets`,
      `/tweets/${root.id}/liking_users`,
      `/tweets/${root.id}/replies`,
      `/users/${u.id}/tweets`,
      `/tweets/search?q=tweet`,
      `/users/${v.id}/timeline`,
    ]) {
      const res = await api(`${path}${path.includes("?") ? "&" : "?"}cursor=${next}`, { token: v.token });
      expectProblem(res, 400, /cursor/);
    }
  });

  it("a cursor of one user's list does not page another user's", async () => {
    const [a, b] = [await newUser("cur"), await newUser("cur")];
    await newTweet(a);
    await newTweet(a);
    await newTweet(b);
    const first = await api(`/users/${a.id}/tweets?limit=1`);
    const next = /[?&]cursor=([^&>]+)/.exec(first.headers.get("link") ?? "")?.[1];
    expect((await api(`/users/${a.id}/tweets?limit=1&cursor=${next}`)).status).toBe(200);
    expectProblem(await api(`/users/${b.id}/tweets?cursor=${next}`), 400, /cursor/);
  });
});
