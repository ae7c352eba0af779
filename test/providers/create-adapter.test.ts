import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectStream, type ModelCallOptions } from "../../runtime/core/index.js";
import { apiKeyStatus, createAdapter } from "../../runtime/providers/index.js";
import { LlamaCppAdapter } from "../../runtime/providers/llamacpp/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

const hello: ModelCallOptions = { messages: [{ role: "user", content: "hi" }], parameters: {} };

describe("createAdapter", () => {
  it("builds each provider's adapter, reading keys and OLLAMA_HOST from the env record", async () => {
    const env = { OPENAI_API_KEY: "sk-openai-0123456789", ANTHROPIC_API_KEY: "sk-ant-0123456789", OLLAMA_HOST: "gpu-box:11500" };
    const openai = await createAdapter({ provider: "openai", modelId: "gpt-4o" }, env);
    expect(openai).toMatchObject({ provider: "openai", modelId: "gpt-4o" });
    expect(openai.preview!(hello)).toMatchObject({ url: "https://api.openai.com/v1/chat/completions", headers: { authorization: "Bearer sk-…****" } });

    const anthropic = await createAdapter({ provider: "anthropic", modelId: "claude-sonnet-4-5" }, env);
    expect(anthropic.preview!(hello)).toMatchObject({ url: "https://api.anthropic.com/v1/messages", headers: { "x-api-key": "sk-…****" } });

    expect((await createAdapter({ provider: "ollama", modelId: "llama3.2" }, env)).preview!(hello).url).toBe("http://gpu-box:11500/api/chat");
    expect((await createAdapter({ provider: "ollama", modelId: "llama3.2", baseUrl: "http://localhost:11434/v1" }, env)).preview!(hello).url).toBe("http://localhost:11434/api/chat");

    const universal = await createAdapter({ provider: "universal", modelId: "qwen" }, env);
    expect(universal.provider).toBe("universal");
    // LlamaFarm's local runtimes are not OpenAI: OPENAI_API_KEY is not theirs.
    expect(universal.preview!(hello)).toMatchObject({ url: "http://localhost:11540/v1/chat/completions" });
    expect(universal.preview!(hello).headers.authorization).toBeUndefined();
    expect((await createAdapter({ provider: "lemonade", modelId: "qwen" }, env)).preview!(hello).url).toBe("http://localhost:11534/api/v1/chat/completions");

    const llama = await createAdapter({ provider: "llamacpp", modelId: "/models/tiny.gguf", llamacpp: { maxContexts: 2 } }, env);
    expect(llama).toBeInstanceOf(LlamaCppAdapter);
    expect(llama.modelId).toBe("/models/tiny.gguf");
  });

  it("passes headers, extra_body and the injected fetch through to a working call", async () => {
    fake.script("m", "ok");
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const adapter = await createAdapter({ provider: "openai", modelId: "m", baseUrl: `${fake.url}/v1`, apiKey: "local-key-123", headers: { "X-Team": "lf" }, extraBody: { keep: 1 } }, {}, { fetch: counting });
    expect((await collectStream(adapter.stream(hello))).text).toBe("ok");
    expect(calls).toBe(1);
    expect(fake.requests.at(-1)).toMatchObject({ headers: { authorization: "Bearer local-key-123", "x-team": "lf" }, body: { keep: 1 } });
  });
});

describe("apiKeyStatus", () => {
  it("says where each model's key comes from, never what it is", () => {
    expect(apiKeyStatus({ provider: "openai" }, {})).toMatchObject({ from: "none", envVar: "OPENAI_API_KEY", missing: true, advice: expect.stringContaining("OPENAI_API_KEY") });
    expect(apiKeyStatus({ provider: "openai" }, { OPENAI_API_KEY: "sk-openai-0123456789" })).toEqual({ from: "env", envVar: "OPENAI_API_KEY", masked: "sk-…****", missing: false, advice: expect.any(String) });
    expect(apiKeyStatus({ provider: "anthropic", apiKey: "sk-ant-0123456789" }, {})).toMatchObject({ from: "config", masked: "sk-…****", missing: false });
    expect(apiKeyStatus({ provider: "anthropic" }, {})).toMatchObject({ missing: true, advice: expect.stringContaining("ANTHROPIC_API_KEY") });
    expect(apiKeyStatus({ provider: "openai", baseUrl: "http://localhost:8080/v1" }, { OPENAI_API_KEY: "sk-openai-0123456789" })).toMatchObject({ from: "none", missing: false });
    expect(apiKeyStatus({ provider: "openai", baseUrl: "http://localhost:8080/v1" }, {})).toMatchObject({ from: "none", missing: false });
    expect(apiKeyStatus({ provider: "universal" }, { OPENAI_API_KEY: "sk-openai-0123456789" })).toMatchObject({ from: "none", missing: false });
    expect(apiKeyStatus({ provider: "ollama" }, {})).toMatchObject({ from: "none", missing: false });
    expect(apiKeyStatus({ provider: "llamacpp" }, {})).toMatchObject({ from: "none", missing: false, advice: "no key is used" });
  });
});
