import type { MiddlewareHandler } from "hono";
import { addressKey } from "../lib/address";
import { tooManyRequests } from "../lib/problem";
import type { AppEnv } from "../types";

/** Seconds a client should wait; the binding's windows are 10 or 60 s, so one window is enough. */
const RETRY_AFTER_SECONDS = 60;

/** Applies a Workers rate-limiting binding (declared in wrangler.toml); absent bindings do not limit. */
export async function limitOrThrow(limiter: RateLimit | undefined, key: string): Promise<void> {
  if (!limiter) return;
  const { success } = await limiter.limit({ key });
  if (!success) throw tooManyRequests(RETRY_AFTER_SECONDS);
}

/**
 * The client's address as Cloudflare reports it, keyed for limits (IPv6 by /64). Locally (wrangler
 * dev, the stacks) there is no Cloudflare in front, and workerd's entry (miniflare) sets
 * CF-Connecting-IP to the socket's peer address when the request has none, so local clients are
 * keyed by their socket's address too (all of one machine's clients are 127.0.0.1, as the clients
 * behind one NAT'd IPv4 address are one address on Cloudflare).
 */
export const clientKey = (c: { req: { header(name: string): string | undefined } }) =>
  addressKey(c.req.header("CF-Connecting-IP"));

/** Sign-ups per client address. */
export const signupLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  await limitOrThrow(c.env.SIGNUP_LIMITER, `signup:${clientKey(c)}`);
  await next();
};
