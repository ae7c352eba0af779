import type { Usage } from "./stream-part.js";

/** One input to embed: text, or token ids where the provider takes them. */
export type EmbeddingInput = string | readonly number[];

/** An embeddings call: every input in one batch, answered in the same order. */
export interface EmbedOptions {
  inputs: readonly EmbeddingInput[];
  /** Output dimensions, for models that can shorten their vectors. */
  dimensions?: number;
  signal?: AbortSignal;
  /** Called when the provider has answered (its headers are in; in process, once loaded): the end of `connect`. */
  onResponse?: () => void;
  /** W3C `traceparent` for the upstream request, while tracing is on. */
  traceparent?: string;
}

export interface Embeddings {
  /** One vector per input, in input order. */
  vectors: number[][];
  /** Output tokens are 0; undefined when the provider reports nothing. */
  usage: Usage | undefined;
}
