import { issueToken } from "../../lib/auth";
import { useDb } from "../../lib/context";
import { hashPassword, verifyPassword } from "../../lib/password";
import { unauthorized } from "../../lib/problem";
import { clientAddress, limitOrThrow } from "../../lib/rate-limit";
import type { AppRouteHandler } from "../../lib/types";
import { findLogin } from "../users/users.queries";
import { toUser } from "../users/users.schemas";
import type { LoginRoute } from "./auth.routes";

/** Verified against when the username does not exist, so both failures cost the same time. */
let decoyHash: Promise<string> | undefined;

export const login: AppRouteHandler<LoginRoute> = async (c) => {
  const { username, password } = c.req.valid("json");
  const config = c.get("config");
  await limitOrThrow(c.env.LOGIN_LIMITER, `login:${clientAddress(c.req)}:${username.toLowerCase()}`);
  const row = await findLogin(useDb(c), username);
  decoyHash ??= hashPassword("decoy password", config.pbkdf2Iterations);
  const valid = await verifyPassword(password, row?.password_hash ?? (await decoyHash));
  if (!row || !valid) throw unauthorized("Wrong username or password.");
  const { token, expiresIn } = await issueToken(config, { id: row.id, tokenVersion: row.token_version });
  return c.json({ access_token: token, token_type: "Bearer" as const, expires_in: expiresIn, user: toUser(row) }, 200);
};
