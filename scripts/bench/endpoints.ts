import { seedUsername } from "../../seeds/seed";
import type { Fixtures } from "./fixtures";
import type { Endpoint } from "./runner";

/**
 * A feature ratio (#19, #20, #21): scenario A against scenario B, with its goal (A / B at most).
 * `rows`: both are rows of the endpoint table, whose p50s at one client are compared; `fanout`:
 * writes that fan out, timed as posting is (each alone, after the previous fan-out has drained,
 * right after its B: see `fanout` in scripts/bench.ts); otherwise the two are timed interleaved,
 * request by request, after the endpoint table.
 */
export type FeaturePair = {
  issue: string;
  measure: string;
  /** A / B at most; none where the issue asks for the difference (the added cost, in ms). */
  goal?: number;
  a: Endpoint;
  b: Endpoint;
  source?: "rows" | "fanout";
};

/** Ten seeded users, mentioned (and so notified) by one tweet. */
const tenMentions = Array.from({ length: 10 }, (_, i) => `@${seedUsername(10 + i)}`).join(" ");
const rand = (n: number) => 1 + Math.floor(Math.random() * n);
const q = (s: string) => encodeURIComponent(s);
/** A count as the scenario names show it (10,000). */
export const count = (n: number) => n.toLocaleString("en");

/**
 * The feature ratios of #19 (reposts and quotes), #20 (notifications, mentions) and #21 (blocks,
 * bookmarks). Where the endpoint table has both scenarios already, its rows are used.
 */
export function featurePairs(f: Fixtures): FeaturePair[] {
  const x = f.features;
  const get = (name: string, path: string, token?: string): Endpoint => ({
    group: "features",
    name,
    method: "GET",
    path,
    ...(token ? { token } : {}),
  });
  const row = (name: string): Endpoint => ({ group: "features", name, method: "GET", path: "/" });
  const post = (name: string, content: string): Endpoint => ({
    group: "features",
    name,
    method: "POST",
    path: "/tweets",
    token: f.author0.token,
    body: () => ({ content: `${content} ${Math.random()}` }),
  });
  const nb = count(x.blocker.n);
  /** One write per request, each new: the next id of `ids` every time (more requests than ids would repeat writes). */
  const each = (ids: number[]) => {
    let i = 0;
    return () => ids[i++ % ids.length] as number;
  };
  const { actor, follow, like } = x.notifying;
  const write = (name: string, path: string, field: string, ids: number[]): Endpoint => {
    const next = each(ids);
    return { group: "features", name, method: "POST", path, token: actor.token, body: () => ({ [field]: next() }) };
  };
  return [
    {
      issue: "#19",
      measure: "timeline page",
      goal: 1.5,
      source: "rows",
      a: row(`GET /users/{id}/timeline (following ${count(f.following.many)})`),
      b: row(`GET /users/{id}/timeline (following ${count(f.following.few)})`),
    },
    {
      issue: "#19",
      measure: "POST /users/{id}/reposts",
      goal: 1.5,
      source: "fanout",
      a: row(`reposter with ${count(f.followers10k)} followers`),
      b: row("reposter with 0 followers"),
    },
    {
      issue: "#19",
      measure: "a page of tweets (GET /users/{id}/tweets)",
      goal: 1.2,
      a: get("every tweet quotes another", `/users/${x.quoter.id}/tweets`),
      b: get("no quotes", `/users/${x.unquoted.id}/tweets`),
    },
    ...(["notifications", "notifications/unread_count"] as const).map((list) => ({
      issue: "#20",
      measure: `GET /users/{id}/${list}`,
      goal: 1.2,
      a: get(`${count(x.notifiedMany.n)} notifications`, `/users/${x.notifiedMany.id}/${list}`, x.notifiedMany.token),
      b: get(`${count(x.notifiedFew.n)} notifications`, `/users/${x.notifiedFew.id}/${list}`, x.notifiedFew.token),
    })),
    // The added cost of a notification: the same statement, writing one or (the recipient mutes the
    // actor) none.
    {
      issue: "#20",
      measure: "POST /users/{id}/likes",
      a: write("notifies the author", `/users/${actor.id}/likes`, "tweet_id", like.notified),
      b: write("notifies no one (the author mutes the liker)", `/users/${actor.id}/likes`, "tweet_id", like.muting),
    },
    {
      issue: "#20",
      measure: "POST /users/{id}/following",
      a: write("notifies the followed user", `/users/${actor.id}/following`, "target_user_id", follow.notified),
      b: write(
        "notifies no one (the followed user mutes the follower)",
        `/users/${actor.id}/following`,
        "target_user_id",
        follow.muting,
      ),
    },
    {
      issue: "#20",
      measure: "POST /tweets",
      goal: 1.3,
      a: post("10 mentions", `bench mentions ${tenMentions}`),
      b: post("no mentions", "bench no mentions"),
    },
    ...(
      [
        ["GET /tweets", "/tweets", `/tweets`],
        ["GET /tweets/search (a word in 1 of 10)", "/tweets/search?q=thinking", "/tweets/search?q=thinking"],
        ["timeline page", `/users/${x.blocker.id}/timeline`, `/users/${f.following500.id}/timeline`],
      ] as const
    ).map(([measure, blocking, none]) => ({
      issue: "#21",
      measure,
      goal: 1.2,
      a: get(`caller blocks ${nb}, blocked by ${nb}`, blocking, x.blocker.token),
      b: get("caller blocks none", none, f.following500.token),
    })),
    {
      issue: "#21",
      measure: "GET /users/{id}/bookmarks",
      goal: 1.2,
      a: get(`${count(x.bookmarksMany.n)} bookmarks`, `/users/${x.bookmarksMany.id}/bookmarks`, x.bookmarksMany.token),
      b: get(`${count(x.bookmarksFew.n)} bookmarks`, `/users/${x.bookmarksFew.id}/bookmarks`, x.bookmarksFew.token),
    },
  ];
}

