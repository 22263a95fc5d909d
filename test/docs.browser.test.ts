import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, LEGS, newTweet, newUser } from "./helpers";

/**
 * /docs in a real browser: Debian's Chromium driven by playwright-core. CI installs Chromium
 * (.ci/run); on a machine without it this file is skipped, except in CI where that fails.
 */
const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install chromium`);

describe.skipIf(!available || !LEGS.once)("/docs in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    });
  });
  afterAll(() => browser?.close());

  it("lists the endpoints from the Worker's own assets and sends GET /tweets from the page", async () => {
    const u = await newUser("browser");
    const tweet = await newTweet(u, "seen from the browser");
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on("request", (req) => {
      if (!req.url().startsWith(baseUrl) && !req.url().startsWith("data:")) foreign.push(req.url());
    });
    await page.goto(`${baseUrl}/docs`);
    await page.locator(".opblock").first().waitFor({ timeout: 20_000 });
    const paths = await page.locator(".opblock-summary-path").allInnerTexts();
    for (const p of ["/users", "/tweets", "/users/{id}/liked_tweets", "/tweets/{id}/liking_users", "/auth/login"]) {
      expect(paths.map((x) => x.replace(/\u200b/g, ""))).toContain(p);
    }

    const op = page.locator(".opblock-get", { has: page.locator('.opblock-summary-path[data-path="/tweets"]') });
    await op.locator(".opblock-summary").click();
    // The page enables "Try it out" by default (tryItOutEnabled), so Execute is there at once.
    const apiCall = page.waitForResponse(
      (r) => r.url().startsWith(`${baseUrl}/tweets`) && r.request().method() === "GET",
    );
    await op.getByRole("button", { name: "Execute" }).click();
    const response = await apiCall;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { id: number }[];
    // The first page, newest first: it holds our tweet, unless tests running beside this one
    // posted a full page of newer tweets meanwhile.
    const ids = body.map((t) => t.id);
    if (!ids.includes(tweet.id)) {
      expect(ids).toHaveLength(20);
      for (const id of ids) expect(id).toBeGreaterThan(tweet.id);
    }
    await expect
      .poll(() => op.locator(".live-responses-table tbody .response-col_status").first().textContent())
      .toContain("200");
    expect(foreign).toEqual([]);
  });
});
