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

  it("follows prompts_mode: config_only drops the request's system messages, api_replace puts them in place of the prompt sets", () => {
    const prompts = [
      { role: "system" as const, content: "From the file." },
      { role: "user" as const, content: "Example" },
    ];
    const conversation = [
      { role: "system" as const, content: "From the request." },
      { role: "user" as const, content: "Question" },
    ];
    expect(assembleMessages(prompts, conversation, {}, "config_only")).toEqual([
      { role: "system", content: "From the file." },
      { role: "user", content: "Example" },
      { role: "user", content: "Question" },
    ]);
    expect(assembleMessages(prompts, conversation, {}, "api_replace")).toEqual([
      { role: "system", content: "From the request." },
      { role: "user", content: "Question" },
    ]);
    // With no system message of its own, the request keeps the file's prompts.
    expect(assembleMessages(prompts, conversation.slice(1), {}, "api_replace")).toEqual([
      { role: "system", content: "From the file." },
      { role: "user", content: "Example" },
      { role: "user", content: "Question" },
    ]);
  });
});
