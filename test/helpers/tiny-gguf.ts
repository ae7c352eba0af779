import { writeFileSync } from "node:fs";
import { seededRandom } from "../../runtime/core/clock.js";
import { encodeGguf, type GgufTensor, type GgufValue } from "./gguf-encoder.js";

/**
 * A random-weight llama model small enough to write in a test (about 500 KB): 2 layers, hidden size 64,
 * a byte-level BPE (gpt2) vocabulary of a few hundred tokens. It talks nonsense, but it is a real model:
 * llama.cpp loads it, tokenizes, samples and streams like it would any other.
 */
export interface TinyGgufOptions {
  seed?: number;
  contextLength?: number;
  embeddingLength?: number;
  blockCount?: number;
  feedForwardLength?: number;
  headCount?: number;
  /** A Jinja chat template stored as `tokenizer.chat_template`; none by default. */
  chatTemplate?: string;
  name?: string;
}

export interface TinyGgufInfo {
  path: string;
  bytes: number;
  vocabSize: number;
  bosTokenId: number;
  eosTokenId: number;
}

const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_CONTROL = 3;

/** GPT-2's reversible byte -> printable character map, so every byte has a token. */
function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  }
  return map;
}

/** Merges build common English pieces; each merge's parts must already be tokens. */
const MERGES = [
  "Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "r e", "Ġ s", "a t", "e n", "o r", "Ġ w", "Ġ o",
  "Ġ c", "i s", "e s", "a n", "l l", "Ġ b", "Ġ f", "Ġ h", "i t", "a r", "Ġ m", "Ġ p", "o u", "Ġ d",
  "in g", "Ġ i", "e d", "l e", "Ġa n", "Ġan d", "Ġ l", "he l", "hel l", "hell o", "Ġw or", "Ġwor l", "Ġworl d",
  "Ġ n", "Ġ g", "Ġ y", "o w", "Ġy ou",
];

function buildVocab(): { tokens: string[]; types: number[]; merges: string[]; asciiLike: boolean[] } {
  const bytes = byteToUnicode();
  const tokens = [...bytes];
  const asciiLike = bytes.map((_, b) => b >= 0x20 && b <= 0x7e);
  const merges: string[] = [];
  for (const merge of MERGES) {
    const [left, right] = merge.split(" ") as [string, string];
    if (!tokens.includes(left) || !tokens.includes(right)) throw new Error(`merge ${merge}: a part is not yet a token`);
    merges.push(merge);
    tokens.push(left + right);
    asciiLike.push(true);
  }
  const types = tokens.map(() => TOKEN_TYPE_NORMAL);
  for (const special of ["<s>", "</s>"]) {
    tokens.push(special);
    types.push(TOKEN_TYPE_CONTROL);
    asciiLike.push(false);
  }
  return { tokens, types, merges, asciiLike };
}

/** Uniform with the given standard deviation; cheaper than Gaussian and just as good here. */
function randomTensor(next: () => number, count: number, std: number): Float32Array {
  const data = new Float32Array(count);
  const half = std * Math.sqrt(3);
  for (let i = 0; i < count; i++) data[i] = (next() * 2 - 1) * half;
  return data;
}

