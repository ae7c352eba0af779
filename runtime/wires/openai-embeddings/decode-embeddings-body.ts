import type { EmbeddingInput } from "../../core/index.js";
import { ApiError, invalidParam } from "../api-error.js";
import { isObject, optionalInteger, optionalString } from "../json-fields.js";

/** OpenAI's own ceiling on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048;

export interface DecodedEmbeddings {
  model: string | undefined;
  inputs: EmbeddingInput[];
  dimensions: number | undefined;
  /** How the client wants the vectors: JSON numbers, or base64 of little-endian float32s (the SDK's default). */
  encoding: "float" | "base64";
}

/** `POST /v1/embeddings`: `input` as a string, strings, token ids, or arrays of token ids. */
export function decodeEmbeddingsBody(body: unknown): DecodedEmbeddings {
  if (!isObject(body)) throw new ApiError(400, "The request body must be a JSON object.", "invalid_request_error", "invalid_body");
  const model = optionalString(body, "model");
  const encoding = optionalString(body, "encoding_format") ?? "float";
  if (encoding !== "float" && encoding !== "base64") throw invalidParam("encoding_format", 'encoding_format must be "float" or "base64".');
  const inputs = parseInput(body.input);
  if (inputs.length > MAX_EMBEDDING_INPUTS) throw invalidParam("input", `input holds ${inputs.length} items; at most ${MAX_EMBEDDING_INPUTS} per request.`);
  return { model: model === "" ? undefined : model, inputs, dimensions: optionalInteger(body, "dimensions", 1), encoding };
}

function parseInput(value: unknown): EmbeddingInput[] {
  if (typeof value === "string") return [text(value, "input")];
  if (!Array.isArray(value) || value.length === 0) throw invalidParam("input", "input must be a string, an array of strings, or an array of token arrays, and not empty.");
  if (value.every((item) => typeof item === "number")) return [tokens(value, "input")];
  if (value.every((item) => typeof item === "string")) return value.map((item: string, i) => text(item, `input.${i}`));
  if (value.every(Array.isArray)) return value.map((item: unknown[], i) => tokens(item, `input.${i}`));
  throw invalidParam("input", "input must not mix strings and token arrays.");
}

function text(value: string, at: string): string {
  if (value === "") throw invalidParam(at, `${at} must not be empty.`);
  return value;
}

function tokens(value: unknown[], at: string): number[] {
  if (value.length === 0 || !value.every((t) => Number.isInteger(t) && (t as number) >= 0)) throw invalidParam(at, `${at} must be a non-empty array of token ids.`);
  return value as number[];
}
