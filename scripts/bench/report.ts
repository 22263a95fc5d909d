import type { Row } from "./runner";

type Fanout = { followers: number; p50Ms: number; maxMs: number; samples: number; rowsPerSecond?: number };

/** The benchmark's figures, as they are written to bench/results/*.json and printed. */
export type Results = {
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; postgres: string; date: string };
  rttMs: number;
  /** p50 of `SELECT 1` from Node through the same delay: what the distance alone costs. */
  floorMs: number;
  scale: { users: number; tweets: number; likes: number; follows: number };
  rows: Row[];
  graph: {
    driver: string;
    timeline: { following: string; first: number; deep: number }[];
    timelineRatio: number;
    post: { followers: number; p50: number; p99: number }[];
    postRatio: number;
    fanout: Fanout;
    /** The fan-out database's author (50,000 followers at the default scale); absent in older runs. */
    fanoutLarge?: Fanout;
    /** A repost by the 10,000-follower author, to its last follower; absent in older runs. */
    repostFanout?: Fanout;
  }[];
  pages: { driver: string; endpoint: string; smallMs: number; bigMs: number; ratio: number }[];
  /** The feature ratios of #19, #20 and #21 (absent in older runs). */
  features?: Feature[];
  bundle: { minifiedBytes: number; gzipBytes: number; startupMs?: number };
  seconds: number;
};

export type Feature = {
  driver: string;
  issue: string;
  measure: string;
  a: string;
  b: string;
  aMs: number;
  bMs: number;
  ratio: number;
  goal?: number;
  /**
   * How A and B were timed: interleaved, the endpoint table's rows (1 client), or as posting is
   * (`fanout`: each write alone after the previous fan-out drained, B right before A).
   */
  timed: "interleaved" | "rows" | "fanout";
};

const f = (n: number | undefined, d = 1) => (n === undefined ? "–" : n.toFixed(d));
const p50 = (rows: Row[], driver: string, name: string) =>
  rows.find((r) => r.driver === driver && r.endpoint === name)?.c1.p50;

