import { createHash } from "node:crypto";
import type { WireFormat } from "./reply-spec.js";

/** Dimensions of the fake's vectors, unless a request asks for fewer. */
export const FAKE_DIMENSIONS = 8;

/**
 * The fake's vector for an input: the same input always gets the same vector, different inputs
 * different ones, so a test can tell which input a vector belongs to (`fakeVector("hi")`).
 */
export function fakeVector(input: string | readonly number[], dimensions = FAKE_DIMENSIONS): number[] {
  const digest = createHash("sha256").update(typeof input === "string" ? input : `tokens:${input.join(",")}`).digest();
  return Array.from({ length: dimensions }, (_, i) => Math.round(((digest[i % digest.length]! / 255) * 2 - 1) * 1e6) / 1e6);
}

/** What the real API rejects before embedding anything; undefined when the body is fine. */
export function invalidEmbeddingRequest(format: WireFormat, body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return format === "ollama" ? "invalid request body" : "We could not parse the JSON body of your request.";
  if (typeof body.model !== "string" || body.model === "") return format === "ollama" ? "model is required" : "you must provide a model parameter";
  const input = body.input;
  if (typeof input === "string" || (Array.isArray(input) && input.length > 0)) return undefined;
  return format === "ollama" ? "invalid input type" : "'input' is a required property";
}

/** The body of an embeddings answer: OpenAI's list of `embedding` objects, or Ollama's `/api/embed` reply. */
export function embeddingsBody(format: WireFormat, body: Record<string, unknown>): Buffer {
  const raw = body.input as string | unknown[];
  const inputs: Array<string | number[]> = typeof raw === "string" ? [raw] : raw.every((x) => typeof x === "number") ? [raw as number[]] : (raw as Array<string | number[]>);
  const dimensions = typeof body.dimensions === "number" ? body.dimensions : FAKE_DIMENSIONS;
  const vectors = inputs.map((input) => fakeVector(input, dimensions));
  const tokens = inputs.reduce((sum, input) => sum + (typeof input === "string" ? input.split(/\s+/).filter(Boolean).length : input.length), 0);
  if (format === "ollama") {
    return Buffer.from(JSON.stringify({ model: body.model, embeddings: vectors, total_duration: 1_000_000, load_duration: 100_000, prompt_eval_count: tokens }));
  }
  const data = vectors.map((embedding, index) => ({ object: "embedding", index, embedding: body.encoding_format === "base64" ? Buffer.from(new Float32Array(embedding).buffer).toString("base64") : embedding }));
  return Buffer.from(JSON.stringify({ object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
}
