import { describe, expect, it } from "vitest";
import { convertToChatHistory } from "../../runtime/providers/llamacpp/convert-to-chat-history.js";
import { mapParameters, contextSizeOf } from "../../runtime/providers/llamacpp/map-parameters.js";

describe("convertToChatHistory", () => {
  it("maps roles and ends with the model turn to generate", () => {
    expect(
      convertToChatHistory([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: [{ type: "text", text: "How " }, { type: "text", text: "are you?" }] },
      ]),
    ).toEqual([
      { type: "system", text: "Be brief." },
      { type: "user", text: "Hi" },
      { type: "model", response: ["Hello."] },
      { type: "user", text: "How are you?" },
      { type: "model", response: [] },
    ]);
  });

  it("folds tool calls, their results and the follow-up text into one model response", () => {
    const history = convertToChatHistory([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "weather", arguments: '{"city":"Paris"}' }] },
      { role: "tool", toolCallId: "c1", content: "sunny" },
    ]);
    expect(history).toEqual([
      { type: "user", text: "Weather in Paris?" },
      { type: "model", response: [{ type: "functionCall", name: "weather", params: { city: "Paris" }, result: "sunny" }] },
    ]);
  });

  it("keeps an orphan tool result as text the model can read", () => {
    const history = convertToChatHistory([{ role: "tool", toolCallId: "nope", name: "clock", content: "12:00" }]);
    expect(history[0]).toEqual({ type: "user", text: "Result of tool clock:\n12:00" });
  });

  it("refuses images", () => {
    expect(() => convertToChatHistory([{ role: "user", content: [{ type: "image", url: "data:image/png;base64,AA" }] }])).toThrow(/text only/);
  });
});

describe("mapParameters", () => {
  it("maps our parameter names to node-llama-cpp's and leaves unset ones out", () => {
    expect(
      mapParameters({ temperature: 0.5, max_tokens: 12, top_p: 0.9, top_k: 40, seed: 7, stop: ["\n\n"], repeat_penalty: 1.2, frequency_penalty: 0.1, presence_penalty: 0.2 }),
    ).toEqual({
      temperature: 0.5,
      maxTokens: 12,
      topP: 0.9,
      topK: 40,
      seed: 7,
      customStopTriggers: ["\n\n"],
      repeatPenalty: { penalty: 1.2, frequencyPenalty: 0.1, presencePenalty: 0.2 },
    });
    expect(mapParameters({})).toEqual({});
    expect(contextSizeOf({ num_ctx: 2048 })).toBe(2048);
    expect(contextSizeOf({})).toBeUndefined();
  });
});
