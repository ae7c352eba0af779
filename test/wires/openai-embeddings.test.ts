import { dirname, join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeLlamaCppModels } from "../../runtime/providers/llamacpp/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { fakeVector } from "../fake-provider/embeddings.js";
import { readLedger } from "../helpers/read-ledger.js";
import { writeTinyGguf } from "../helpers/tiny-gguf.js";
import { SECRET, eventually, startTestServer, type TestServer } from "../server/support.js";
import { writeWireProject } from "./support.js";

let fake: FakeProvider;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  fake = await startFakeProvider();
  const file = await writeWireProject("vectors", "chat", [
    `{ name: chat, provider: openai, model: gpt-m, base_url: "${fake.url}/v1", api_key: test-key }`,
    `{ name: openai-embed, provider: openai, model: embed-a, base_url: "${fake.url}/v1", api_key: test-key, capabilities: { embeddings: true }, pricing: { input_per_1k: 0.5, output_per_1k: 0 } }`,
    `{ name: ollama-embed, provider: ollama, model: nomic-embed, base_url: "${fake.url}", capabilities: { embeddings: true } }`,
    `{ name: embed-first, provider: openai, model: embed-down, base_url: "${fake.url}/v1", api_key: test-key, capabilities: { embeddings: true }, fallbacks: [chat, embed-after] }`,
    `{ name: embed-after, provider: ollama, model: embed-up, base_url: "${fake.url}", capabilities: { embeddings: true } }`,
    `{ name: embed-limited, provider: openai, model: embed-a, base_url: "${fake.url}/v1", api_key: test-key, capabilities: { embeddings: true }, limits: { rpm: 1 }, fallbacks: [embed-after] }`,
    `{ name: local-embed, provider: llamacpp, model: ./tiny.gguf, llamacpp: { threads: 1 }, capabilities: { embeddings: true } }`,
  ]);
  dir = dirname(file);
  writeTinyGguf(join(dir, "tiny.gguf"), { seed: 7 });
  server = await startTestServer([file]);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
  await disposeLlamaCppModels();
});

function client(): OpenAI {
  return server.client("tests/vectors", { apiKey: SECRET });
}

const upstreamModel = { "openai-embed": "embed-a", "ollama-embed": "nomic-embed" } as const;

