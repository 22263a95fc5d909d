/**
 * npm run insomnia: writes insomnia/twitter-api.json, an Insomnia v4 export of every endpoint
 * with example bodies, two environments (local `wrangler dev`, a deployed Worker) and the token
 * chained from the "Log in" response into every authenticated request.
 * test/insomnia.test.ts checks each request against /openapi.json, so the file cannot drift.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./stack/database";

type Req = {
  folder: string;
  name: string;
  method: string;
  path: string;
  body?: unknown;
  auth?: boolean;
  headers?: Record<string, string>;
};

const LOGIN_ID = "req_auth_login";
// Insomnia's response tag: the body of the last "Log in" response, JSONPath $.access_token (base64).
const TOKEN = `{% response 'body', '${LOGIN_ID}', 'b64::${Buffer.from("$.access_token").toString("base64")}::46b', 'when-expired', 3600 %}`;

const requests: Req[] = [
  { folder: "Service", name: "About", method: "GET", path: "/" },
  { folder: "Service", name: "Health", method: "GET", path: "/health" },
  { folder: "Service", name: "OpenAPI document", method: "GET", path: "/openapi.json" },
  { folder: "Service", name: "API reference (HTML)", method: "GET", path: "/docs" },
  {
    folder: "Auth",
    name: "Log in",
    method: "POST",
    path: "/auth/login",
    body: { username: "{{ _.username }}", password: "{{ _.password }}" },
  },
  {
    folder: "Users",
    name: "Sign up",
    method: "POST",
    path: "/users",
    body: { username: "new_user_1", password: "a long password" },
  },
  { folder: "Users", name: "List users", method: "GET", path: "/users?limit=20" },
  { folder: "Users", name: "Get user", method: "GET", path: "/users/{{ _.user_id }}" },
  { folder: "Users", name: "Get user by username", method: "GET", path: "/users/by/username/{{ _.username }}" },
  {
    folder: "Users",
    name: "Update user (PATCH)",
    method: "PATCH",
    path: "/users/{{ _.user_id }}",
    body: { username: "renamed_user" },
    auth: true,
  },
  {
    folder: "Users",
    name: "Replace user fields (PUT)",
    method: "PUT",
    path: "/users/{{ _.user_id }}",
    body: { password: "a new long password" },
    auth: true,
  },
  { folder: "Users", name: "Delete user", method: "DELETE", path: "/users/{{ _.user_id }}", auth: true },
  { folder: "Users", name: "User's tweets", method: "GET", path: "/users/{{ _.user_id }}/tweets?limit=20", auth: true },
  {
    folder: "Likes",
    name: "Liked tweets",
    method: "GET",
    path: "/users/{{ _.user_id }}/liked_tweets?limit=20",
    auth: true,
  },
  {
    folder: "Likes",
    name: "Like a tweet",
    method: "POST",
    path: "/users/{{ _.user_id }}/likes",
    body: { tweet_id: "{{ _.tweet_id }}" },
    auth: true,
  },
  {
    folder: "Likes",
    name: "Unlike a tweet",
    method: "DELETE",
    path: "/users/{{ _.user_id }}/likes/{{ _.tweet_id }}",
    auth: true,
  },
  { folder: "Likes", name: "Liking users", method: "GET", path: "/tweets/{{ _.tweet_id }}/liking_users?limit=20" },
  {
    folder: "Reposts",
    name: "Repost a tweet",
    method: "POST",
    path: "/users/{{ _.user_id }}/reposts",
    body: { tweet_id: "{{ _.tweet_id }}" },
    auth: true,
  },
  {
    folder: "Reposts",
    name: "Undo a repost",
    method: "DELETE",
    path: "/users/{{ _.user_id }}/reposts/{{ _.tweet_id }}",
    auth: true,
  },
  { folder: "Reposts", name: "Reposted by", method: "GET", path: "/tweets/{{ _.tweet_id }}/reposted_by?limit=20" },
  { folder: "Tweets", name: "List tweets", method: "GET", path: "/tweets?limit=20", auth: true },
  {
    folder: "Tweets",
    name: "Post a tweet",
    method: "POST",
    path: "/tweets",
    body: { content: "Hello from Insomnia" },
    auth: true,
    headers: { "Idempotency-Key": "{% uuid 'v4' %}" },
  },
  {
    folder: "Tweets",
    name: "Reply to a tweet",
    method: "POST",
    path: "/tweets",
    body: { content: "A reply from Insomnia", in_reply_to_tweet_id: "{{ _.tweet_id }}" },
    auth: true,
  },
  {
    folder: "Tweets",
    name: "Quote a tweet",
    method: "POST",
    path: "/tweets",
    body: { content: "A quote from Insomnia", quoted_tweet_id: "{{ _.tweet_id }}" },
    auth: true,
  },
  { folder: "Tweets", name: "Get tweet", method: "GET", path: "/tweets/{{ _.tweet_id }}", auth: true },
  {
    folder: "Tweets",
    name: "Quotes of a tweet",
    method: "GET",
    path: "/tweets/{{ _.tweet_id }}/quotes?limit=20",
    auth: true,
  },
  { folder: "Tweets", name: "Delete tweet", method: "DELETE", path: "/tweets/{{ _.tweet_id }}", auth: true },
  {
    folder: "Follows",
    name: "Follow a user",
    method: "POST",
    path: "/users/{{ _.user_id }}/following",
    body: { target_user_id: "{{ _.target_user_id }}" },
    auth: true,
  },
  {
    folder: "Follows",
    name: "Unfollow a user",
    method: "DELETE",
    path: "/users/{{ _.user_id }}/following/{{ _.target_user_id }}",
    auth: true,
  },
  {
    folder: "Follows",
    name: "Followers",
    method: "GET",
    path: "/users/{{ _.user_id }}/followers?limit=20",
    auth: true,
  },
  {
    folder: "Follows",
    name: "Following",
    method: "GET",
    path: "/users/{{ _.user_id }}/following?limit=20",
    auth: true,
  },
  {
    folder: "Timeline",
    name: "Home timeline",
    method: "GET",
    path: "/users/{{ _.user_id }}/timeline?limit=20",
    auth: true,
  },
  {
    folder: "Conversations",
    name: "Replies",
    method: "GET",
    path: "/tweets/{{ _.tweet_id }}/replies?limit=20",
    auth: true,
  },
  { folder: "Conversations", name: "Context", method: "GET", path: "/tweets/{{ _.tweet_id }}/context", auth: true },
  {
    folder: "Search",
    name: "Search tweets",
    method: "GET",
    path: "/tweets/search?q={{ _.search }}&limit=20",
    auth: true,
  },
  {
    folder: "Bookmarks",
    name: "Bookmark a tweet",
    method: "POST",
    path: "/users/{{ _.user_id }}/bookmarks",
    body: { tweet_id: "{{ _.tweet_id }}" },
    auth: true,
  },
  {
    folder: "Bookmarks",
    name: "Remove a bookmark",
    method: "DELETE",
    path: "/users/{{ _.user_id }}/bookmarks/{{ _.tweet_id }}",
    auth: true,
  },
  {
    folder: "Bookmarks",
    name: "Bookmarks",
    method: "GET",
    path: "/users/{{ _.user_id }}/bookmarks?limit=20",
    auth: true,
  },
  {
    folder: "Blocks and mutes",
    name: "Block a user",
    method: "POST",
    path: "/users/{{ _.user_id }}/blocking",
    body: { target_user_id: "{{ _.target_user_id }}" },
    auth: true,
  },
  {
    folder: "Blocks and mutes",
    name: "Unblock a user",
    method: "DELETE",
    path: "/users/{{ _.user_id }}/blocking/{{ _.target_user_id }}",
    auth: true,
  },
  {
    folder: "Blocks and mutes",
    name: "Blocked users",
    method: "GET",
    path: "/users/{{ _.user_id }}/blocking?limit=20",
    auth: true,
  },
  {
    folder: "Blocks and mutes",
    name: "Mute a user",
    method: "POST",
    path: "/users/{{ _.user_id }}/muting",
    body: { target_user_id: "{{ _.target_user_id }}" },
    auth: true,
  },
  {
    folder: "Blocks and mutes",
    name: "Unmute a user",
    method: "DELETE",
    path: "/users/{{ _.user_id }}/muting/{{ _.target_user_id }}",
    auth: true,
  },
  {
    folder: "Blocks and mutes",
    name: "Muted users",
    method: "GET",
    path: "/users/{{ _.user_id }}/muting?limit=20",
    auth: true,
  },
  {
    folder: "Notifications",
    name: "Your notifications",
    method: "GET",
    path: "/users/{{ _.user_id }}/notifications?limit=20",
    auth: true,
  },
  {
    folder: "Notifications",
    name: "Your notifications (likes and follows)",
    method: "GET",
    path: "/users/{{ _.user_id }}/notifications?types=like,follow&limit=20",
    auth: true,
  },
  {
    folder: "Notifications",
    name: "Unread count",
    method: "GET",
    path: "/users/{{ _.user_id }}/notifications/unread_count",
    auth: true,
  },
  {
    folder: "Notifications",
    name: "Read marker",
    method: "GET",
    path: "/users/{{ _.user_id }}/notifications/marker",
    auth: true,
  },
  {
    folder: "Notifications",
    name: "Move the read marker",
    method: "PUT",
    path: "/users/{{ _.user_id }}/notifications/marker",
    body: { last_read_id: 1 },
    auth: true,
  },
  { folder: "Notifications", name: "Mentions", method: "GET", path: "/users/{{ _.user_id }}/mentions?limit=20" },
];

const WORKSPACE = "wrk_twitter_api";
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
const folders = [...new Set(requests.map((r) => r.folder))];
const environment = (base: string) => ({
  base_url: base,
  username: "pineappledreamer",
  password: "twitter-demo-password",
  user_id: 1,
  tweet_id: 1,
  target_user_id: 2,
  search: "coffee -tea OR #serverless",
});

const resources = [
  {
    _id: WORKSPACE,
    _type: "workspace",
    parentId: null,
    name: "Twitter API",
    description:
      "Users, tweets, likes, reposts and quotes, follows, the home timeline, conversations, search, notifications and mentions, bookmarks, blocks and mutes.",
    scope: "collection",
  },
  { _id: "env_base", _type: "environment", parentId: WORKSPACE, name: "Base Environment", data: {} },
  {
    _id: "env_local",
    _type: "environment",
    parentId: "env_base",
    name: "Local (npm run dev)",
    data: environment("http://localhost:8787"),
  },
  {
    _id: "env_deployed",
    _type: "environment",
    parentId: "env_base",
    name: "Deployed Worker",
    data: environment("https://twitter-edge-api.YOUR-SUBDOMAIN.workers.dev"),
  },
  ...folders.map((f, i) => ({
    _id: `fld_${slug(f)}`,
    _type: "request_group",
    parentId: WORKSPACE,
    name: f,
    metaSortKey: i,
  })),
  ...requests.map((r, i) => ({
    _id: r.folder === "Auth" ? LOGIN_ID : `req_${slug(r.folder)}_${slug(r.name)}`,
    _type: "request",
    parentId: `fld_${slug(r.folder)}`,
    name: r.name,
    method: r.method,
    url: `{{ _.base_url }}${r.path}`,
    body: r.body
      ? {
          mimeType: "application/json",
          // Ids are JSON numbers: the template goes in unquoted.
          text: JSON.stringify(r.body, null, 2).replace(/"(\{\{ _\.\w+_id \}\})"/g, "$1"),
        }
      : {},
    headers: [
      ...(r.body ? [{ name: "Content-Type", value: "application/json" }] : []),
      ...Object.entries(r.headers ?? {}).map(([name, value]) => ({ name, value })),
    ],
    authentication: r.auth ? { type: "bearer", token: TOKEN, prefix: "Bearer" } : {},
    metaSortKey: i,
  })),
];

const file = join(ROOT, "insomnia", "twitter-api.json");
writeFileSync(
  file,
  `${JSON.stringify({ _type: "export", __export_format: 4, __export_date: "2026-11-26T00:00:00.000Z", __export_source: "twitter-edge-api", resources }, null, 2)}\n`,
);
console.log(`Wrote ${file} (${requests.length} requests)`);
