-- Rollback of 0003_hashtag_lexemes.sql: the search document of 0001_social (hashtags as weight-A
-- `simple` lexemes), its index and 0002's statistics target.
ALTER TABLE "tweets" DROP COLUMN "search";--> statement-breakpoint
ALTER TABLE "tweets" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, regexp_replace("tweets"."content", '(?<!\w)#(\w+)|.', ' \1 ', 'g')), 'A') || to_tsvector('english'::regconfig, "tweets"."content")) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "tweets_search_idx" ON "tweets" USING gin ("search");--> statement-breakpoint
ALTER TABLE "tweets" ALTER COLUMN "search" SET STATISTICS 1000;
