-- Rollback of 0006_repost_fanout_outbox.sql: drops what it created (the table takes its constraints with it).
DROP TABLE IF EXISTS "repost_fanout_outbox";
