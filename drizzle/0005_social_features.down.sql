-- Rollback of 0005_social_features.sql: drops what it created, in dependency order.
DROP TABLE IF EXISTS "mentions";--> statement-breakpoint
DROP TABLE IF EXISTS "notification_markers";--> statement-breakpoint
DROP TABLE IF EXISTS "notifications";--> statement-breakpoint
DROP TABLE IF EXISTS "mutes";--> statement-breakpoint
DROP TABLE IF EXISTS "blocks";--> statement-breakpoint
DROP TABLE IF EXISTS "bookmarks";--> statement-breakpoint
DROP TABLE IF EXISTS "reposts";--> statement-breakpoint
DROP INDEX IF EXISTS "home_timeline_user_id_tweet_id_idx";--> statement-breakpoint
ALTER TABLE "home_timeline" DROP COLUMN IF EXISTS "reposted_by";--> statement-breakpoint
DROP INDEX IF EXISTS "tweets_quoted_tweet_id_created_at_id_idx";--> statement-breakpoint
ALTER TABLE "tweets" DROP CONSTRAINT IF EXISTS "tweets_repost_quote_counts_nonnegative";--> statement-breakpoint
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "quote_count";--> statement-breakpoint
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "repost_count";--> statement-breakpoint
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "quoted_tweet_id";
