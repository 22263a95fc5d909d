-- Hashtags as whole lexemes `#tag` (issue 22: `#a` found `#a_b`, whose `_` the text-search parser split).
-- A generated column's expression cannot be altered before Postgres 17: the column is made anew.
ALTER TABLE "tweets" drop column "search";--> statement-breakpoint
ALTER TABLE "tweets" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(lower(regexp_replace(regexp_replace("tweets"."content", '(?<!\w)#(\w+)|.', ' \1 ', 'g'), '(\S+)', '#\1', 'g')), ' '), '')) || to_tsvector('english'::regconfig, "tweets"."content")) STORED NOT NULL;--> statement-breakpoint
-- The index and the statistics target went with the old column (0001_social, 0002_search_statistics).
CREATE INDEX "tweets_search_idx" ON "tweets" USING gin ("search");--> statement-breakpoint
ALTER TABLE "tweets" ALTER COLUMN "search" SET STATISTICS 1000;
