import autocannon from "autocannon";
import type { Stack } from "../stack/stack";

/** One endpoint of the benchmark: a request (path and body may vary per request) and how many to send. */
export type Endpoint = {
  group: string;
  name: string;
  method: "GET" | "POST" | "DELETE";
  path: string | (() => string);
  body?: () => unknown;
  /** The bearer token to send, if any. */
  token?: string;
  /** Requests at one client and at ten (defaults from the runner). */
  amount?: { c1: number; c10: number };
};

export type Measure = {
  p50: number;
  p99: number;
  /** Requests per second while busy (Little's law: clients / mean latency). */
  rps: number;
  requests: number;
  errors: number;
  /** What the failures were: status codes of 4xx/5xx answers, and transport errors and timeouts. */
  failures?: Record<string, number>;
};

export type Row = {
  driver: string;
  group: string;
  endpoint: string;
  rttMs: number;
  c1: Measure;
  c10: Measure;
  /** Per request: SQL statements, database connections, round trips (all / after connection setup). */
  statements: number;
  connections: number;
  roundTrips: number;
  queryRoundTrips: number;
  /** The Worker's CPU time per request (user + system of workerd, /proc), ms. */
  cpuMs?: number;
};

const pathOf = (e: Endpoint) => (typeof e.path === "function" ? e.path() : e.path);

/** Sends `amount` requests over `clients` connections with autocannon; 2xx–3xx count as success. */
async function measure(stack: Stack, endpoint: Endpoint, clients: number, amount: number): Promise<Measure> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (endpoint.token) headers.authorization = `Bearer ${endpoint.token}`;
  const result = await autocannon({
    url: stack.baseUrl,
    connections: clients,
    amount,
    timeout: 30,
    requests: [
      {
        method: endpoint.method,
        headers,
        setupRequest: (req) => ({
          ...req,
          path: pathOf(endpoint),
          ...(endpoint.body ? { body: JSON.stringify(endpoint.body()) } : {}),
        }),
      },
    ],
  });
  const stats = Object.entries(result.statusCodeStats ?? {}) as [string, { count: number }][];
  const requests = stats.reduce((n, [, s]) => n + s.count, 0);
  const ok = stats.filter(([code]) => Number(code) < 400).reduce((n, [, s]) => n + s.count, 0);
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round((clients * 1000) / Math.max(result.latency.mean, 0.001)),
    requests,
    errors: requests - ok + result.errors + result.timeouts,
    failures: Object.fromEntries(
      [
        ...stats.filter(([code]) => Number(code) >= 400).map(([code, st]) => [code, st.count] as const),
        ["transport", result.errors] as const,
        ["timeout", result.timeouts] as const,
      ].filter(([, n]) => n > 0),
    ),
  };
}

/**
 * One endpoint at one client, then at ten, with what crossed the distance to the database and the
 * Worker's CPU time counted over both runs.
 */
export async function run(
  stack: Stack,
  endpoint: Endpoint,
  defaults: { c1: number; c10: number; rttMs: number },
): Promise<Row> {
  const amount = endpoint.amount ?? defaults;
  const before = stack.counters();
  const cpuBefore = stack.workerCpuMs();
  const c1 = await measure(stack, endpoint, 1, amount.c1);
  const c10 = await measure(stack, endpoint, 10, amount.c10);
  // Let connections close (the WebSocket path ends its pool after the response) before counting.
  await new Promise((r) => setTimeout(r, 200 + 2 * defaults.rttMs));
  const after = stack.counters();
  const cpuAfter = stack.workerCpuMs();
  const n = Math.max(c1.requests + c10.requests, 1);
  const per = (a: number, b: number) => +((a - b) / n).toFixed(2);
  return {
    driver: stack.driver,
    group: endpoint.group,
    endpoint: endpoint.name,
    rttMs: defaults.rttMs,
    c1,
    c10,
    statements: per(after.statements, before.statements),
    connections: per(after.connections, before.connections),
    roundTrips: per(after.roundTrips, before.roundTrips),
    queryRoundTrips: per(after.queryRoundTrips, before.queryRoundTrips),
    cpuMs: cpuBefore !== undefined && cpuAfter !== undefined ? +((cpuAfter - cpuBefore) / n).toFixed(3) : undefined,
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Sequential timings of paths on several stacks, interleaved so that all see the same machine state. */
export async function interleaved(targets: { stack: Stack; path: string }[], samples: number): Promise<number[]> {
  const times = targets.map(() => [] as number[]);
  for (let i = 0; i < samples; i++) {
    for (const [k, t] of targets.entries()) {
      const started = performance.now();
      const res = await fetch(`${t.stack.baseUrl}${t.path}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${t.path}: HTTP ${res.status}`);
      times[k]?.push(performance.now() - started);
    }
  }
  return times.map(median);
}

/**
 * Sequential requests of several endpoints on one stack, interleaved request by request so that all
 * see the same machine state; the median time of each. Any answer of 400 or above fails.
 */
export async function interleavedEndpoints(stack: Stack, targets: Endpoint[], samples: number): Promise<number[]> {
  const times = targets.map(() => [] as number[]);
  for (let i = 0; i < samples; i++) {
    for (const [k, e] of targets.entries()) {
      const path = pathOf(e);
      const started = performance.now();
      const res = await fetch(`${stack.baseUrl}${path}`, {
        method: e.method,
        headers: { "content-type": "application/json", ...(e.token ? { authorization: `Bearer ${e.token}` } : {}) },
        body: e.body ? JSON.stringify(e.body()) : undefined,
      });
      await res.arrayBuffer();
      if (res.status >= 400) throw new Error(`${e.method} ${path}: HTTP ${res.status}`);
      times[k]?.push(performance.now() - started);
    }
  }
  return times.map(median);
}
