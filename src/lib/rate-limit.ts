import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { tooManyRequests } from "./problem";

/** Seconds a client should wait; the binding's windows are 10 or 60 s, so one window is enough. */
const RETRY_AFTER_SECONDS = 60;

/** Applies a Workers rate-limiting binding (declared in wrangler.toml); absent bindings do not limit. */
export async function limitOrThrow(limiter: RateLimit | undefined, key: string): Promise<void> {
  if (!limiter) return;
  const { success } = await limiter.limit({ key });
  if (!success) throw tooManyRequests(RETRY_AFTER_SECONDS);
}

/** The client's address as Cloudflare reports it. */
export function clientAddress(headers: { header(name: string): string | undefined }): string {
  return headers.header("CF-Connecting-IP") ?? "unknown";
}

/** Sign-ups per client address. */
export const signupLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  await limitOrThrow(c.env.SIGNUP_LIMITER, `signup:${clientAddress(c.req)}`);
  await next();
};
