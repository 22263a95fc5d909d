-- Rollback of 0004_idempotency_request_hash.sql.
ALTER TABLE "tweets" DROP COLUMN IF EXISTS "request_hash";
