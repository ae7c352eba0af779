import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../runtime/index.js";
import { FileSessionStore } from "../../runtime/server/file-session-store.js";
import { RedisSessionStore } from "../../runtime/server/redis-session-store.js";
import { keptFrom, type SessionSettings, type SessionStore } from "../../runtime/server/session-store.js";
import { connectRedis, describeRedisUrl } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { RedisServer } from "../state/support/redis-server.js";
import { tempDir } from "./support.js";

let redis: RedisServer;
const opened: SessionStore[] = [];
let projects = 0;

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await Promise.allSettled(opened.map((store) => store.close()));
  await redis?.stop();
});

/** Makes stores over one place: two from the same call see the same sessions (two instances). */
type Place = (settings?: Partial<SessionSettings>) => { make: () => SessionStore; clock: ManualClock };

const files: Place = (settings = {}) => {
  const dir = tempDir();
  const clock = new ManualClock(1_700_000_000_000);
  // Files serve one process: its "instances" are one store.
  const store = new FileSessionStore(dir, settings, clock);
  opened.push(store);
  return { clock, make: () => store };
};

const inRedis: Place = (settings = {}) => {
  const project = `tests/p${++projects}`;
  const clock = new ManualClock(1_700_000_000_000);
  return {
    clock,
    make: () => {
      const store = new RedisSessionStore(connectRedis(redis.url), { keyPrefix: "lf-test:", project, describe: describeRedisUrl(redis.url), settings, clock });
      opened.push(store);
      return store;
    },
  };
};

const turn = (n: number, extra: ChatMessage[] = []): ChatMessage[] => [{ role: "user", content: `q${n}` }, ...extra, { role: "assistant", content: `a${n}` }];

function describeContract(name: string, place: Place): void {
  describe(`${name}: the session store contract`, () => {
    it("keeps turns in order, without system messages, with tool calls and results, until removed", async () => {
      const store = place().make();
      await store.append("s1", "tests/p", [{ role: "system", content: "be brief" }, ...turn(1)]);
      await store.append("s1", "tests/p", [
        { role: "user", content: "weather?" },
        { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "get_weather", arguments: "{}" }] },
        { role: "tool", content: "sunny", toolCallId: "c1" },
        { role: "assistant", content: "Sunny." },
      ]);
      const record = await store.read("s1");
      expect(record).toMatchObject({ id: "s1", project: "tests/p", created_at: 1_700_000_000_000, updated_at: 1_700_000_000_000 });
      expect(record!.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "tool", "assistant"]);
      const history = await store.history("s1");
      expect(history[3]!.toolCalls).toEqual([{ id: "c1", name: "get_weather", arguments: "{}" }]);
      expect(history[4]!.toolCallId).toBe("c1");
      expect(await store.read("other")).toBeUndefined();
      expect(await store.remove("s1")).toBe(true);
      expect(await store.remove("s1")).toBe(false);
      expect(await store.history("s1")).toEqual([]);
    });

    it("drops the oldest turns past max_messages, starting again at a user message", async () => {
      const store = place({ maxMessages: 5 }).make();
      for (let n = 1; n <= 4; n++) await store.append("s", "tests/p", turn(n));
      expect((await store.read("s"))!.messages.map((m) => m.content)).toEqual(["q3", "a3", "q4", "a4"]);
    });

    it("drops the oldest turns past max_size, and always keeps the newest turn", async () => {
      const store = place({ maxBytes: 260 }).make();
      const long = "x".repeat(60);
      for (let n = 1; n <= 3; n++) await store.append("s", "tests/p", [{ role: "user", content: `${n}${long}` }, { role: "assistant", content: `${n}` }]);
      // Each turn is 124 bytes of JSON: two fit in 260.
      expect((await store.read("s"))!.messages.map((m) => String(m.content).slice(0, 1))).toEqual(["2", "2", "3", "3"]);
      await store.append("s", "tests/p", [{ role: "user", content: "y".repeat(500) }, { role: "assistant", content: "big" }]);
      expect((await store.read("s"))!.messages.map((m) => m.content)).toEqual(["y".repeat(500), "big"]);
    });

    it("keeps every turn of 20 answered at once, from two instances, each turn whole", async () => {
      const { make } = place();
      const a = make();
      const b = make();
      await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? a : b).append("busy", "tests/p", turn(n))));
      const messages = (await a.read("busy"))!.messages.map((m) => String(m.content));
      expect(messages).toHaveLength(40);
      for (let i = 0; i < 40; i += 2) expect(messages[i + 1]).toBe(messages[i]!.replace("q", "a"));
      expect(new Set(messages.filter((m) => m.startsWith("q")))).toEqual(new Set(Array.from({ length: 20 }, (_, n) => `q${n}`)));
      expect(await b.history("busy")).toHaveLength(40);
    });

    it("answers whether it is reachable", async () => {
      expect(await place().make().check()).toEqual({ ok: true });
    });
  });
}

