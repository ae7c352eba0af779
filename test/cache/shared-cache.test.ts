import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { startTestServer, type TestServer } from "../server/support.js";
import { RedisServer } from "../state/support/redis-server.js";
import { ALPHA_KEY, callsTo, writeCachedProject } from "./support.js";

/** Two gateways, each with its own project folder (as on two machines), sharing one real redis-server. */
let redis: RedisServer;
let fake: FakeProvider;
const instances: TestServer[] = [];

beforeAll(async () => {
  [redis, fake] = await Promise.all([RedisServer.start(), startFakeProvider()]);
  fake.always("gpt-fast", { text: ["Shared ", "by ", "both."] });
  for (let i = 0; i < 2; i++) {
    const { file } = await writeCachedProject(fake.url, { name: "alpha", state: `state:\n  redis_url: ${redis.url}\n  key_prefix: "lf-cache-test:"` });
    instances.push(await startTestServer([file], { level: "warn" }));
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(instances.map((i) => i.close()));
  await Promise.allSettled([fake?.close(), redis?.stop()]);
});

describe("the response cache in Redis", () => {
  it("answers on one instance what the other asked the model, whole and streamed", async () => {
    const messages = [{ role: "user" as const, content: "asked on the first instance" }];
    const first = await instances[0]!.client("tests/alpha", { apiKey: ALPHA_KEY }).chat.completions.create({ model: "fast", messages }).withResponse();
    expect(first.response.headers.get("x-lf-cache")).toBe("miss");
    const second = await instances[1]!.client("tests/alpha", { apiKey: ALPHA_KEY }).chat.completions.create({ model: "fast", messages }).withResponse();
    expect(second.response.headers.get("x-lf-cache")).toBe("hit");
    expect(second.data.choices[0]!.message.content).toBe("Shared by both.");
    expect(callsTo(fake.requests, "gpt-fast")).toBe(1);

    const streamed = [{ role: "user" as const, content: "streamed on the second instance" }];
    const read = async (instance: number) => {
      const { data, response } = await instances[instance]!.client("tests/alpha", { apiKey: ALPHA_KEY }).chat.completions.create({ model: "fast", messages: streamed, stream: true }).withResponse();
      const deltas: string[] = [];
      for await (const chunk of data) deltas.push(chunk.choices[0]?.delta?.content ?? "");
      return { deltas, cache: response.headers.get("x-lf-cache") };
    };
    const kept = await read(1);
    const replayed = await read(0);
    expect([kept.cache, replayed.cache]).toEqual(["miss", "hit"]);
    expect(replayed.deltas).toEqual(kept.deltas);
    expect(callsTo(fake.requests, "gpt-fast")).toBe(2);
  });

  it("answers from a model while Redis is away: a miss, never a failed request", async () => {
    await redis.stop();
    const before = callsTo(fake.requests, "gpt-fast");
    const messages = [{ role: "user" as const, content: "asked while Redis is away" }];
    for (let i = 0; i < 2; i++) {
      const { data, response } = await instances[0]!.client("tests/alpha", { apiKey: ALPHA_KEY }).chat.completions.create({ model: "fast", messages }).withResponse();
      expect(response.headers.get("x-lf-cache")).toBe("miss");
      expect(data.choices[0]!.message.content).toBe("Shared by both.");
    }
    expect(callsTo(fake.requests, "gpt-fast")).toBe(before + 2);
  });
});
