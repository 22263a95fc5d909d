import { randomBytes } from "node:crypto";
import { withClient } from "./database";
import { type CountMismatches, countMismatches, notificationsWithoutAction } from "./invariants";

/**
 * A bounded mixed workload over the whole API — reads (lists, timelines, search, conversations),
 * tweets and replies, likes and unlikes, follows and unfollows, blocks and unblocks, sign-ups, logins, and accounts
 * deleting themselves while others act on them — that remembers what the API acknowledged, and the
 * SQL checks of the invariants afterwards. Used by `npm run soak` and by the fault tests.
 *
 * Each connection owns its users, so every (user, tweet) like is changed by one sequential client:
 * the last acknowledged like or unlike is the state the database must end in (unless the user or
 * the tweet is gone).
 */
export type LoadResult = {
  requests: number;
  statuses: Record<number, number>;
  /** 5xx answers that were not problem documents, and transport errors (no answer at all). */
  malformed: number;
  transportErrors: number;
  seconds: number;
  tweets: Set<number>;
  deletedTweets: Set<number>;
  /** Tweets whose DELETE got no clear answer (5xx, no answer): they may or may not exist. */
  uncertainTweets: Set<number>;
  /** Users whose account deletion was acknowledged (their tweets and likes are gone with them). */
  deletedUsers: Set<number>;
  /** Users whose deletion got no clear answer. */
  uncertainUsers: Set<number>;
  tweetAuthors: Map<number, number>;
  likes: Map<string, "liked" | "unliked" | "unknown">;
};

type User = { id: number; username: string; token: string };
const PASSWORD = "load test password";