/**
 * The endpoint table: every endpoint of the API, each at one client and at ten. The first row
 * touches no database (the runtime's own ceiling); login is CPU-bound (PBKDF2) and run less.
 */
export function endpoints(f: Fixtures, timelineDeep: Record<"t10" | "t500" | "t5000", string>): Endpoint[] {
  const { users, tweets } = f;
  const few = { c1: 30, c10: 100 };
  return [
    { group: "service", name: "GET / (no database)", method: "GET", path: "/" },
    { group: "service", name: "GET /health", method: "GET", path: "/health" },
    { group: "users", name: "GET /users", method: "GET", path: "/users?limit=20" },
    { group: "users", name: "GET /users/{id}", method: "GET", path: () => `/users/${rand(users)}` },
    {
      group: "users",
      name: "GET /users/{id} (with token)",
      method: "GET",
      path: () => `/users/${rand(users)}`,
      token: f.following10.token,
    },
    {
      group: "users",
      name: "GET /users/by/username/{username}",
      method: "GET",
      path: `/users/by/username/${f.fromUsername.toUpperCase()}`,
    },
    { group: "tweets", name: "GET /tweets", method: "GET", path: "/tweets" },
    {
      group: "tweets",
      name: "GET /tweets (with token: liked)",
      method: "GET",
      path: "/tweets",
      token: f.author0.token,
    },
    { group: "tweets", name: "GET /tweets (deep page)", method: "GET", path: `/tweets?cursor=${f.deep.tweets}` },
    { group: "tweets", name: "GET /tweets/{id}", method: "GET", path: () => `/tweets/${rand(tweets)}` },
    { group: "tweets", name: "GET /users/{id}/tweets", method: "GET", path: () => `/users/${rand(users)}/tweets` },
    {
      group: "tweets",
      name: "POST /tweets (author with 0 followers)",
      method: "POST",
      path: "/tweets",
      token: f.author0.token,
      body: () => ({ content: `bench tweet ${Math.random()}` }),
    },
    {
      group: "tweets",
      name: "POST /tweets (a reply)",
      method: "POST",
      path: "/tweets",
      token: f.author0.token,
      body: () => ({ content: `bench reply ${Math.random()}`, in_reply_to_tweet_id: rand(tweets) }),
    },
    {
      group: "likes",
      name: "GET /users/{id}/liked_tweets",
      method: "GET",
      path: () => `/users/${rand(users)}/liked_tweets`,
    },
    {
      group: "likes",
      name: "GET /tweets/{id}/liking_users",
      method: "GET",
      path: () => `/tweets/${rand(tweets)}/liking_users`,
    },
    {
      group: "likes",
      name: "POST /users/{id}/likes",
      method: "POST",
      path: `/users/${f.author0.id}/likes`,
      token: f.author0.token,
      body: () => ({ tweet_id: rand(tweets) }),
    },
    {
      group: "likes",
      name: "DELETE /users/{id}/likes/{tweet_id}",
      method: "DELETE",
      path: () => `/users/${f.author0.id}/likes/${rand(tweets)}`,
      token: f.author0.token,
    },
    {
      group: "reposts",
      name: "POST /users/{id}/reposts (reposter with 0 followers)",
      method: "POST",
      path: `/users/${f.author0.id}/reposts`,
      token: f.author0.token,
      body: () => ({ tweet_id: rand(tweets) }),
    },
    {
      group: "reposts",
      name: "DELETE /users/{id}/reposts/{tweet_id}",
      method: "DELETE",
      path: () => `/users/${f.author0.id}/reposts/${rand(tweets)}`,
      token: f.author0.token,
    },
    {
      group: "reposts",
      name: "GET /tweets/{id}/reposted_by",
      method: "GET",
      path: () => `/tweets/${rand(tweets)}/reposted_by`,
    },
    {
      group: "quotes",
      name: "POST /tweets (a quote)",
      method: "POST",
      path: "/tweets",
      token: f.author0.token,
      body: () => ({ content: `bench quote ${Math.random()}`, quoted_tweet_id: rand(tweets) }),
    },
    {
      group: "quotes",
      name: "GET /tweets/{id}/quotes",
      method: "GET",
      path: () => `/tweets/${rand(tweets)}/quotes`,
    },
    {
      group: "follows",
      name: `GET /users/{id}/followers (${count(f.followers10k)})`,
      method: "GET",
      path: `/users/${f.author10k.id}/followers`,
    },
    {
      group: "follows",
      name: "GET /users/{id}/followers (deep page)",
      method: "GET",
      path: `/users/${f.author10k.id}/followers?cursor=${f.deep.followers}`,
    },
    {
      group: "follows",
      name: `GET /users/{id}/following (${count(f.following.many)})`,
      method: "GET",
      path: `/users/${f.following5000.id}/following`,
    },
    {
      group: "follows",
      name: "GET /users/{id}/following (deep page)",
      method: "GET",
      path: `/users/${f.following5000.id}/following?cursor=${f.deep.following}`,
    },
    {
      group: "follows",
      name: "POST /users/{id}/following",
      method: "POST",
      path: `/users/${f.author0.id}/following`,
      token: f.author0.token,
      body: () => ({ target_user_id: 3 + rand(users - 3) }),
    },
    {
      group: "follows",
      name: "DELETE /users/{id}/following/{id}",
      method: "DELETE",
      path: () => `/users/${f.author0.id}/following/${3 + rand(users - 3)}`,
      token: f.author0.token,
    },
    ...(
      [
        [count(f.following.few), f.following10, timelineDeep.t10],
        [count(f.following.some), f.following500, timelineDeep.t500],
        [count(f.following.many), f.following5000, timelineDeep.t5000],
      ] as const
    ).flatMap(([n, user, cursor]) => [
      {
        group: "timeline",
        name: `GET /users/{id}/timeline (following ${n})`,
        method: "GET" as const,
        path: `/users/${user.id}/timeline`,
        token: user.token,
      },
      {
        group: "timeline",
        name: `GET /users/{id}/timeline (following ${n}, deep page)`,
        method: "GET" as const,
        path: `/users/${user.id}/timeline?cursor=${cursor}`,
        token: user.token,
      },
    ]),
    {
      group: "conversations",
      name: "GET /tweets/{id}/replies",
      method: "GET",
      path: `/tweets/${f.thread.hub}/replies`,
    },
    {
      group: "conversations",
      name: "GET /tweets/{id}/replies (deep page)",
      method: "GET",
      path: `/tweets/${f.thread.hub}/replies?cursor=${f.deep.replies}`,
    },
    {
      group: "conversations",
      name: "GET /tweets/{id}/context (200 descendants)",
      method: "GET",
      path: `/tweets/${f.thread.root}/context`,
    },
    {
      group: "conversations",
      name: "GET /tweets/{id}/context (100 ancestors)",
      method: "GET",
      path: `/tweets/${f.thread.deepLeaf}/context`,
    },
    ...(
      [
        ["a word in 1 of 10", "thinking", f.deep.search],
        ["a word in 1 of 10,000", f.rareWord, f.deep.rare],
        ["a phrase", '"new keyboard"', f.deep.search],
        ["a hashtag", "#jazz", f.deep.search],
        ["from:", `from:${f.fromUsername}`, f.deep.fromUser],
      ] as const
    ).flatMap(([name, query, cursor]) => [
      {
        group: "search",
        name: `GET /tweets/search (${name})`,
        method: "GET" as const,
        path: `/tweets/search?q=${q(query)}`,
      },
      {
        group: "search",
        name: `GET /tweets/search (${name}, deep page)`,
        method: "GET" as const,
        path: `/tweets/search?q=${q(query)}&cursor=${cursor}`,
      },
    ]),
    // Notifications: a page and the unread count of a user with a notification per seeded tweet and of
    // one with 1,000 (the same cost: #20's measure, timed interleaved in the feature ratios); a tweet
    // that mentions 10 users (10 notifications) against "POST /tweets (author with 0 followers)".
    ...(
      [
        [count(f.features.notifiedMany.n), f.features.notifiedMany],
        [count(f.features.notifiedFew.n), f.features.notifiedFew],
      ] as const
    ).flatMap(([n, user]) => [
      {
        group: "notifications",
        name: `GET /users/{id}/notifications (${n} notifications)`,
        method: "GET" as const,
        path: `/users/${user.id}/notifications`,
        token: user.token,
      },
      {
        group: "notifications",
        name: `GET /users/{id}/notifications/unread_count (${n} notifications)`,
        method: "GET" as const,
        path: `/users/${user.id}/notifications/unread_count`,
        token: user.token,
      },
    ]),
    {
      group: "notifications",
      name: "POST /tweets (10 mentions)",
      method: "POST",
      path: "/tweets",
      token: f.author0.token,
      body: () => ({
        content: `bench mentions ${tenMentions}`,
      }),
    },
    {
      group: "auth",
      name: "POST /auth/login (PBKDF2 100k)",
      method: "POST",
      path: "/auth/login",
      body: () => ({ username: f.author0.username, password: "bench password" }),
      amount: few,
    },
  ];
}
