import { describe, expect, it } from "vitest";
import { toApiError } from "../../src/db/client";

/** Database failures become problems by their Postgres code, never with the driver's message. */
describe("database error mapping", () => {
  const wrapped = (code?: string) =>
    Object.assign(new Error("Failed query: select … params: secret"), {
      cause: Object.assign(new Error("driver says"), { code }),
    });
  it.each([
    ["23505", 409],
    ["23503", 404],
    ["23514", 400],
    ["22P02", 400],
    ["57014", 503],
    ["57P01", 503],
    ["08006", 503],
    ["53300", 503],
    ["40001", 503],
    ["42P01", 500],
    [undefined, 503],
  ])("%s → %i", (code, status) => {
    const problem = toApiError(wrapped(code));
    expect(problem.status).toBe(status);
    expect(problem.detail).not.toMatch(/select|secret|driver/i);
  });
});
