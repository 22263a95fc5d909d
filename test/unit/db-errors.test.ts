import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { statementTimeoutOf } from "../../src/db/connection";
import { toApiError, transientOf, transportReason } from "../../src/db/errors";
import { withinDeadline } from "../../src/db/run";
import type { ApiError } from "../../src/lib/problem";
import { WRITE_MAY_HAVE_HAPPENED } from "../../src/lib/problem";

/** Database failures become problems by their Postgres code, never with the driver's message. */
describe("database error mapping", () => {
  const wrapped = (code?: string, message = "driver says") =>
    Object.assign(new Error("Failed query: select … params: secret"), {
      cause: Object.assign(new Error(message), { code }),
    });
  it.each([
    ["23505", 409],
    ["23503", 404],
    ["23514", 400],
    ["22P02", 400],
    ["57014", 503],
    ["57P01", 503],
    ["08006", 503],
    ["53300", 503], // too many connections
    ["40001", 503],
    ["40P01", 503],
    ["55P03", 503], // lock timeout
    ["25006", 503], // read-only transaction (a replica, a failover)
    ["42P01", 500],
    [undefined, 503],
  ])("%s → %i", (code, status) => {
    const problem = toApiError(wrapped(code));
    expect(problem.status).toBe(status);
    expect(problem.detail).not.toMatch(/select|secret|driver/i);
    if (status === 503) expect(problem.options.headers?.["Retry-After"]).toBe("1");
  });

  it.each([
    "Your account or project has exceeded the compute time quota. Upgrade your plan to increase limits.",
    "Your project has exceeded the data transfer quota. Upgrade your plan to increase limits.",
    "The endpoint has been disabled. Enable it using Neon API and retry.",
    "Couldn't connect to compute node",
  ])("Neon's refusal %j → 503 with Retry-After", (message) => {
    const problem = toApiError(wrapped("XX000", message));
    expect(problem.status).toBe(503);
    expect(problem.options.headers?.["Retry-After"]).toBe("1");
    expect(problem.detail).not.toMatch(/quota|compute|endpoint/i);
  });

  it("names the taken username's conflict", () => {
    const taken = Object.assign(new Error("x"), { cause: { code: "23505", constraint: "users_username_lower_key" } });
    expect(toApiError(taken)).toMatchObject({ status: 409, detail: "The username is taken." });
  });

  it.each([
    ["40P01", "conflict"],
    ["40001", "conflict"],
    ["53300", "refused"],
    ["57P03", "refused"],
    // A lost connection may have run the statement: not retried.
    ["08006", undefined],
    ["23505", undefined],
    [undefined, undefined],
  ])("%s is retried inside the request as: %s", (code, transient) => {
    expect(transientOf(wrapped(code))).toBe(transient);
  });

  it("logs a failure without SQLSTATE by its cause chain and transport message, never the query", () => {
    const transport = Object.assign(new Error("Server error (HTTP status 502)"), { name: "NeonDbError" });
    const failed = new DrizzleQueryError("select secret from users where id = $1", [42], transport);
    expect(transportReason(failed)).toBe("Error < NeonDbError: Server error (HTTP status 502)");
    const queryOnly = new DrizzleQueryError("select secret from users where id = $1", [42]);
    expect(transportReason(queryOnly)).toBe("Error"); // Drizzle's wrapper: its message quotes the query
    expect(transportReason("not an error")).toBe("");
  });
});

/** A write whose outcome is unknown says so, and how to retry it safely (issue 22). */
describe("a 504 (or a lost connection) on a write", () => {
  const answer = async (method: string, error: ApiError) => {
    const res = error.getResponse(method);
    return { status: res.status, detail: ((await res.json()) as { detail: string }).detail };
  };

  it("says the write may have happened and how to retry safely; a read does not", async () => {
    const timeout = (await withinDeadline(5, () => new Promise(() => {})).catch((e: unknown) => e)) as ApiError;
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
      const res = await answer(method, timeout);
      expect(res.status).toBe(504);
      expect(res.detail).toContain(WRITE_MAY_HAVE_HAPPENED);
      expect(res.detail).toMatch(/Idempotency-Key/);
    }
    expect((await answer("GET", timeout)).detail).not.toContain(WRITE_MAY_HAVE_HAPPENED);
    const lost = toApiError(Object.assign(new Error("x"), { code: "08006" }));
    expect((await answer("POST", lost)).detail).toContain(WRITE_MAY_HAVE_HAPPENED);
    // Cancelled by Postgres at its statement_timeout: rolled back, so it says nothing changed.
    const cancelled = toApiError(Object.assign(new Error("x"), { code: "57014" }));
    const res = await answer("POST", cancelled);
    expect(res.status).toBe(503);
    expect(res.detail).not.toContain(WRITE_MAY_HAVE_HAPPENED);
    expect(res.detail).toMatch(/nothing was changed/);
  });

  it("Postgres' statement_timeout is below the Worker's deadline", () => {
    for (const deadline of [500, 2_000, 8_000, 20_000]) {
      expect(statementTimeoutOf(deadline)).toBeLessThan(deadline);
      expect(statementTimeoutOf(deadline)).toBeGreaterThanOrEqual(deadline * 0.85);
    }
  });
});