export async function runMixedLoad(options: {
  baseUrl: string;
  seconds: number;
  connections: number;
  usersPerConnection?: number;
}): Promise<LoadResult> {
  const result: LoadResult = {
    requests: 0,
    statuses: {},
    malformed: 0,
    transportErrors: 0,
    seconds: options.seconds,
    tweets: new Set(),
    deletedTweets: new Set(),
    uncertainTweets: new Set(),
    deletedUsers: new Set(),
    uncertainUsers: new Set(),
    tweetAuthors: new Map(),
    likes: new Map(),
  };
  const pool: number[] = []; // tweets anyone may like or reply to
  const everyone: User[] = []; // users anyone may follow
  const deadline = Date.now() + options.seconds * 1000;
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

  async function call(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    result.requests++;
    try {
      const res = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers: {
          ...headers,
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body ? { "Content-Type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      result.statuses[res.status] = (result.statuses[res.status] ?? 0) + 1;
      if (res.status >= 500 && !(res.headers.get("content-type") ?? "").startsWith("application/problem+json"))
        result.malformed++;
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json };
    } catch {
      result.transportErrors++;
      return { status: 0, json: undefined };
    }
  }

  async function signup(): Promise<User | undefined> {
    const username = `load_${randomBytes(8).toString("hex")}`.slice(0, 30);
    const created = await call("POST", "/users", undefined, { username, password: PASSWORD });
    if (created.status !== 201) return undefined;
    const login = await call("POST", "/auth/login", undefined, { username, password: PASSWORD });
    if (login.status !== 200) return undefined;
    const user = { id: created.json.id, username, token: login.json.access_token };
    everyone.push(user);
    return user;
  }

  async function tweet(u: User, body: Record<string, unknown>, headers?: Record<string, string>) {
    const t = await call("POST", "/tweets", u.token, body, headers);
    if (t.status === 201) {
      result.tweets.add(t.json.id);
      result.tweetAuthors.set(t.json.id, u.id);
      pool.push(t.json.id);
    }
    return t;
  }

  async function connection() {
    const users: User[] = [];
    while (users.length < (options.usersPerConnection ?? 3) && Date.now() < deadline) {
      const u = await signup();
      if (u) users.push(u);
    }
    while (Date.now() < deadline && users.length > 0) {
      const u = pick(users) as User;
      const r = Math.random();
      const tweetId = pool.length ? pick(pool) : undefined;
      const other = pick(everyone);
      if (r < 0.3 || tweetId === undefined) {
        const which = Math.random();
        if (which < 0.2) await call("GET", "/tweets?limit=20", Math.random() < 0.5 ? u.token : undefined);
        else if (which < 0.3 && tweetId) await call("GET", `/tweets/${tweetId}`, u.token);
        else if (which < 0.4) await call("GET", `/users/${u.id}/tweets`);
        else if (which < 0.5) await call("GET", `/users/${u.id}/liked_tweets`, u.token);
        else if (which < 0.65) await call("GET", `/users/${u.id}/timeline`, u.token);
        else if (which < 0.75)
          await call(
            "GET",
            `/tweets/search?q=${encodeURIComponent(pick(["load", "tweet OR reply", '"load tweet"', "-reply load"]) ?? "load")}`,
          );
        else if (which < 0.85 && tweetId) await call("GET", `/tweets/${tweetId}/context`, u.token);
        else if (which < 0.88 && tweetId) await call("GET", `/tweets/${tweetId}/replies`);
        else if (which < 0.9 && tweetId) await call("GET", `/tweets/${tweetId}/quotes`, u.token);
        else if (which < 0.92 && tweetId) await call("GET", `/tweets/${tweetId}/reposted_by`);
        else if (which < 0.96) await call("GET", `/users/${u.id}/notifications`, u.token);
        else await call("GET", `/users/${other?.id ?? u.id}/followers`, u.token);
        if (tweetId === undefined) await tweet(u, { content: `load tweet ${Math.random()}` });
      } else if (r < 0.45) {
        const key = Math.random() < 0.3 ? { "Idempotency-Key": randomBytes(6).toString("hex") } : undefined;
        const replyTo = Math.random() < 0.3 ? { in_reply_to_tweet_id: tweetId } : {};
        // A quote, sometimes also a reply (the account-deletion race of both counts at once).
        const quoting = Math.random() < 0.25 ? { quoted_tweet_id: pick(pool) } : {};
        await tweet(
          u,
          {
            // Some mention another user (a mention notification; a reply's author gets a reply one).
            content: `load ${replyTo.in_reply_to_tweet_id ? "reply" : "tweet"} ${Math.random()}${other && Math.random() < 0.3 ? ` @${other.username}` : ""}`,
            ...replyTo,
            ...quoting,
          },
          key,
        );
      } else if (r < 0.5) {
        await call("POST", `/users/${u.id}/reposts`, u.token, { tweet_id: tweetId });
      } else if (r < 0.53) {
        await call("DELETE", `/users/${u.id}/reposts/${tweetId}`, u.token);
      } else if (r < 0.6) {
        const res = await call("POST", `/users/${u.id}/likes`, u.token, { tweet_id: tweetId });
        const key = `${u.id}:${tweetId}`;
        if (res.status === 201 || res.status === 200) result.likes.set(key, "liked");
        else if (res.status !== 404 && res.status !== 429) result.likes.set(key, "unknown");
      } else if (r < 0.7) {
        const res = await call("DELETE", `/users/${u.id}/likes/${tweetId}`, u.token);
        const key = `${u.id}:${tweetId}`;
        if (res.status === 204) result.likes.set(key, "unliked");
        else if (res.status !== 404 && res.status !== 429) result.likes.set(key, "unknown");
      } else if (r < 0.77 && other && other.id !== u.id) {
        await call("POST", `/users/${u.id}/following`, u.token, { target_user_id: other.id });
      } else if (r < 0.8 && other && other.id !== u.id) {
        // Blocks come and go while everyone follows, likes and replies: no follow may cross one (invariants.ts).
        if (Math.random() < 0.5) await call("POST", `/users/${u.id}/blocking`, u.token, { target_user_id: other.id });
        else await call("DELETE", `/users/${u.id}/blocking/${other.id}`, u.token);
      } else if (r < 0.86 && other && other.id !== u.id) {
        await call("DELETE", `/users/${u.id}/following/${other.id}`, u.token);
      } else if (r < 0.9) {
        const t = await tweet(u, { content: "to be deleted" });
        if (t.status === 201) {
          const d = await call("DELETE", `/tweets/${t.json.id}`, u.token);
          if (d.status === 204) result.deletedTweets.add(t.json.id);
          else if (d.status >= 500 || d.status === 0) result.uncertainTweets.add(t.json.id);
        }
      } else if (r < 0.92) {
        // An account deletes itself while everyone else keeps liking, following and replying to it.
        const d = await call("DELETE", `/users/${u.id}`, u.token);
        if (d.status === 204) result.deletedUsers.add(u.id);
        else if (d.status >= 500 || d.status === 0) result.uncertainUsers.add(u.id);
        users.splice(users.indexOf(u), 1);
        everyone.splice(everyone.indexOf(u), 1);
        const fresh = await signup();
        if (fresh) users.push(fresh);
      } else {
        const fresh = await signup();
        if (fresh) users.push(fresh);
      }
    }
  }

  const started = Date.now();
  await Promise.all(Array.from({ length: options.connections }, () => connection()));
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

export type Invariants = {
  counts: CountMismatches;
  orphanLikes: number;
  orphanTweets: number;
  orphanFollows: number;
  lostTweets: number;
  likeStateMismatches: number;
  checkedLikes: number;
  /** Notifications that outlive the action they report (notificationsWithoutAction). */
  orphanNotifications: number;
};

/** The invariants, checked with SQL on the database itself. */
export async function checkInvariants(databaseUrl: string, load?: LoadResult): Promise<Invariants> {
  return withClient(databaseUrl, async (c) => {
    const one = async (q: string, params: unknown[] = []) => Number((await c.query(q, params)).rows[0]?.n ?? 0);
    const counts = await countMismatches(c);
    const orphanLikes = await one(
      `SELECT count(*) AS n FROM likes l
       WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = l.user_id)
          OR NOT EXISTS (SELECT 1 FROM tweets t WHERE t.id = l.tweet_id)`,
    );
    const orphanTweets = await one(
      "SELECT count(*) AS n FROM tweets t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id)",
    );
    const orphanFollows = await one(
      `SELECT count(*) AS n FROM follows f
       WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = f.follower_id)
          OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = f.followee_id)`,
    );
    let lostTweets = 0;
    let likeStateMismatches = 0;
    let checkedLikes = 0;
    if (load) {
      const gone = (userId: number | undefined) =>
        userId !== undefined && (load.deletedUsers.has(userId) || load.uncertainUsers.has(userId));
      const expected = [...load.tweets].filter(
        (id) => !load.deletedTweets.has(id) && !load.uncertainTweets.has(id) && !gone(load.tweetAuthors.get(id)),
      );
      const found = await one("SELECT count(*) AS n FROM tweets WHERE id = ANY($1::int[])", [expected]);
      lostTweets = expected.length - found;
      const known = [...load.likes].filter(([k, state]) => state !== "unknown" && !gone(Number(k.split(":")[0])));
      checkedLikes = known.length;
      if (known.length) {
        const users = known.map(([k]) => Number(k.split(":")[0]));
        const tweets = known.map(([k]) => Number(k.split(":")[1]));
        const liked = known.map(([, s]) => s === "liked");
        // A like disappears with its tweet or its user; otherwise it is as last acknowledged.
        likeStateMismatches = await one(
          `SELECT count(*) AS n FROM unnest($1::int[], $2::int[], $3::bool[]) AS e(user_id, tweet_id, liked)
           WHERE e.liked <> EXISTS (SELECT 1 FROM likes l WHERE l.user_id = e.user_id AND l.tweet_id = e.tweet_id)
             AND EXISTS (SELECT 1 FROM tweets t WHERE t.id = e.tweet_id)
             AND EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)`,
          [users, tweets, liked],
        );
      }
    }
    const orphanNotifications = await notificationsWithoutAction(c);
    return {
      counts,
      orphanLikes,
      orphanTweets,
      orphanFollows,
      lostTweets,
      likeStateMismatches,
      checkedLikes,
      orphanNotifications,
    };
  });
}

/** Every invariant holds: no count off, nothing orphaned, nothing acknowledged lost. */
export const invariantsHold = (i: Invariants) =>
  Object.values(i.counts).every((n) => n === 0) &&
  i.orphanLikes + i.orphanTweets + i.orphanFollows + i.lostTweets + i.likeStateMismatches + i.orphanNotifications === 0;
