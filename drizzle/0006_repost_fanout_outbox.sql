CREATE TABLE "repost_fanout_outbox" (
	"user_id" integer NOT NULL,
	"tweet_id" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "repost_fanout_outbox_pkey" PRIMARY KEY("user_id","tweet_id")
);
--> statement-breakpoint
ALTER TABLE "repost_fanout_outbox" ADD CONSTRAINT "repost_fanout_outbox_repost_fk" FOREIGN KEY ("user_id","tweet_id") REFERENCES "public"."reposts"("user_id","tweet_id") ON DELETE cascade ON UPDATE no action;