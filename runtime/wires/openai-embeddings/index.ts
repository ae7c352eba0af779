import type { Usage } from "../../core/index.js";
import type { DecodedEmbeddings } from "./decode-embeddings-body.js";

export { decodeEmbeddingsBody, MAX_EMBEDDING_INPUTS, type DecodedEmbeddings } from "./decode-embeddings-body.js";

/** OpenAI's embeddings answer: a list of vectors in input order, as floats or base64; tokens estimated (four characters each) when the provider reports none. */
export function toEmbeddingList(vectors: number[][], usage: Usage | undefined, model: string, decoded: DecodedEmbeddings): string {
  const data = vectors.map((vector, index) => ({ object: "embedding", index, embedding: decoded.encoding === "base64" ? base64Of(vector) : vector }));
  const tokens = usage?.inputTokens ?? decoded.inputs.reduce((sum, input) => sum + (typeof input === "string" ? Math.ceil(input.length / 4) : input.length), 0);
  return JSON.stringify({ object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function base64Of(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}
