import { sql } from "drizzle-orm";
import {
  check,
  customType,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { IDEMPOTENCY_KEY_PATTERN, MAX_TWEET_LENGTH, USERNAME_PATTERN } from "../lib/limits";

/**
 * The schema is the single source of truth for the database: drizzle-kit generates the
 * migrations in `drizzle/` from it, and `drizzle-kit push` applies it directly. Nothing the API
 * relies on lives outside it (no triggers, no functions), so a pushed database works as fully as
 * a migrated one.
 *
 * The database enforces every invariant it can: limits as CHECK constraints, ownership as
 * foreign keys with ON DELETE CASCADE, uniqueness as unique indexes. Counts (`*_count`) are kept
 * exact by the statements that change the rows they count (README, "Exact counts"). Timestamps
 * have millisecond precision so that a JavaScript Date (and so a pagination cursor) round-trips
 * them exactly. Every list order has an index declared in that
 * order (DESC NULLS FIRST is what a plain `ORDER BY … DESC` means).
 */
const createdAt = () =>
  timestamp("created_at", { withTimezone: true, precision: 3, mode: "date" }).notNull().defaultNow();
const count = (name: string) => integer(name).notNull().default(0);
/** A regular expression from src/lib/limits.ts as a SQL literal (the patterns contain no quote). */
const pattern = (source: string) => sql.raw(`'${source}'`);

export const users = pgTable(
  "users",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    username: varchar("username", { length: 30 }).notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Bumped on every password change: tokens carry it, so older tokens stop working. */
    tokenVersion: integer("token_version").notNull().default(0),
    createdAt: createdAt(),
    /** Rows in `follows` with this user as followee / as follower; rows in `tweets` by this user. */
    followersCount: count("followers_count"),
    followingCount: count("following_count"),
    tweetCount: count("tweet_count"),
  },
  (t) => [
    uniqueIndex("users_username_lower_key").on(sql`lower(${t.username})`),
    check("users_username_format", sql`${t.username} ~ ${pattern(USERNAME_PATTERN)}`),
    check("users_token_version_nonnegative", sql`${t.tokenVersion} >= 0`),
    check(
      "users_counts_nonnegative",
      sql`${t.followersCount} >= 0 AND ${t.followingCount} >= 0 AND ${t.tweetCount} >= 0`,
    ),
  ],
);