export function buildTinyGguf(options: TinyGgufOptions = {}): { buffer: Buffer; vocabSize: number; bosTokenId: number; eosTokenId: number } {
  const random = seededRandom(options.seed ?? 1);
  const next = () => random.next();
  const nCtx = options.contextLength ?? 2048;
  const nEmbd = options.embeddingLength ?? 64;
  const nLayer = options.blockCount ?? 2;
  const nFf = options.feedForwardLength ?? 128;
  const nHead = options.headCount ?? 4;
  const { tokens, types, merges, asciiLike } = buildVocab();
  const nVocab = tokens.length;
  const bosTokenId = tokens.indexOf("<s>");
  const eosTokenId = tokens.indexOf("</s>");

  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: options.name ?? "tiny-random-llama" }],
    ["general.alignment", { type: "u32", value: 32 }],
    ["llama.context_length", { type: "u32", value: nCtx }],
    ["llama.embedding_length", { type: "u32", value: nEmbd }],
    ["llama.block_count", { type: "u32", value: nLayer }],
    ["llama.feed_forward_length", { type: "u32", value: nFf }],
    ["llama.attention.head_count", { type: "u32", value: nHead }],
    ["llama.attention.head_count_kv", { type: "u32", value: nHead }],
    ["llama.rope.dimension_count", { type: "u32", value: nEmbd / nHead }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: 1e-5 }],
    ["llama.vocab_size", { type: "u32", value: nVocab }],
    ["tokenizer.ggml.model", { type: "string", value: "gpt2" }],
    ["tokenizer.ggml.pre", { type: "string", value: "default" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: tokens }],
    ["tokenizer.ggml.token_type", { type: "i32[]", value: types }],
    ["tokenizer.ggml.merges", { type: "string[]", value: merges }],
    ["tokenizer.ggml.bos_token_id", { type: "u32", value: bosTokenId }],
    ["tokenizer.ggml.eos_token_id", { type: "u32", value: eosTokenId }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
  ]);
  if (options.chatTemplate !== undefined) metadata.set("tokenizer.chat_template", { type: "string", value: options.chatTemplate });

  const matrixStd = 1 / Math.sqrt(nEmbd);
  const ones = (n: number) => new Float32Array(n).fill(1);
  // Printable-ASCII tokens get large output rows and everything else (control bytes, newline, EOS) tiny ones,
  // so sampling yields readable text and runs until max_tokens instead of stopping at a random EOS.
  const output = new Float32Array(nVocab * nEmbd);
  for (let t = 0; t < nVocab; t++) {
    const row = randomTensor(next, nEmbd, asciiLike[t] ? 0.5 : 0.001);
    output.set(row, t * nEmbd);
  }
  const tensors: GgufTensor[] = [
    { name: "token_embd.weight", dims: [nEmbd, nVocab], data: randomTensor(next, nEmbd * nVocab, 1) },
    { name: "output_norm.weight", dims: [nEmbd], data: ones(nEmbd) },
    { name: "output.weight", dims: [nEmbd, nVocab], data: output },
  ];
  for (let layer = 0; layer < nLayer; layer++) {
    const square = () => randomTensor(next, nEmbd * nEmbd, matrixStd);
    tensors.push(
      { name: `blk.${layer}.attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `blk.${layer}.attn_q.weight`, dims: [nEmbd, nEmbd], data: square() },
      { name: `blk.${layer}.attn_k.weight`, dims: [nEmbd, nEmbd], data: square() },
      { name: `blk.${layer}.attn_v.weight`, dims: [nEmbd, nEmbd], data: square() },
      { name: `blk.${layer}.attn_output.weight`, dims: [nEmbd, nEmbd], data: square() },
      { name: `blk.${layer}.ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `blk.${layer}.ffn_gate.weight`, dims: [nEmbd, nFf], data: randomTensor(next, nEmbd * nFf, matrixStd) },
      { name: `blk.${layer}.ffn_up.weight`, dims: [nEmbd, nFf], data: randomTensor(next, nEmbd * nFf, matrixStd) },
      { name: `blk.${layer}.ffn_down.weight`, dims: [nFf, nEmbd], data: randomTensor(next, nFf * nEmbd, 1 / Math.sqrt(nFf)) },
    );
  }
  return { buffer: encodeGguf(metadata, tensors), vocabSize: nVocab, bosTokenId, eosTokenId };
}

export function writeTinyGguf(path: string, options: TinyGgufOptions = {}): TinyGgufInfo {
  const { buffer, vocabSize, bosTokenId, eosTokenId } = buildTinyGguf(options);
  writeFileSync(path, buffer);
  return { path, bytes: buffer.length, vocabSize, bosTokenId, eosTokenId };
}

export type MalformedGgufKind =
  | "empty"
  | "bad-magic"
  | "bad-version"
  | "truncated-header"
  | "truncated-metadata"
  | "truncated-data"
  | "huge-counts"
  | "huge-string";

/** Files that must be refused before llama.cpp ever sees them. */
export function writeMalformedGguf(path: string, kind: MalformedGgufKind): void {
  const valid = buildTinyGguf().buffer;
  let bytes: Buffer;
  switch (kind) {
    case "empty":
      bytes = Buffer.alloc(0);
      break;
    case "bad-magic":
      bytes = Buffer.from(valid);
      bytes.write("GGML", 0, "ascii");
      break;
    case "bad-version":
      bytes = Buffer.from(valid);
      bytes.writeUInt32LE(99, 4);
      break;
    case "truncated-header":
      bytes = valid.subarray(0, 12);
      break;
    case "truncated-metadata":
      bytes = valid.subarray(0, 2000);
      break;
    case "truncated-data":
      bytes = valid.subarray(0, Math.floor(valid.length * 0.8));
      break;
    case "huge-counts":
      bytes = Buffer.from(valid);
      bytes.writeBigUInt64LE(2n ** 62n, 8);
      break;
    case "huge-string":
      // The first key's length: 24 bytes of header, then the key's u64 length.
      bytes = Buffer.from(valid);
      bytes.writeBigUInt64LE(2n ** 40n, 24);
      break;
  }
  writeFileSync(path, bytes);
}
