import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export const DEFAULT_MAX_TOOL_OUTPUT_BYTES = 100 * 1024;

/**
 * The text a model reads for one MCP tool result: text parts joined, other parts named in a short
 * bracketed note (a model cannot use base64 it was never told how to read), structured content
 * when there is nothing else.
 */
export function formatToolResult(result: CallToolResult, maxBytes: number = DEFAULT_MAX_TOOL_OUTPUT_BYTES): string {
  const parts = (result.content ?? []).map(describePart);
  let text = parts.join("\n");
  if (text === "" && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  return truncateUtf8(text, maxBytes);
}

type ContentBlock = CallToolResult["content"][number];

function describePart(part: ContentBlock): string {
  switch (part.type) {
    case "text":
      return part.text;
    case "image":
      return `[image: ${part.mimeType}, ${base64Bytes(part.data)} bytes]`;
    case "audio":
      return `[audio: ${part.mimeType}, ${base64Bytes(part.data)} bytes]`;
    case "resource": {
      const resource = part.resource;
      if ("text" in resource && typeof resource.text === "string") return `[resource: ${resource.uri}]\n${resource.text}`;
      const blob = "blob" in resource && typeof resource.blob === "string" ? resource.blob : "";
      return `[resource: ${resource.uri}${resource.mimeType ? `, ${resource.mimeType}` : ""}, ${base64Bytes(blob)} bytes]`;
    }
    case "resource_link":
      return `[resource link: ${part.uri}${part.name ? ` (${part.name})` : ""}]`;
    default:
      return `[${(part as { type: string }).type} content]`;
  }
}

function base64Bytes(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

/** Cuts at a UTF-8 byte budget without splitting a character, and says how much was dropped. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  const kept = bytes.subarray(0, end).toString("utf8");
  return `${kept}\n[output truncated: ${end} of ${bytes.length} bytes shown]`;
}
