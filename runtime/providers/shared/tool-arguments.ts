/**
 * Our tool-call arguments are JSON text; Ollama and Anthropic want an object back in the history.
 * Text that is not a JSON object (a model can produce anything) is sent as an empty object, since
 * both APIs reject any other shape and the tool loop already told the model its arguments were invalid.
 */
export function argumentsObject(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Tool results on APIs without an error flag: the model still has to read that the call failed. */
export function toolResultText(content: string, isError: boolean | undefined): string {
  if (isError !== true || /^\s*error\b/i.test(content)) return content;
  return `Error: ${content}`;
}
