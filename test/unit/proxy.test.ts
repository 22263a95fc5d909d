import { describe, expect, it } from "vitest";
import { terminateWatcher } from "../../scripts/lib/proxy";

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

describe("the proxy's Terminate detection", () => {
  it("sees Terminate after startup and queries, also split across chunks", () => {
    const watch = terminateWatcher();
    const stream = Buffer.concat([startup(), typed("Q", Buffer.from("SELECT 'X'\0")), typed("X")]);
    const cut = stream.length - 3;
    expect(watch(stream.subarray(0, cut))).toBe(false);
    expect(watch(stream.subarray(cut))).toBe(true);
  });

  it("does not mistake an 'X' inside a query or the startup message for Terminate", () => {
    const watch = terminateWatcher();
    expect(watch(startup())).toBe(false);
    expect(watch(typed("Q", Buffer.from("X\0")))).toBe(false);
  });
});
