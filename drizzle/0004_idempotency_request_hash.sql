-- The request an Idempotency-Key first came with (a hash), so that the key reused with another body is a 422.
ALTER TABLE "tweets" ADD COLUMN "request_hash" varchar(64);