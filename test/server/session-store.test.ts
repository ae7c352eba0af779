import { describe, expect, it } from "vitest";
import { FileSessionStore } from "../../runtime/server/file-session-store.js";
import { tempDir } from "./support.js";

describe("FileSessionStore", () => {
  it("keeps the newest messages, starting at a user turn, and serializes concurrent turns", async () => {
    const store = new FileSessionStore(tempDir(), { maxMessages: 5 });
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        store.append("s1", "t/p", [
          { role: "user", content: `q${n}` },
          { role: "assistant", content: `a${n}` },
        ]),
      ),
    );
    const record = await store.read("s1");
    // Eight messages were added; the last five would start at an answer, so the window starts at q3.
    expect(record!.messages.map((m) => m.content)).toEqual(["q3", "a3", "q4", "a4"]);
    expect(await store.history("s1")).toHaveLength(4);
  });

  it("does not keep system messages, and keeps tool calls and their results", async () => {
    const store = new FileSessionStore(tempDir());
    await store.append("s2", "t/p", [
      { role: "system", content: "be brief" },
      { role: "user", content: "weather?" },
      { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "get_weather", arguments: "{}" }] },
      { role: "tool", content: "sunny", toolCallId: "c1" },
    ]);
    const history = await store.history("s2");
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(history[1]!.toolCalls).toEqual([{ id: "c1", name: "get_weather", arguments: "{}" }]);
    expect(history[2]!.toolCallId).toBe("c1");
    expect(await store.remove("s2")).toBe(true);
    expect(await store.remove("s2")).toBe(false);
  });
});