describe("POST /v1/embeddings through the openai client", () => {
  for (const model of ["openai-embed", "ollama-embed"] as const) {
    describe(`answered by the ${model === "openai-embed" ? "OpenAI" : "Ollama"} wire`, () => {
      it("one input: its vector (the SDK's base64 default decoded), the model and usage", async () => {
        const result = await client().embeddings.create({ model, input: "hello world" });
        expect(result.object).toBe("list");
        expect(result.model).toBe(model);
        expect(result.data).toHaveLength(1);
        expect(result.data[0]!.index).toBe(0);
        expect(result.data[0]!.embedding).toEqual(fakeVector("hello world").map((x) => Math.fround(x)));
        expect(result.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
        const sent = fake.requests.at(-1)!;
        expect(sent.path).toBe(model === "openai-embed" ? "/v1/embeddings" : "/api/embed");
        expect(sent.model).toBe(upstreamModel[model]);
      });

      it("a batch: every input in one upstream call, the vectors in input order, as floats when asked", async () => {
        const before = fake.requests.length;
        const inputs = ["first text", "second", "third one here"];
        const result = await client().embeddings.create({ model, input: inputs, encoding_format: "float" });
        expect(result.data.map((d) => d.index)).toEqual([0, 1, 2]);
        expect(result.data.map((d) => d.embedding)).toEqual(inputs.map((input) => fakeVector(input)));
        expect(fake.requests.length - before).toBe(1);
        expect((fake.requests.at(-1)!.body as { input: unknown }).input).toEqual(inputs);
      });
    });
  }

  it("token arrays go to an OpenAI-wire model as they are", async () => {
    const result = await client().embeddings.create({ model: "openai-embed", input: [[1, 2, 3], [4, 5]], encoding_format: "float" });
    expect(result.data.map((d) => d.embedding)).toEqual([fakeVector([1, 2, 3]), fakeVector([4, 5])]);
    expect(result.usage.prompt_tokens).toBe(5);
  });

  it("dimensions reach the provider", async () => {
    const result = await client().embeddings.create({ model: "openai-embed", input: "short", dimensions: 4, encoding_format: "float" });
    expect(result.data[0]!.embedding).toEqual(fakeVector("short", 4));
    expect((fake.requests.at(-1)!.body as { dimensions: unknown }).dimensions).toBe(4);
  });

  it("a failing first model falls back to the next embeddings model, passing over a chat model in the chain", async () => {
    fake.always("embed-down", { fault: "status", status: 503, message: "unavailable" });
    try {
      const response = await client().embeddings.create({ model: "embed-first", input: ["a b", "c"], encoding_format: "float" }).withResponse();
      expect(response.response.headers.get("x-lf-model")).toBe("embed-after");
      expect(response.data.model).toBe("embed-after");
      expect(response.data.data.map((d) => d.embedding)).toEqual([fakeVector("a b"), fakeVector("c")]);
      expect(fake.requests.some((r) => r.model === "gpt-m" && r.path.includes("embed"))).toBe(false);
    } finally {
      fake.clear("embed-down");
    }
  });

  it("a model over its limits passes the request to its fallback, as a chat would", async () => {
    const first = await client().embeddings.create({ model: "embed-limited", input: "one", encoding_format: "float" });
    expect(first.model).toBe("embed-limited");
    const second = await client().embeddings.create({ model: "embed-limited", input: "two", encoding_format: "float" }).withResponse();
    expect(second.data.model).toBe("embed-after");
    expect(second.response.headers.get("x-lf-attempts")).toBe("1");
    expect(second.data.data[0]!.embedding).toEqual(fakeVector("two"));
  });

  it("in process with llama.cpp: one vector per input, of the model's width, the same input the same vector", async () => {
    const result = await client().embeddings.create({ model: "local-embed", input: ["the cat", "a dog", "the cat"], encoding_format: "float" });
    expect(result.data).toHaveLength(3);
    const [a, b, c] = result.data.map((d) => d.embedding);
    expect(a!.length).toBe(64);
    expect(a!.every(Number.isFinite)).toBe(true);
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
    expect(result.usage.prompt_tokens).toBeGreaterThan(2);
  }, 60_000);

  it("the root route takes namespace/project/model", async () => {
    const result = await server.client(undefined, { apiKey: SECRET }).embeddings.create({ model: "tests/vectors/openai-embed", input: "root", encoding_format: "float" });
    expect(result.model).toBe("tests/vectors/openai-embed");
    expect(result.data[0]!.embedding).toEqual(fakeVector("root"));
  });

  it("each request is a ledger row: served model, input tokens, cost from the model's price", async () => {
    await client().embeddings.create({ model: "openai-embed", input: "one two three four", encoding_format: "float", user: "ledger-check" });
    await eventually(() => {
      const rows = readLedger(dir, "SELECT requested_model, served_model, provider, input_tokens, output_tokens, estimated, cost, outcome FROM requests WHERE served_model = 'openai-embed' ORDER BY id");
      expect(rows.at(-1)).toEqual({ requested_model: "openai-embed", served_model: "openai-embed", provider: "openai", input_tokens: 4, output_tokens: 0, estimated: 0, cost: 0.002, outcome: "ok" });
    });
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${SECRET}` } })).text();
    const line = (name: string, ...labels: string[]) => metrics.split("\n").find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
    expect(line("lf_requests_total", 'model="openai-embed"', 'outcome="ok"', 'stream="false"')).toMatch(/ \d+$/);
    expect(line("lf_tokens_total", 'model="openai-embed"', 'direction="input"', 'estimated="false"')).toMatch(/ \d+$/);
    expect(line("lf_cost_dollars_total", 'model="openai-embed"')).toBeDefined();
    await eventually(() => {
      const fallback = readLedger(dir, "SELECT served_model, fallback_depth FROM requests WHERE requested_model = 'embed-first' AND outcome = 'ok'");
      expect(fallback.at(-1)).toEqual({ served_model: "embed-after", fallback_depth: 1 });
    });
  });
});

describe("errors in OpenAI's shape, raised as the SDK's typed errors", () => {
  it("a chat model asked for embeddings is a BadRequestError naming the model and the capability", async () => {
    const error = await client().embeddings.create({ model: "chat", input: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const typed = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(typed.message).toContain('"chat"');
    expect(typed.message).toContain("embeddings");
    expect(typed.param).toBe("model");
  });

  it("an embeddings model asked to chat is a BadRequestError naming the model and the capability", async () => {
    const error = await client().chat.completions.create({ model: "openai-embed", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('"openai-embed" is an embeddings model');
    expect((error as Error).message).toContain("capabilities.embeddings");
  });

  it("an unknown model is a NotFoundError", async () => {
    const error = await client().embeddings.create({ model: "nope", input: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("an empty input is a BadRequestError naming the field", async () => {
    const error = await client().embeddings.create({ model: "openai-embed", input: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("input");
  });

  it("token arrays to an Ollama model are a BadRequestError: Ollama embeds text only", async () => {
    const error = await client().embeddings.create({ model: "ollama-embed", input: [[1, 2]] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("text only");
  });

  it("every model failing is a server error", async () => {
    fake.always("embed-down", { fault: "status", status: 500, message: "broken" });
    fake.always("embed-up", { fault: "status", status: 500, message: "broken" });
    try {
      const error = await client().embeddings.create({ model: "embed-first", input: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(502);
      expect((error as Error).message).toContain("No model could answer");
    } finally {
      fake.clear("embed-down");
      fake.clear("embed-up");
    }
  });
});