/** The endpoint table: per driver, every endpoint at 1 and 10 clients, with what it cost. */
export function endpointTable(rows: Row[], rttMs: number, floorMs: number): string {
  const lines = [
    "| driver | endpoint | p50 ms (1 client) | p99 ms (1) | p50 ms (10 clients) | p99 ms (10) | req/s (10) | errors | DB round trips/req (setup incl.) | statements/req | workerd CPU ms/req | above GET / | p50 / RTT | p50 − RTT | p50 − distance |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const ceiling = (driver: string) =>
    rows.find((x) => x.driver === driver && x.endpoint === "GET / (no database)")?.cpuMs;
  for (const r of rows) {
    const base = ceiling(r.driver);
    const above = r.cpuMs === undefined || base === undefined ? undefined : Math.max(0, r.cpuMs - base);
    const trips =
      r.roundTrips === r.queryRoundTrips ? f(r.roundTrips, 2) : `${f(r.queryRoundTrips, 2)} (${f(r.roundTrips, 2)})`;
    lines.push(
      `| ${r.driver} | ${r.endpoint} | ${r.c1.p50} | ${r.c1.p99} | ${r.c10.p50} | ${r.c10.p99} | ${r.c10.rps} | ${r.c1.errors + r.c10.errors} | ${trips} | ${f(r.statements, 2)} | ${f(r.cpuMs, 2)} | ${f(above, 2)} | ${rttMs > 0 ? f(r.c1.p50 / rttMs, 2) : "–"} | ${f(r.c1.p50 - rttMs, 0)} | ${f(r.c1.p50 - floorMs, 1)} |`,
    );
  }
  return lines.join("\n");
}

/**
 * The drivers side by side, one row per endpoint: p50 at one client and database round trips per
 * request (connection setup included) for each, and the HTTP path's Worker CPU above GET /.
 */
export function driverTable(rows: Row[], floorMs: number): string {
  const drivers = [...new Set(rows.map((r) => r.driver))];
  const lines = [
    `| endpoint | ${drivers.map((d) => `${d} p50 ms`).join(" | ")} | ${drivers.map((d) => `${d} round trips`).join(" | ")} | http p50 − distance | http CPU ms above GET / |`,
    `|---|${drivers.map(() => "---:").join("|")}|${drivers.map(() => "---:").join("|")}|---:|---:|`,
  ];
  const ceiling = rows.find((x) => x.driver === "http" && x.endpoint === "GET / (no database)")?.cpuMs;
  for (const name of [...new Set(rows.map((r) => r.endpoint))]) {
    const of = (d: string) => rows.find((r) => r.driver === d && r.endpoint === name);
    const http = of("http");
    const cpu = http?.cpuMs === undefined || ceiling === undefined ? undefined : Math.max(0, http.cpuMs - ceiling);
    lines.push(
      `| ${name} | ${drivers.map((d) => f(of(d)?.c1.p50, 0)).join(" | ")} | ${drivers.map((d) => f(of(d)?.roundTrips, 2)).join(" | ")} | ${http ? f(http.c1.p50 - floorMs, 1) : "–"} | ${f(cpu, 2)} |`,
    );
  }
  return lines.join("\n");
}

/** Search and conversations against GET /tweets in the same run (goal: ≤ 2). */
export function relativeTable(rows: Row[], groups: string[]): string {
  const lines = ["| driver | endpoint | p50 ms | p99 ms | p50 / GET /tweets |", "|---|---|---:|---:|---:|"];
  for (const r of rows.filter((x) => groups.includes(x.group))) {
    const base = p50(rows, r.driver, "GET /tweets");
    lines.push(`| ${r.driver} | ${r.endpoint} | ${r.c1.p50} | ${r.c1.p99} | ${base ? f(r.c1.p50 / base, 2) : "–"} |`);
  }
  return lines.join("\n");
}

export function graphTable(graph: Results["graph"]): string {
  const g0 = graph[0];
  if (!g0) return "";
  const n = (x: number | string) => (typeof x === "number" ? x.toLocaleString("en") : x);
  const following = g0.timeline.map((t) => t.following);
  const followers = g0.post.map((p) => n(p.followers));
  const fanouts = [g0.fanout, ...(g0.fanoutLarge ? [g0.fanoutLarge] : [])].map((x) => n(x.followers));
  const lines = [
    `| driver | timeline p50 ms (first / deep page) following ${following.join(" · ")} | ${following.at(-1)} / ${following[0]} | POST /tweets p50 ms with ${followers.join(" · ")} followers | ${followers.at(-1)} / ${followers[0]} | ${fanouts.map((x) => `fan-out to ${x} followers (p50 / max)`).join(" | ")} | rows/s (${fanouts.at(-1)}) |${g0.repostFanout ? ` repost fan-out to ${n(g0.repostFanout.followers)} (p50 / max) |` : ""}`,
    `|---|---|---:|---|---:|${fanouts.map(() => "---").join("|")}|---:|${g0.repostFanout ? "---|" : ""}`,
  ];
  const delay = (x: Fanout) => `${f(x.p50Ms, 0)} ms / ${f(x.maxMs, 0)} ms`;
  for (const g of graph) {
    const tl = g.timeline.map((t) => `${f(t.first)} / ${f(t.deep)}`).join(" · ");
    const post = g.post.map((p) => f(p.p50)).join(" · ");
    // A run from before the large fan-out was measured has no figures for it.
    const large = g0.fanoutLarge ? [g.fanoutLarge ? delay(g.fanoutLarge) : "–"] : [];
    const rows = (g0.fanoutLarge ? g.fanoutLarge : g.fanout)?.rowsPerSecond;
    lines.push(
      `| ${g.driver} | ${tl} | ${f(g.timelineRatio, 2)} | ${post} | ${f(g.postRatio, 2)} | ${[delay(g.fanout), ...large].join(" | ")} | ${rows ?? "–"} |${g0.repostFanout ? ` ${g.repostFanout ? delay(g.repostFanout) : "–"} |` : ""}`,
    );
  }
  return lines.join("\n");
}

export function pagesTable(pages: Results["pages"]): string {
  const lines = ["| driver | list endpoint | 1k tweets ms | 1M tweets ms | ratio |", "|---|---|---:|---:|---:|"];
  for (const p of pages) lines.push(`| ${p.driver} | ${p.endpoint} | ${p.smallMs} | ${p.bigMs} | ${p.ratio} |`);
  return lines.join("\n");
}

/** The feature ratios: scenario A against B, p50 of each, A / B against its goal. */
export function featuresTable(features: Feature[]): string {
  const lines = [
    "| driver | issue | measure | scenario A | scenario B | p50 A ms | p50 B ms | A − B ms | A / B | goal | timed |",
    "|---|---|---|---|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const x of features)
    lines.push(
      `| ${x.driver} | ${x.issue} | ${x.measure} | ${x.a} | ${x.b} | ${f(x.aMs, 2)} | ${f(x.bMs, 2)} | ${f(x.aMs - x.bMs, 2)} | ${f(x.ratio, 2)} | ${x.goal === undefined ? "–" : `≤ ${x.goal} ${x.ratio <= x.goal ? "✓" : "✗"}`} | ${x.timed} |`,
    );
  return lines.join("\n");
}

export function report(r: Results): string {
  const m = r.machine;
  return [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, PostgreSQL ${m.postgres}; RTT to the database ${r.rttMs} ms`,
    `Data: ${r.scale.users.toLocaleString("en")} users, ${r.scale.tweets.toLocaleString("en")} tweets, ${r.scale.likes.toLocaleString("en")} likes, ~${r.scale.follows.toLocaleString("en")} follows`,
    "",
    `The distance alone (SELECT 1 from Node through the same delay): p50 ${r.floorMs} ms`,
    "",
    driverTable(r.rows, r.floorMs),
    "",
    "Every endpoint at 1 and 10 clients, per driver",
    "",
    endpointTable(r.rows, r.rttMs, r.floorMs),
    "",
    "Graph: the home timeline by number of accounts followed, posting by number of followers, fan-out delay",
    "",
    graphTable(r.graph),
    "",
    "Search and conversations, relative to GET /tweets in the same run (1 client)",
    "",
    relativeTable(r.rows, ["search", "conversations"]),
    "",
    "Pages at 1,000 vs 1,000,000 tweets (median of sequential requests)",
    "",
    pagesTable(r.pages),
    "",
    ...(r.features
      ? [
          "Feature ratios (#19, #20, #21): scenario A vs B in the same run (1 client)",
          "",
          featuresTable(r.features),
          "",
        ]
      : []),
    `Bundle: ${f(r.bundle.minifiedBytes / 1024, 0)} KiB minified, ${f(r.bundle.gzipBytes / 1024, 0)} KiB gzipped; start-up ${r.bundle.startupMs ?? "n/a"} ms (wrangler check startup)`,
  ].join("\n");
}

/** A chart of the 1-client p50 of every endpoint, per driver. */
export function svg(r: Results): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const colors: Record<string, string> = { http: "#2f6fdf", ws: "#d9822b", hyperdrive: "#1b9e5a" };
  const rows = r.rows.filter((x) => !x.endpoint.includes("login"));
  const left = 360;
  const area = 480;
  const max = Math.max(...rows.map((x) => x.c1.p99), 1);
  const scale = (ms: number) => Math.min(area, (ms / max) * area);
  let y = 50;
  const parts = [
    `<text x="10" y="24" font-size="16" font-weight="bold">Latency at one client, RTT ${r.rttMs} ms to the database (p50 solid, p99 light)</text>`,
  ];
  for (const x of rows) {
    const color = colors[x.driver] ?? "#888";
    parts.push(
      `<text x="${left - 8}" y="${y + 10}" font-size="11" text-anchor="end">${esc(`${x.driver} · ${x.endpoint}`)}</text>`,
    );
    parts.push(
      `<rect x="${left}" y="${y}" width="${scale(x.c1.p99).toFixed(1)}" height="12" fill="${color}" opacity="0.35"/>`,
    );
    parts.push(`<rect x="${left}" y="${y}" width="${scale(x.c1.p50).toFixed(1)}" height="12" fill="${color}"/>`);
    parts.push(
      `<text x="${left + scale(x.c1.p99) + 6}" y="${y + 10}" font-size="11">${x.c1.p50} / ${x.c1.p99} ms</text>`,
    );
    y += 15;
  }
  if (r.rttMs > 0) {
    const at = left + scale(r.rttMs);
    parts.push(`<line x1="${at}" x2="${at}" y1="40" y2="${y}" stroke="#c00" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${at + 4}" y="44" font-size="11" fill="#c00">RTT</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="${y + 20}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}
