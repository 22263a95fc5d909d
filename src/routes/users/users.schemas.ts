import { z } from "@hono/zod-openapi";
import { isoTime } from "../../db/sql";

export const Username = z
  .string()
  .regex(/^[A-Za-z0-9_]{3,30}$/, "username must be 3-30 characters of A-Z, a-z, 0-9 and _")
  .openapi({ example: "pineappledreamer" });

export const Password = z
  .string()
  .refine((p) => [...p].length >= 8 && [...p].length <= 128, "password must be 8-128 characters")
  .openapi({ minLength: 8, maxLength: 128, example: "correct horse battery" });

export const User = z
  .object({
    id: z.number().int().openapi({ example: 7 }),
    username: z.string().openapi({ example: "pineappledreamer" }),
    created_at: z.string().openapi({ format: "date-time", example: "2026-11-26T13:44:22.123Z" }),
  })
  .openapi("User");

export const Credentials = z.object({ username: Username, password: Password }).openapi("Credentials");

export const UserUpdate = z
  .object({ username: Username.optional(), password: Password.optional() })
  .refine((b) => b.username !== undefined || b.password !== undefined, {
    message: "give username, password or both",
  })
  .openapi("UserUpdate");

export type UserRow = { id: number; username: string; created_at: Date | string };

export const toUser = (row: UserRow): z.infer<typeof User> => ({
  id: row.id,
  username: row.username,
  created_at: isoTime(row.created_at),
});
