-- Rollback of 0000_init.sql: drops everything it created, in dependency order.
DROP TABLE IF EXISTS "likes";--> statement-breakpoint
DROP TABLE IF EXISTS "tweets";--> statement-breakpoint
DROP TABLE IF EXISTS "users";
