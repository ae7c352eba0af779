import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fakeVector } from "./embeddings.js";
import { startFakeProvider, type FakeProvider } from "./index.js";

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

describe("the fake's embedding endpoints, read by the official clients", () => {
  it("OpenAI's /v1/embeddings: one deterministic vector per input, in order, as floats or the SDK's base64", async () => {
    const openai = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: "k", maxRetries: 0 });
    const floats = await openai.embeddings.create({ model: "embed", input: ["a b", "c"], encoding_format: "float" });
    expect(floats.data.map((d) => d.embedding)).toEqual([fakeVector("a b"), fakeVector("c")]);
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const decoded = await openai.embeddings.create({ model: "embed", input: "a b" });
    expect(decoded.data[0]!.embedding).toEqual(fakeVector("a b").map((x) => Math.fround(x)));
    expect(fake.requests.map((r) => [r.format, r.path])).toEqual([
      ["openai", "/v1/embeddings"],
      ["openai", "/v1/embeddings"],
    ]);
  });

  it("Ollama's /api/embed: embeddings and prompt_eval_count", async () => {
    const response = await new Ollama({ host: fake.url }).embed({ model: "nomic", input: ["x", "y z"] });
    expect(response.embeddings).toEqual([fakeVector("x"), fakeVector("y z")]);
    expect(response.prompt_eval_count).toBe(3);
  });

  it("a scripted fault spoils an embeddings call as it does a chat", async () => {
    fake.script("embed", { fault: "status", status: 429, message: "slow down" });
    const error = await new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: "k", maxRetries: 0 }).embeddings.create({ model: "embed", input: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  });
});
