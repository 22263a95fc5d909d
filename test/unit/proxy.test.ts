import { describe, expect, it } from "vitest";
import { awaitsAnswer, frontendMessages, STARTUP } from "../../scripts/stack/pg-wire";

const startup = () => {
  const body = Buffer.from("user\0postgres\0database\0postgres\0\0");
  const msg = Buffer.alloc(8 + body.length);
  msg.writeInt32BE(msg.length, 0);
  msg.writeInt32BE(196608, 4);
  body.copy(msg, 8);
  return msg;
};
const typed = (type: string, payload = Buffer.alloc(0)) => {
  const msg = Buffer.alloc(5 + payload.length);
  msg.write(type, 0);
  msg.writeInt32BE(4 + payload.length, 1);
  payload.copy(msg, 5);
  return msg;
};

describe("the Postgres frontend stream watcher (Terminate, statements, round trips)", () => {
  it("sees Terminate after startup and queries, also split across chunks", () => {
    const watch = frontendMessages();
    const stream = Buffer.concat([startup(), typed("Q", Buffer.from("SELECT 'X'\0")), typed("X")]);
    const cut = stream.length - 3;
    expect(watch(stream.subarray(0, cut))).toEqual([STARTUP, "Q"]);
    expect(watch(stream.subarray(cut))).toEqual(["X"]);
  });

  it("does not mistake an 'X' inside a query or the startup message for Terminate", () => {
    const watch = frontendMessages();
    expect(watch(startup())).toEqual([STARTUP]);
    expect(watch(typed("Q", Buffer.from("X\0")))).toEqual(["Q"]);
    expect(watch(Buffer.concat([typed("P"), typed("B"), typed("E"), typed("S")]))).toEqual(["P", "B", "E", "S"]);
  });
});

describe("round trips", () => {
  it("are the messages a client waits on: one per Sync or Query, not one per message", () => {
    const watch = frontendMessages();
    const waits = (chunk: Buffer) => watch(chunk).filter(awaitsAnswer).length;
    expect(waits(startup())).toBe(1);
    // pg: Parse, Bind, Describe, Execute, Sync sent together: one round trip.
    expect(waits(Buffer.concat([typed("P"), typed("B"), typed("D"), typed("E"), typed("S")]))).toBe(1);
    // postgres.js describing first: Parse, Describe, Flush, then Bind, Execute, Sync: two.
    expect(
      waits(Buffer.concat([typed("P"), typed("D"), typed("H")])) +
        waits(Buffer.concat([typed("B"), typed("E"), typed("S")])),
    ).toBe(2);
    expect(waits(typed("X"))).toBe(0);
  });
});

describe("the proxy's target", () => {
  it("refuses any address but the configured database (no open relay)", async () => {
    const { startProxy } = await import("../../scripts/stack/ws-proxy");
    const { WebSocket } = await import("ws");
    const proxy = await startProxy({ target: { host: "127.0.0.1", port: 5999 } });
    try {
      const code = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${proxy.url}/v1?address=169.254.169.254:80`);
        ws.on("close", (c) => resolve(c));
        ws.on("error", () => resolve(-1));
      });
      expect(code).toBe(1008);
      expect(proxy.stats.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
