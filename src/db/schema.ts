import { sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
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
 * exact by the statements that change the rows they count (see src/db/README in the project
 * README: "Exact counts"). Timestamps have millisecond precision so that a JavaScript Date (and so
 * a pagination cursor) round-trips them exactly. Every list order has an index declared in that
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
    // GET /tweets/search: the words and hashtags.
    index("tweets_search_idx").using("gin", t.search),
    uniqueIndex("tweets_user_id_idempotency_key_key").on(t.userId, t.idempotencyKey),
    check(
      "tweets_content_length",
      sql`char_length(${t.content}) <= ${sql.raw(String(MAX_TWEET_LENGTH))} AND char_length(btrim(${t.content}, E' \\t\\n\\r')) > 0`,
    ),
    check("tweets_like_count_nonnegative", sql`${t.likeCount} >= 0`),
    check("tweets_reply_count_nonnegative", sql`${t.replyCount} >= 0`),
    check(
      "tweets_idempotency_key_format",
      sql`${t.idempotencyKey} IS NULL OR ${t.idempotencyKey} ~ ${pattern(IDEMPOTENCY_KEY_PATTERN)}`,
    ),
  ],
);

export const likes = pgTable(
  "likes",
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
    primaryKey({ columns: [t.userId, t.tweetId], name: "likes_pkey" }),
    // GET /users/{id}/liked_tweets: most recently liked first.
    index("likes_user_id_created_at_tweet_id_idx").on(
      t.userId,
      t.createdAt.desc().nullsFirst(),
      t.tweetId.desc().nullsFirst(),
    ),
    // GET /tweets/{id}/liking_users: most recent like first.
    index("likes_tweet_id_created_at_user_id_idx").on(
      t.tweetId,
      t.createdAt.desc().nullsFirst(),
      t.userId.desc().nullsFirst(),
    ),
  ],
);

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
  },
  (t) => [primaryKey({ columns: [t.userId, t.createdAt, t.tweetId], name: "home_timeline_pkey" })],
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
