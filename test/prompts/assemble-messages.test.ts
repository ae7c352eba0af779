import { describe, expect, it } from "vitest";
import { assembleMessages, fillTemplate } from "../../runtime/prompts/index.js";

describe("prompt assembly", () => {
  it("merges system prompts in order, keeps seeded messages in place, then the request's system message", () => {
    const messages = assembleMessages(
      [
        { role: "system", content: "You are {{persona | an assistant}}." },
        { role: "user", content: "Example question" },
        { role: "assistant", content: "Example answer" },
        { role: "system", content: "Answer in {{lang}}." },
      ],
      [
        { role: "system", content: "The user prefers short answers." },
        { role: "user", content: "Real question" },
      ],
      { lang: "French" },
    );
    expect(messages).toEqual([
      { role: "system", content: "You are an assistant.\n\nAnswer in French.\n\nThe user prefers short answers." },
      { role: "user", content: "Example question" },
      { role: "assistant", content: "Example answer" },
      { role: "user", content: "Real question" },
    ]);
  });

  it("sends the conversation untouched when the model has no prompts", () => {
    const conversation = [{ role: "user" as const, content: "hi {{x}}" }];
    expect(assembleMessages([], conversation, { x: "y" })).toEqual(conversation);
  });

  it("fills variables, falls back to defaults, and leaves unknown placeholders visible", () => {
    expect(fillTemplate("{{a}} {{ b | two words }} {{c}}", { a: "1" })).toBe("1 two words {{c}}");
    expect(fillTemplate("{{a|x}}", { a: "" })).toBe("");
    expect(fillTemplate("{{constructor}}", {})).toBe("{{constructor}}");
  });
});
