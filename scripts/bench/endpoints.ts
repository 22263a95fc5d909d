import { seedUsername } from "../../seeds/seed";
import type { Fixtures } from "./fixtures";
import type { Endpoint } from "./runner";

const rand = (n: number) => 1 + Math.floor(Math.random() * n);
const q = (s: string) => encodeURIComponent(s);
/** A count as the scenario names show it (10,000). */
export const count = (n: number) => n.toLocaleString("en");

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
      name: `POST /users/{id}/reposts (reposter with ${count(f.followers10k)} followers)`,
      method: "POST",
      path: `/users/${f.author10k.id}/reposts`,
      token: f.author10k.token,
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
    // Notifications: a page and the unread count of the account everyone follows (a notification per
    // follower, like and reply) and of one with none (the same cost: #20's measure); a tweet that
    // mentions 10 users (10 notifications) against "POST /tweets (author with 0 followers)".
    ...(
      [
        [`${count(f.followers10k)}+`, f.author10k],
        ["0", f.author0],
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
        content: `bench mentions ${Array.from({ length: 10 }, (_, i) => `@${seedUsername(10 + i)}`).join(" ")}`,
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
