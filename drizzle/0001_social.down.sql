-- Rollback of 0001_social.sql: drops what it created, in dependency order.
DROP TABLE IF EXISTS "celebrities";--> statement-breakpoint
DROP TABLE IF EXISTS "fanout_outbox";--> statement-breakpoint
DROP TABLE IF EXISTS "follows";--> statement-breakpoint
DROP TABLE IF EXISTS "home_timeline";--> statement-breakpoint
DROP INDEX IF EXISTS "tweets_search_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "tweets_in_reply_to_created_at_id_idx";--> statement-breakpoint
ALTER TABLE "tweets" DROP CONSTRAINT IF EXISTS "tweets_reply_count_nonnegative";--> statement-breakpoint
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "search";--> statement-breakpoint
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "reply_count";--> statement-breakpoint
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "conversation_id";--> statement-breakpoint
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "in_reply_to_tweet_id";--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT IF EXISTS "users_counts_nonnegative";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN IF EXISTS "tweet_count";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN IF EXISTS "following_count";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN IF EXISTS "followers_count";
