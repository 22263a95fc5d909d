import { run } from "../../db/run";
import { createRouter } from "../../http/router";
import { networkKey } from "../../lib/address";
import { hashPassword, verifyPassword } from "../../lib/password";
import { unauthorized } from "../../lib/problem";
import { issueToken } from "../../middlewares/auth";
import { clientKey, limitOrThrow } from "../../middlewares/rate-limit";
import { toUser } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import { loginUser, rehashPassword } from "./auth.queries";
import * as routes from "./auth.routes";

/**
 * POST /auth/login. Limited per client address (IPv6: per /64, and per /48 beside it), against spraying many usernames,
 * and per address + username, against guessing one password. A wrong username and a wrong
 * password take the same time and get the same answer.
 */
export const login: AppRouteHandler<typeof routes.login> = async (c) => {
  const { username, password } = c.req.valid("json");
  const config = c.var.config;
  const address = clientKey(c);
  const network = networkKey(c.req.header("CF-Connecting-IP"));
  if (network) await limitOrThrow(c.env.LOGIN_NETWORK_LIMITER, `login:${network}`);
  await limitOrThrow(c.env.LOGIN_ADDRESS_LIMITER, `login:${address}`);
  await limitOrThrow(c.env.LOGIN_LIMITER, `login:${address}:${username.toLowerCase()}`);
  const [found] = await run(c.var, loginUser(username));
  const { valid, rehash } = await verifyPassword(password, found?.passwordHash, config.pbkdf2Iterations);
  if (!found || !valid) throw unauthorized("Wrong username or password.");
  if (rehash) {
    // The stored hash has older parameters or is of a password as sent before NFC normalisation:
    // store one of the NFC form with today's (a second statement, once per user: the hash can only
    // be checked after the statement that reads it).
    const newHash = await hashPassword(password.normalize("NFC"), config.pbkdf2Iterations);
    await run(c.var, rehashPassword(found.item.id, found.passwordHash, newHash));
  }
  const { token, expiresIn } = await issueToken(config, { id: found.item.id, tokenVersion: found.tokenVersion });
  return c.json(
    { access_token: token, token_type: "Bearer" as const, expires_in: expiresIn, user: toUser(found.item) },
    200,
  );
};

/** The resource's router: each route of the table with its handler. */
export default createRouter().openapi(routes.login, login);
