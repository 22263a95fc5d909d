CREATE TABLE "celebrities" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fanout_outbox" (
	"tweet_id" integer PRIMARY KEY NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follows" (
	"follower_id" integer NOT NULL,
	"followee_id" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follows_pkey" PRIMARY KEY("follower_id","followee_id"),
	CONSTRAINT "follows_not_self" CHECK ("follows"."follower_id" <> "follows"."followee_id")
);
--> statement-breakpoint
CREATE TABLE "home_timeline" (
	"user_id" integer NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"tweet_id" integer NOT NULL,
	"author_id" integer NOT NULL,
	CONSTRAINT "home_timeline_pkey" PRIMARY KEY("user_id","created_at","tweet_id")
);
--> statement-breakpoint
ALTER TABLE "tweets" ADD COLUMN "in_reply_to_tweet_id" integer;--> statement-breakpoint
ALTER TABLE "tweets" ADD COLUMN "conversation_id" integer;--> statement-breakpoint
ALTER TABLE "tweets" ADD COLUMN "reply_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tweets" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, regexp_replace("tweets"."content", '(?<!\w)#(\w+)|.', ' \1 ', 'g')), 'A') || to_tsvector('english'::regconfig, "tweets"."content")) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "followers_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "following_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "tweet_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "celebrities" ADD CONSTRAINT "celebrities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fanout_outbox" ADD CONSTRAINT "fanout_outbox_tweet_id_tweets_id_fk" FOREIGN KEY ("tweet_id") REFERENCES "public"."tweets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_follower_id_users_id_fk" FOREIGN KEY ("follower_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_followee_id_users_id_fk" FOREIGN KEY ("followee_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "follows_followee_id_created_at_follower_id_idx" ON "follows" USING btree ("followee_id","created_at" DESC NULLS FIRST,"follower_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "follows_follower_id_created_at_followee_id_idx" ON "follows" USING btree ("follower_id","created_at" DESC NULLS FIRST,"followee_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tweets_in_reply_to_created_at_id_idx" ON "tweets" USING btree ("in_reply_to_tweet_id","created_at","id") WHERE "tweets"."in_reply_to_tweet_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tweets_search_idx" ON "tweets" USING gin ("search");--> statement-breakpoint
ALTER TABLE "tweets" ADD CONSTRAINT "tweets_reply_count_nonnegative" CHECK ("tweets"."reply_count" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_counts_nonnegative" CHECK ("users"."followers_count" >= 0 AND "users"."following_count" >= 0 AND "users"."tweet_count" >= 0);--> statement-breakpoint
-- Not generated: an existing database's tweet counts start exact.
UPDATE "users" SET "tweet_count" = c.n FROM (SELECT "user_id", count(*)::int AS n FROM "tweets" GROUP BY "user_id") AS c WHERE "users"."id" = c."user_id";
