import { describe, expect, it } from "vitest";
import { formatToolResult, truncateUtf8 } from "../../runtime/tools/index.js";

describe("formatToolResult", () => {
  it("joins text parts and names the others briefly", () => {
    const output = formatToolResult({
      content: [
        { type: "text", text: "first" },
        { type: "image", data: "aGVsbG8=", mimeType: "image/png" },
        { type: "audio", data: "AAAA", mimeType: "audio/wav" },
        { type: "resource", resource: { uri: "file:///a.txt", text: "inside" } },
        { type: "resource", resource: { uri: "file:///b.bin", mimeType: "application/octet-stream", blob: "AAAAAA==" } },
        { type: "resource_link", uri: "file:///c", name: "c" },
      ],
    });
    expect(output).toBe(
      [
        "first",
        "[image: image/png, 5 bytes]",
        "[audio: audio/wav, 3 bytes]",
        "[resource: file:///a.txt]\ninside",
        "[resource: file:///b.bin, application/octet-stream, 4 bytes]",
        "[resource link: file:///c (c)]",
      ].join("\n"),
    );
  });

  it("falls back to structured content when there is no content", () => {
    expect(formatToolResult({ content: [], structuredContent: { temperature: 21 } })).toBe('{"temperature":21}');
  });

  it("bounds the output with a note", () => {
    const output = formatToolResult({ content: [{ type: "text", text: "a".repeat(1000) }] }, 100);
    expect(output).toBe(`${"a".repeat(100)}\n[output truncated: 100 of 1000 bytes shown]`);
  });
});

describe("truncateUtf8", () => {
  it("never splits a multi-byte character", () => {
    const text = "é".repeat(10); // 2 bytes each
    expect(truncateUtf8(text, 5)).toBe(`éé\n[output truncated: 4 of 20 bytes shown]`);
    expect(truncateUtf8(text, 20)).toBe(text);
  });
});
