import { and, eq, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import { userColumns } from "../../models/user";
import type { Db } from "../../types";

/** POST /auth/login: the user, their password hash and token version, by username (any case). */
export const loginUser = (username: string) => (db: Db) =>
  db
    .select({ item: userColumns(undefined), passwordHash: users.passwordHash, tokenVersion: users.tokenVersion })
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.toLowerCase()));

/** After a login that verified a hash of older parameters: store the new hash, unless it changed meanwhile. */
export const rehashPassword = (id: number, oldHash: string, newHash: string) => (db: Db) =>
  db
    .update(users)
    .set({ passwordHash: newHash })
    .where(and(eq(users.id, id), eq(users.passwordHash, oldHash)))
    .returning({ id: users.id });
