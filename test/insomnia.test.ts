import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { api } from "./helpers";

type Resource = {
  _id: string;
  _type: string;
  parentId: string | null;
  method?: string;
  url?: string;
  name?: string;
  body?: { text?: string };
  authentication?: { token?: string };
  data?: Record<string, unknown>;
};

const collection = JSON.parse(readFileSync(join(import.meta.dirname, "../insomnia/twitter-api.json"), "utf8")) as {
  __export_format: number;
  resources: Resource[];
};
const requests = collection.resources.filter((r) => r._type === "request");

/** `{{ _.base_url }}/users/{{ _.user_id }}/likes?x=1` → `/users/{}/likes`; OpenAPI `/users/{id}` → `/users/{}`. */
const shape = (path: string) => path.replace(/\{\{[^}]*\}\}|\{[^}]+\}/g, "{}");

describe("the Insomnia collection", () => {
  it("is an Insomnia v4 export with a local and a deployed environment", () => {
    expect(collection.__export_format).toBe(4);
    const envs = collection.resources.filter((r) => r._type === "environment" && r.parentId === "env_base");
    expect(envs.map((e) => e.data?.base_url)).toEqual(["http://localhost:8787", expect.stringMatching(/^https:\/\//)]);
  });

  it("targets only paths and methods that exist in /openapi.json, and covers all of them", async () => {
    const doc = (await api("/openapi.json")).json as { paths: Record<string, Record<string, unknown>> };
    const operations = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${shape(path)}`),
      ),
    );
    const used = new Set<string>();
    for (const r of requests) {
      const path = shape((r.url ?? "").replace("{{ _.base_url }}", "").split("?")[0] as string);
      const op = `${r.method} ${path}`;
      expect(operations, `${r.name}: ${op}`).toContain(op);
      used.add(op);
    }
    expect([...operations].filter((op) => !used.has(op))).toEqual([]);
  });

  it("chains the token from the login response into authenticated requests, and bodies are JSON", () => {
    const login = requests.find((r) => r.url?.endsWith("/auth/login"));
    expect(login).toBeDefined();
    const authed = requests.filter((r) => r.authentication?.token);
    expect(authed.length).toBeGreaterThan(5);
    for (const r of authed) expect(r.authentication?.token).toContain(`'${login?._id}'`);
    for (const r of requests.filter((x) => x.body?.text)) {
      expect(() => JSON.parse((r.body?.text ?? "").replace(/\{\{[^}]*\}\}/g, "1")), r.name).not.toThrow();
    }
  });
});
