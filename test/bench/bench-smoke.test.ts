import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseStampReader, contentOf, measureStream } from "../../bench/chunk-delay.js";
import { summarizeProfile } from "../../bench/cpu-profile.js";
import { startFloorProxy, type FloorProxy } from "../../bench/floor-proxy.js";
import { chatBody, runLoadPoint } from "../../bench/load-point.js";
import { makeStamp, startFakeProvider, stripStamps, type FakeProvider } from "../fake-provider/index.js";

// Correctness of the benchmark's pieces only: figures from a test run mean nothing, so none are asserted.
let fake: FakeProvider;
let stamped: FakeProvider;
let floor: FloorProxy;
let stampedFloor: FloorProxy;

beforeAll(async () => {
  fake = await startFakeProvider({ defaultReply: "Hello from the fake provider." });
  stamped = await startFakeProvider({ stamp: "hrtime", defaultReply: { text: "abcdef", chunks: 3 } });
  floor = await startFloorProxy(fake.url);
  stampedFloor = await startFloorProxy(stamped.url);
});

afterAll(async () => {
  await Promise.all([floor?.close(), stampedFloor?.close()]);
  await Promise.all([fake?.close(), stamped?.close()]);
});

const post = (url: string, body: string) => fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sk-x" }, body });

describe("floor proxy", () => {
  it("forwards a JSON request and its answer unchanged", async () => {
    fake.reset();
    const response = await post(floor.url, chatBody("fake-model", false));
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]?.message.content).toBe("Hello from the fake provider.");
    const [seen] = await fake.waitForRequests(1);
    expect(seen?.body).toEqual(JSON.parse(chatBody("fake-model", false)));
    expect(seen?.headers.authorization).toBe("Bearer sk-x");
  });

  it("forwards a stream event by event", async () => {
    const response = await post(floor.url, chatBody("fake-model", true));
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = (await response.text()).split("\n\n").filter((event) => event !== "");
    expect(events.map(contentOf).join("")).toBe("Hello from the fake provider.");
    expect(events.at(-1)).toBe("data: [DONE]");
  });

  it("answers 400 to a body that is not JSON", async () => {
    const response = await post(floor.url, "{not json");
    expect(response.status).toBe(400);
  });
});

describe("chunk delay client", () => {
  it("finds every stamp however the bytes are split, and ignores what is not content", () => {
    const events = ["a", "b", "c"].map((text) => `data: ${JSON.stringify({ choices: [{ delta: { content: `${makeStamp("hrtime")}${text}` } }] })}\n\n`);
    const raw = `: keep-alive\n\n${events.join("")}data: [DONE]\n\n`;
    const reader = new SseStampReader();
    for (let at = 0; at < raw.length; at += 7) reader.push(raw.slice(at, at + 7), Number.MAX_SAFE_INTEGER);
    expect(reader.ages).toHaveLength(3);
    expect(reader.ages.every((age) => age > 0)).toBe(true);
    expect(stripStamps(events.map(contentOf).join(""))).toBe("abc");
  });

  it("reads stamped chunks through the floor", async () => {
    const timing = await measureStream(`${stampedFloor.url}/v1/chat/completions`, chatBody("fake-model", true));
    expect(timing.status).toBe(200);
    expect(timing.ages).toHaveLength(3);
    expect(timing.ages.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(timing.firstChunkMs)).toBe(true);
  });
});

describe("load point", () => {
  it("drives a target and counts its answers", async () => {
    const result = await runLoadPoint({ url: `${floor.url}/v1/chat/completions`, model: "fake-model" }, { connections: 2, stream: false, durationS: 0.3, warmupS: 0 });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors + result.non2xx).toBe(0);
    expect(Number.isFinite(result.p50)).toBe(true);
  });
});

describe("cpu profile summary", () => {
  it("charges each sample's gap to its frame, groups by where the code lives and by the lf function that called it", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 0, callFrame: frame("(root)", ""), children: [1, 3] },
        { id: 1, callFrame: frame("(idle)", "") },
        { id: 3, callFrame: frame("route", "file:///repo/dist/runtime/routing/chain.js"), children: [2] },
        { id: 2, callFrame: frame("parse", "file:///repo/node_modules/pino/lib/x.js") },
      ],
      startTime: 1000,
      samples: [1, 2, 3, 2],
      timeDeltas: [0, 500, 1000, 2000, 0],
    };
    const summary = summarizeProfile(profile, "/repo");
    expect(summary.idleMs).toBe(0.5);
    expect(summary.busyMs).toBe(3);
    expect(summary.functions[0]).toMatchObject({ name: "route dist/runtime/routing/chain.js:1", selfMs: 2 });
    expect(summary.areas.map((a) => a.name)).toEqual(["dist/runtime/routing/", "node_modules/pino"]);
    expect(summary.lfCallers).toEqual([{ name: "route dist/runtime/routing/chain.js:1", selfMs: 3, share: 1 }]);
    // Samples at 1000, 1500, 2500, 4500 µs: a window around the middle two keeps only them.
    expect(summarizeProfile(profile, "/repo", [1400, 2600]).busyMs).toBe(3);
    expect(summarizeProfile(profile, "/repo", [2000, 5000]).busyMs).toBe(2);
  });
});
