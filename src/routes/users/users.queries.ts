import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { pgErrorOf } from "../../db/client";
import { callerValid, flagsWithRows, rowsOf } from "../../db/sql";
import type { Caller } from "../../lib/context";
import type { Position } from "../../lib/pagination";
import { conflict } from "../../lib/problem";
import type { UserRow } from "./users.schemas";

/** All statements of the /users resource, one per request. */

const USERNAME_TAKEN = "users_username_lower_key";

export const usernameTaken = () => conflict("The username is taken.");

/** Rethrows a unique violation on the username as 409, anything else as is. */
function usernameConflict(error: unknown): never {
  if (pgErrorOf(error)?.constraint === USERNAME_TAKEN) throw usernameTaken();
  throw error;
}

export async function listUsers(db: Database, caller: Caller | undefined, after: Position | undefined, limit: number) {
  return rowsOf<{ caller_ok: boolean } & Partial<UserRow>>(
    db,
    flagsWithRows(
      sql`${callerValid(caller)} AS caller_ok`,
      sql`SELECT id, username, created_at FROM users
          WHERE id > ${after?.id ?? 0} ORDER BY id LIMIT ${limit + 1}`,
      sql`r.id`,
    ),
  );
}

export async function findUser(db: Database, caller: Caller | undefined, id: number) {
  const [row] = await rowsOf<{ caller_ok: boolean } & Partial<UserRow>>(
    db,
    flagsWithRows(
      sql`${callerValid(caller)} AS caller_ok`,
      sql`SELECT id, username, created_at FROM users WHERE id = ${id}`,
    ),
  );
  return row;
}

export async function createUser(db: Database, username: string, passwordHash: string) {
  try {
    const [row] = await rowsOf<UserRow>(
      db,
      sql`INSERT INTO users (username, password_hash) VALUES (${username}, ${passwordHash})
          ON CONFLICT ((lower(username))) DO NOTHING
          RETURNING id, username, created_at`,
    );
    return row;
  } catch (error) {
    usernameConflict(error);
  }
}

export type LoginRow = UserRow & { password_hash: string; token_version: number };

export async function findLogin(db: Database, username: string) {
  const [row] = await rowsOf<LoginRow>(
    db,
    sql`SELECT id, username, created_at, password_hash, token_version FROM users
        WHERE lower(username) = lower(${username})`,
  );
  return row;
}

/**
 * PATCH/PUT: the revocation check, existence, authorization and the update in one statement.
 * A new password bumps token_version, which revokes every earlier token.
 */
export async function updateUser(
  db: Database,
  caller: Caller,
  id: number,
  changes: { username?: string; passwordHash?: string },
) {
  try {
    const [row] = await rowsOf<{ caller_ok: boolean; found: boolean } & Partial<UserRow>>(
      db,
      sql`WITH updated AS (
            UPDATE users SET
              username = coalesce(${changes.username ?? null}::varchar, username),
              password_hash = coalesce(${changes.passwordHash ?? null}::text, password_hash),
              token_version = token_version + ${changes.passwordHash ? 1 : 0}
            WHERE id = ${id} AND id = ${caller.id} AND token_version = ${caller.version}
            RETURNING id, username, created_at)
          ${flagsWithRows(
            sql`${callerValid(caller)} AS caller_ok, EXISTS (SELECT 1 FROM users WHERE id = ${id}) AS found`,
            sql`SELECT * FROM updated`,
          )}`,
    );
    return row;
  } catch (error) {
    usernameConflict(error);
  }
}

/**
 * DELETE: the user's likes go first so the like counts of the tweets they liked drop in the same
 * statement; the user row's deletion cascades to their tweets (and the likes on those).
 */
export async function deleteUser(db: Database, caller: Caller, id: number) {
  const [row] = await rowsOf<{ caller_ok: boolean; found: boolean; deleted: boolean }>(
    db,
    sql`WITH allowed AS (
          SELECT id FROM users WHERE id = ${id} AND id = ${caller.id} AND token_version = ${caller.version}),
        gone_likes AS (
          DELETE FROM likes WHERE user_id = (SELECT id FROM allowed) RETURNING tweet_id),
        recount AS (
          UPDATE tweets SET like_count = tweets.like_count - g.n
          FROM (SELECT tweet_id, count(*)::int AS n FROM gone_likes GROUP BY tweet_id) AS g
          WHERE tweets.id = g.tweet_id),
        deleted AS (
          DELETE FROM users WHERE id = (SELECT id FROM allowed) RETURNING id)
        SELECT ${callerValid(caller)} AS caller_ok,
               EXISTS (SELECT 1 FROM users WHERE id = ${id}) AS found,
               EXISTS (SELECT 1 FROM deleted) AS deleted`,
  );
  return row;
}
