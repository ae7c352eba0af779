import type { Embeddings } from "../../core/embedding.js";

interface EmbeddingsBody {
  data?: Array<{ index?: number; embedding?: unknown }>;
  usage?: { prompt_tokens?: number };
}

/**
 * An OpenAI `/embeddings` response body: vectors put back in input order by `index`. A body of another
 * shape is a `SyntaxError`, which the error mapper reports as malformed JSON.
 */
export function readOpenAIEmbeddings(text: string, count: number): Embeddings {
  const body = JSON.parse(text) as EmbeddingsBody;
  const data = body.data;
  if (!Array.isArray(data) || data.length !== count) throw new SyntaxError(`expected ${count} embeddings, got ${Array.isArray(data) ? data.length : "none"}`);
  const vectors: number[][] = new Array(count);
  data.forEach((item, i) => {
    const index = typeof item.index === "number" ? item.index : i;
    const vector = vectorOf(item.embedding);
    if (vector === undefined || index < 0 || index >= count) throw new SyntaxError(`embedding ${i} is not a vector`);
    vectors[index] = vector;
  });
  const tokens = body.usage?.prompt_tokens;
  return { vectors, usage: typeof tokens === "number" ? { inputTokens: tokens, outputTokens: 0 } : undefined };
}

/** Floats, or the base64 of little-endian float32s that some servers send whatever was asked. */
function vectorOf(value: unknown): number[] | undefined {
  if (Array.isArray(value)) return value.every((x) => typeof x === "number") ? (value as number[]) : undefined;
  if (typeof value !== "string") return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes.length % 4 !== 0) return undefined;
  // Copied: a pooled Buffer's offset need not be a multiple of 4.
  return Array.from(new Float32Array(Uint8Array.from(bytes).buffer));
}