/** Postgres' full-text document type. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const tweets = pgTable(
  "tweets",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    content: text("content").notNull(),
    /** Exactly the number of rows in `likes` for this tweet. */
    likeCount: count("like_count"),
    /** The client's Idempotency-Key of the POST that created the tweet, unique per author. */
    idempotencyKey: varchar("idempotency_key", { length: 64 }),
    /**
     * With an idempotency key: SHA-256 (hex) of the request that created the tweet, so that the key
     * reused with another request is told apart from a retry (422). NULL for tweets posted before.
     */
    requestHash: varchar("request_hash", { length: 64 }),
    createdAt: createdAt(),
    /**
     * The tweet this one replies to. Deliberately no foreign key: a deleted tweet's replies stay,
     * with this id unchanged (the contract), and `context` stops at the gap.
     */
    inReplyToTweetId: integer("in_reply_to_tweet_id"),
    /** The conversation's first tweet; NULL when this tweet is the first (its own id). Never rewritten. */
    conversationId: integer("conversation_id"),
    /** Exactly the number of tweets whose in_reply_to_tweet_id is this tweet. */
    replyCount: count("reply_count"),
    /**
     * The tweet this one quotes. No foreign key, as for in_reply_to_tweet_id: a quote of a deleted
     * tweet stays, with this id unchanged (and `quoted_tweet: null`).
     */
    quotedTweetId: integer("quoted_tweet_id"),
    /** Exactly the number of rows in `reposts` for this tweet. */
    repostCount: count("repost_count"),
    /** Exactly the number of existing tweets whose quoted_tweet_id is this tweet. */
    quoteCount: count("quote_count"),
    /**
     * The search document, STORED (Postgres 18 makes generated columns virtual by default, and
     * a virtual column cannot be indexed): each hashtag as one lexeme `#tag` (lower case), built
     * without a text-search parser, which would split `#a_b` into `a` and `b` (so `#a` found it),
     * then the English-stemmed words of the content. No English lexeme starts with `#`.
     */
    search: tsvector("search")
      .notNull()
      .generatedAlwaysAs(
        (): ReturnType<typeof sql> =>
          sql`array_to_tsvector(array_remove(string_to_array(lower(regexp_replace(regexp_replace(${tweets.content}, '(?<!\\w)#(\\w+)|.', ' \\1 ', 'g'), '(\\S+)', '#\\1', 'g')), ' '), '')) || to_tsvector('english'::regconfig, ${tweets.content})`,
      ),
  },
  (t) => [
    // GET /tweets: newest first, keyset on (created_at, id).
    index("tweets_created_at_id_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // GET /users/{id}/tweets and the timeline's read-time merges: one author's tweets newest first.
    index("tweets_user_id_created_at_id_idx").on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // GET /tweets/{id}/replies and context's descendants: a tweet's replies oldest first.
    index("tweets_in_reply_to_created_at_id_idx")
      .on(t.inReplyToTweetId, t.createdAt, t.id)
      .where(sql`${t.inReplyToTweetId} IS NOT NULL`),
    // GET /tweets/{id}/quotes: the tweets quoting one, newest first.
    index("tweets_quoted_tweet_id_created_at_id_idx")
      .on(t.quotedTweetId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.quotedTweetId} IS NOT NULL`),
    // GET /tweets/search: the words and hashtags.
    index("tweets_search_idx").using("gin", t.search),
    uniqueIndex("tweets_user_id_idempotency_key_key").on(t.userId, t.idempotencyKey),
    check(
      "tweets_content_length",
      sql`char_length(${t.content}) <= ${sql.raw(String(MAX_TWEET_LENGTH))} AND char_length(btrim(${t.content}, E' \\t\\n\\r')) > 0`,
    ),
    check("tweets_like_count_nonnegative", sql`${t.likeCount} >= 0`),
    check("tweets_reply_count_nonnegative", sql`${t.replyCount} >= 0`),
    check("tweets_repost_quote_counts_nonnegative", sql`${t.repostCount} >= 0 AND ${t.quoteCount} >= 0`),
    check(
      "tweets_idempotency_key_format",
      sql`${t.idempotencyKey} IS NULL OR ${t.idempotencyKey} ~ ${pattern(IDEMPOTENCY_KEY_PATTERN)}`,
    ),
  ],
);

/**
 * A user's mark on a tweet, at most one per pair, keeping its first time: likes, reposts and
 * bookmarks have this one shape. Each is listed by its user, most recent first (liked tweets, a
 * user's reposts, bookmarks); likes and reposts also by their tweet (liking users, reposted by).
 */
const userTweetMark = (name: "likes" | "reposts" | "bookmarks", listedByTweet: boolean) =>
  pgTable(
    name,
    {
      userId: integer("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      tweetId: integer("tweet_id")
        .notNull()
        .references(() => tweets.id, { onDelete: "cascade" }),
      createdAt: createdAt(),
    },
    (t) => [
      primaryKey({ columns: [t.userId, t.tweetId], name: `${name}_pkey` }),
      index(`${name}_user_id_created_at_tweet_id_idx`).on(
        t.userId,
        t.createdAt.desc().nullsFirst(),
        t.tweetId.desc().nullsFirst(),
      ),
      ...(listedByTweet
        ? [
            index(`${name}_tweet_id_created_at_user_id_idx`).on(
              t.tweetId,
              t.createdAt.desc().nullsFirst(),
              t.userId.desc().nullsFirst(),
            ),
          ]
        : []),
    ],
  );
export const likes = userTweetMark("likes", true);
/** Reposts: also the timeline's read-time merge of one user's reposts, newest first. */
export const reposts = userTweetMark("reposts", true);
/** Private saves: only their owner sees them; a deleted tweet leaves them (cascade). */
export const bookmarks = userTweetMark("bookmarks", false);

export const follows = pgTable(
  "follows",
  {
    followerId: integer("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: integer("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId], name: "follows_pkey" }),
    // GET /users/{id}/followers (and the fan-out's walk over an author's followers): most recent first.
    index("follows_followee_id_created_at_follower_id_idx").on(
      t.followeeId,
      t.createdAt.desc().nullsFirst(),
      t.followerId.desc().nullsFirst(),
    ),
    // GET /users/{id}/following: most recent first.
    index("follows_follower_id_created_at_followee_id_idx").on(
      t.followerId,
      t.createdAt.desc().nullsFirst(),
      t.followeeId.desc().nullsFirst(),
    ),
    check("follows_not_self", sql`${t.followerId} <> ${t.followeeId}`),
  ],
);

/**
 * Each user's home timeline, filled off the request path by the fan-out consumer (a followee's new
 * tweet) and by a follow (the followee's newest tweets), trimmed to about TIMELINE_KEEP entries.
 * A cache of `tweets` × `follows`, not a source of truth: no foreign keys (a cascade would make
 * deleting a popular author's tweet cost one row per follower); reads join `tweets` and `follows`
 * and skip entries whose tweet is gone or whose author is no longer followed.
 * The primary key is also the read order: (user, newest first) is a backward scan of it.
 */
export const homeTimeline = pgTable(
  "home_timeline",
  {
    userId: integer("user_id").notNull(),
    /** The tweet's created_at, copied so that a page is one index range. */
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3, mode: "date" }).notNull(),
    tweetId: integer("tweet_id").notNull(),
    authorId: integer("author_id").notNull(),
    /** The user whose repost this entry is (created_at is then the repost's time); NULL for a post. */
    repostedBy: integer("reposted_by"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.createdAt, t.tweetId], name: "home_timeline_pkey" }),
    // A tweet appears once in a timeline, at its first entry: its entries in one timeline, oldest first.
    index("home_timeline_user_id_tweet_id_idx").on(t.userId, t.tweetId, t.createdAt),
  ],
);

/**
 * Accounts whose tweets are not fanned out: their followers' timelines merge them at read time
 * (Twitter's answer for accounts with very many followers). An account enters when its
 * followers_count exceeds FANOUT_MAX_FOLLOWERS and stays (no flapping, no rebuilds).
 */
export const celebrities = pgTable("celebrities", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
});

/**
 * Tweets whose fan-out has not finished: written by POST /tweets in its own statement, deleted by
 * the consumer when the last follower has the tweet. A scheduled sweep re-sends what is left, so a
 * lost queue message delays a fan-out but never loses it.
 */
export const fanoutOutbox = pgTable("fanout_outbox", {
  tweetId: integer("tweet_id")
    .primaryKey()
    .references(() => tweets.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
});

/**
 * Reposts whose fan-out has not finished: the same outbox for a repost, written by POST
 * /users/{id}/reposts in the repost's own statement and deleted by the consumer's last chunk. Its
 * key is the repost's, and a foreign key to it: an unrepost, the tweet's deletion or the
 * reposter's takes the row with the repost (cascade), so the sweep never re-sends a repost that
 * is gone. A table of its own rather than a `reposted_by` column in `fanout_outbox`, whose key is
 * the tweet alone (one fan-out per tweet) and whose foreign key is to `tweets`.
 */
export const repostFanoutOutbox = pgTable(
  "repost_fanout_outbox",
  {
    userId: integer("user_id").notNull(),
    tweetId: integer("tweet_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.tweetId], name: "repost_fanout_outbox_pkey" }),
    foreignKey({
      name: "repost_fanout_outbox_repost_fk",
      columns: [t.userId, t.tweetId],
      foreignColumns: [reposts.userId, reposts.tweetId],
    }).onDelete("cascade"),
  ],
);

/**
 * Blocks and mutes: one shape, two tables. "Either blocks the other" for a caller and an author is
 * two primary-key probes; the list of one's own is the (owner, newest first) index.
 */
const relation = (name: "blocks" | "mutes", owner: "blocker_id" | "muter_id", other: "blocked_id" | "muted_id") =>
  pgTable(
    name,
    {
      ownerId: integer(owner)
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      targetId: integer(other)
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      createdAt: createdAt(),
    },
    (t) => [
      primaryKey({ columns: [t.ownerId, t.targetId], name: `${name}_pkey` }),
      // GET /users/{id}/blocking or /muting: most recent first.
      index(`${name}_${owner}_created_at_${other}_idx`).on(
        t.ownerId,
        t.createdAt.desc().nullsFirst(),
        t.targetId.desc().nullsFirst(),
      ),
      // The cascade when the other user is deleted.
      index(`${name}_${other}_idx`).on(t.targetId),
      check(`${name}_not_self`, sql`${t.ownerId} <> ${t.targetId}`),
    ],
  );
export const blocks = relation("blocks", "blocker_id", "blocked_id");
export const mutes = relation("mutes", "muter_id", "muted_id");

export const NOTIFICATION_TYPES = ["like", "repost", "quote", "reply", "mention", "follow"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * What happened to a user's account or tweets, written in the same statement as the action and
 * removed in the statement that undoes it (or by the cascades when a tweet or an account goes).
 * `tweet_id`: the liked or reposted tweet, or the reply, quote or mentioning tweet; NULL for a follow.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    recipientId: integer("recipient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    actorId: integer("actor_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: varchar("type", { length: 16 }).$type<NotificationType>().notNull(),
    tweetId: integer("tweet_id").references(() => tweets.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    // An action repeated idempotently adds none (ON CONFLICT DO NOTHING); a follow's tweet is NULL.
    unique("notifications_recipient_actor_type_tweet_key")
      .on(t.recipientId, t.actorId, t.type, t.tweetId)
      .nullsNotDistinct(),
    // GET /users/{id}/notifications: newest first.
    index("notifications_recipient_id_created_at_id_idx").on(
      t.recipientId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // ?types=: one range per type.
    index("notifications_recipient_id_type_created_at_id_idx").on(
      t.recipientId,
      t.type,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // unread_count: the ids above the marker.
    index("notifications_recipient_id_id_idx").on(t.recipientId, t.id),
    index("notifications_actor_id_idx").on(t.actorId),
    index("notifications_tweet_id_idx").on(t.tweetId),
    check("notifications_type", sql`${t.type} IN (${sql.raw(NOTIFICATION_TYPES.map((x) => `'${x}'`).join(", "))})`),
  ],
);

/** Each user's read position in their notifications (PUT only moves it forward). */
export const notificationMarkers = pgTable("notification_markers", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  lastReadId: integer("last_read_id").notNull(),
});

/** The users a tweet mentions (the first 10 distinct existing ones), with the tweet's time for the list. */
export const mentions = pgTable(
  "mentions",
  {
    tweetId: integer("tweet_id")
      .notNull()
      .references(() => tweets.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The tweet's created_at, copied so that GET /users/{id}/mentions is one index range. */
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3, mode: "date" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tweetId, t.userId], name: "mentions_pkey" }),
    // GET /users/{id}/mentions: newest first.
    index("mentions_user_id_created_at_tweet_id_idx").on(
      t.userId,
      t.createdAt.desc().nullsFirst(),
      t.tweetId.desc().nullsFirst(),
    ),
  ],
);
