import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";

/**
 * The schema is the single source of truth for the database: drizzle-kit generates the
 * migrations in `drizzle/` from it, and `drizzle-kit push` applies it directly.
 * The database enforces every invariant it can: limits as CHECK constraints, ownership as
 * foreign keys with ON DELETE CASCADE, uniqueness as unique indexes.
 * Timestamps are stored with millisecond precision so that a JavaScript Date (and so a
 * pagination cursor) round-trips them exactly.
 */
const createdAt = () =>
  timestamp("created_at", { withTimezone: true, precision: 3, mode: "date" }).notNull().defaultNow();

export const users = pgTable(
  "users",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    username: varchar("username", { length: 30 }).notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Bumped on every password change: tokens carry it, so older tokens stop working. */
    tokenVersion: integer("token_version").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_username_lower_key").on(sql`lower(${t.username})`),
    check("users_username_format", sql`${t.username} ~ '^[A-Za-z0-9_]{3,30}$'`),
    check("users_token_version_nonnegative", sql`${t.tokenVersion} >= 0`),
  ],
);

export const tweets = pgTable(
  "tweets",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    content: text("content").notNull(),
    /** Exactly the number of rows in `likes` for this tweet; every write keeps it so. */
    likeCount: integer("like_count").notNull().default(0),
    /** The client's Idempotency-Key of the POST that created the tweet, unique per author. */
    idempotencyKey: varchar("idempotency_key", { length: 64 }),
    createdAt: createdAt(),
  },
  (t) => [
    // GET /tweets: newest first, keyset on (created_at, id).
    index("tweets_created_at_id_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // GET /users/{id}/tweets: one author's tweets newest first.
    index("tweets_user_id_created_at_id_idx").on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    uniqueIndex("tweets_user_id_idempotency_key_key").on(t.userId, t.idempotencyKey),
    check(
      "tweets_content_length",
      sql`char_length(${t.content}) <= 280 AND char_length(btrim(${t.content}, E' \\t\\n\\r')) > 0`,
    ),
    check("tweets_like_count_nonnegative", sql`${t.likeCount} >= 0`),
    check(
      "tweets_idempotency_key_format",
      sql`${t.idempotencyKey} IS NULL OR ${t.idempotencyKey} ~ '^[\\x20-\\x7E]{1,64}$'`,
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