describeContract("files", files);
describeContract("Redis", inRedis);

describe("session TTL", () => {
  it("files: a session is forgotten ttl after its last turn, and a sweep deletes it", async () => {
    const { make, clock } = files({ ttlMs: 60_000 });
    const store = make() as FileSessionStore;
    await store.append("s", "tests/p", turn(1));
    await clock.advance(59_000);
    await store.append("s", "tests/p", turn(2));
    await clock.advance(59_000);
    expect(await store.history("s")).toHaveLength(4);
    await clock.advance(1000);
    expect(await store.read("s")).toBeUndefined();
    expect(await store.sweep()).toBe(1);
    await store.append("s", "tests/p", turn(3));
    expect((await store.read("s"))!.messages.map((m) => m.content)).toEqual(["q3", "a3"]);
  });

  it("Redis: both keys of a session expire ttl after its last turn", async () => {
    const { make } = inRedis({ ttlMs: 400 });
    const store = make();
    await store.append("s", "tests/p", turn(1));
    const probe = connectRedis(redis.url);
    await new Promise((resolve) => probe.once("ready", resolve));
    try {
      const keys = await probe.keys("lf-test:session:*");
      const ours = keys.filter((k) => k.includes(`/s}`));
      expect(ours.length).toBeGreaterThanOrEqual(2);
      for (const key of ours) expect(await probe.pttl(key)).toBeGreaterThan(0);
      const deadline = Date.now() + 5000;
      while ((await store.read("s")) !== undefined) {
        if (Date.now() > deadline) throw new Error("the session did not expire");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      probe.disconnect();
    }
  });
});

describe("the Redis session store while Redis is down", () => {
  it("refuses every call at once with a 503 that names the store, and serves again once Redis is back", async () => {
    const store = inRedis().make();
    await store.append("s", "tests/p", turn(1));
    await redis.stop();
    try {
      const started = Date.now();
      for (const call of [() => store.history("s"), () => store.append("s", "tests/p", turn(2)), () => store.remove("s")]) {
        const failure = (await call().catch((error: unknown) => error)) as { status?: number; code?: string; message?: string };
        expect(failure).toMatchObject({ status: 503, code: "session_store_unavailable" });
        expect(failure.message).toContain(`Redis at 127.0.0.1:${redis.url.split(":").pop()}`);
        expect(failure.message).toContain("session s");
      }
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await store.check()).toMatchObject({ ok: false });
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 10_000;
    while (!(await store.check()).ok) {
      if (Date.now() > deadline) throw new Error("the store did not reconnect");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The restarted Redis kept nothing (no persistence); the store works again.
    await store.append("s", "tests/p", turn(3));
    expect(await store.history("s")).toHaveLength(2);
  });
});

describe("keptFrom", () => {
  const m = (roles: string) => [...roles].map((r) => ({ user: r === "u", bytes: 10 }));
  it("keeps everything within the caps", () => expect(keptFrom(m("uaua"), 4, 40)).toBe(0));
  it("starts at a user message", () => expect(keptFrom(m("uatauaua"), 5, 1000)).toBe(4));
  it("keeps the newest user message and what follows, even over the caps", () => expect(keptFrom(m("uauaat"), 2, 15)).toBe(2));
  it("trims by count alone when no message is a user's", () => expect(keptFrom(m("aaaa"), 2, 1000)).toBe(2));
});
