/**
 * The complexity classifier's features, shared by the runtime and the trainer (bench/routing/train.ts)
 * so the two cannot drift apart: hashed word uni/bi-grams and character 2-4-grams, in separate
 * namespaces for the last user message, the earlier turns and the system prompt, plus structural
 * features with plain-word names (lengths, turns, code, stack traces, tools, questions, lists, maths).
 * Bump FEATURES_VERSION whenever what is emitted changes: the weights file names the version it was
 * trained on and is refused otherwise.
 */
export const FEATURES_VERSION = 2;
/** The hashed feature space; a power of two. */
export const FEATURE_DIM = 1 << 18;
const MASK = FEATURE_DIM - 1;

/** The conversation as the classifier reads it; built once per request by `requestFeatures`. */
export interface ConversationView {
  system: string;
  /** The last user message. */
  lastUser: string;
  /** User and assistant turns before the last user message, joined by blank lines. */
  earlier: string;
  userTurns: number;
  assistantTurns: number;
  /** Names of the attached tools. */
  tools: readonly string[];
}

export interface FeatureSink {
  /** Names the features that follow, for explanations. */
  group(label: string): void;
  add(hash: number, value: number): void;
  /** A word of the last user message, with its hash and value (already added). */
  word?(text: string, hash: number, value: number): void;
}

/** Longest text read for n-grams, per namespace: its head and tail, so a huge paste stays cheap. */
const NGRAM_HEAD = 1500;
const NGRAM_TAIL = 700;
const SHAPE_LIMIT = 6000;

export function emitFeatures(view: ConversationView, sink: FeatureSink): void {
  sink.group("bias");
  sink.add(hashLabel("bias"), 1);
  const last = view.lastUser;
  ngrams(1, clip(last.toLowerCase()), sink, "words of the last message", "character patterns of the last message");
  if (view.earlier.length > 0) ngrams(2, clip(view.earlier.toLowerCase()), sink, "words of earlier turns", "character patterns of earlier turns");
  if (view.system.length > 0) ngrams(3, clip(view.system.toLowerCase()), sink, "words of the system prompt", "character patterns of the system prompt");
  if (view.tools.length > 0) {
    sink.group(`tools attached (${view.tools.join(", ")})`);
    sink.add(hashLabel("tools attached"), 1);
    const scale = 1 / Math.sqrt(view.tools.length);
    for (const name of view.tools) sink.add(hashText(4, name.toLowerCase()) & MASK, scale);
  }
  shape(sink, "the last message", last);
  if (view.earlier.length > 0) shape(sink, "earlier turns", view.earlier);
  named(sink, `${bucketWords(view.userTurns)} user turn(s)`);
  if (view.assistantTurns > 0) named(sink, "assistant turns before the last message");
  if (view.system.length > 0) named(sink, `system prompt of ${bucketWords(view.system.length)} characters`);
}

const STACK_TRACE =
  /^\s+at \S.*[(:]\S*:\d+|Traceback \(most recent call last\)|^\s*File ".+", line \d+|^\w*(Error|Exception)\b[:\s]|\bpanic: |goroutine \d+ \[|\.(js|ts|py|go|rs|java|rb|php|cs|cpp|kt|swift):\d+/m;
const LOG_LINE = /^\s*\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d|^\s*\[?(ERROR|WARN|WARNING|INFO|DEBUG|FATAL|CRITICAL)\]?[\s:]/m;
const CODE_SYNTAX = /(=>|::|->|\)\s*\{|;\s*$|^\s*(#include|package|using|import|from|def|class|fn|func|SELECT|CREATE|INSERT)\b|\w+\([\w\s,'"]*\)\s*[{:]|<\/?[a-z]+[^>]*>|\$\{?\w+|^\s*[\w.-]+:\s*$)/m;
const CODE_LINE = /[;{}]\s*$|^\s*(\/\/|#|--)\s|==|!=|&&|\|\||\w\.\w+\(|\w\[\w*\]|^(\t| {2,})\S/;
const LIST_ITEM = /^\s*([-*•・]|\d+[.)、])\s*\S/gm;
const QUESTION = /[?？¿]/g;
const DIGIT = /\d/g;
const MATHS = /[=+×÷√∑∫≤≥≠≈π^%²³]|\d\s*[-*/]\s*\d/g;

/** Structural features of one part of the conversation, named as they read in `lf route`. */
function shape(sink: FeatureSink, where: string, full: string): void {
  const text = full.length > SHAPE_LIMIT ? full.slice(0, SHAPE_LIMIT) : full;
  const words = countWords(text) + cjkChars(text) / 2;
  named(sink, `${where}: ${bucketWords(words)} words`);
  named(sink, `${where}: ${bucketWords(full.length)} characters`);
  if (text.includes("```")) named(sink, `code fence in ${where}`);
  if (STACK_TRACE.test(text)) named(sink, `stack trace in ${where}`);
  if (LOG_LINE.test(text)) named(sink, `log lines in ${where}`);
  if (CODE_SYNTAX.test(text)) named(sink, `code syntax in ${where}`);
  let codeLines = 0;
  let lines = 0;
  for (const line of text.split("\n")) {
    if (line.trim().length === 0) continue;
    lines++;
    if (CODE_LINE.test(line)) codeLines++;
  }
  if (codeLines > 0) named(sink, `${bucketWords(codeLines)} code-like line(s) in ${where}`);
  if (lines > 1) named(sink, `${bucketWords(lines)} lines in ${where}`);
  const questions = count(text, QUESTION);
  named(sink, questions === 0 ? `no question mark in ${where}` : `${bucketWords(questions)} question mark(s) in ${where}`);
  const items = count(text, LIST_ITEM);
  if (items > 0) named(sink, `${bucketWords(items)} list item(s) in ${where}`);
  const digits = count(text, DIGIT);
  if (digits > 0) named(sink, `${bucketWords(digits)} digit(s) in ${where}`);
  const maths = count(text, MATHS);
  if (maths > 0) named(sink, `${bucketWords(maths)} maths symbol(s) in ${where}`);
}

function named(sink: FeatureSink, label: string): void {
  sink.group(label);
  sink.add(hashLabel(label), 1);
}

/**
 * A word: a run of letters and digits, or up to three other symbols. Chinese and Japanese are written
 * without spaces, so each Han, kana or Hangul character is a word of its own (word bigrams are then
 * character bigrams there).
 */
const CJK = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u30fc";
const WORD = new RegExp(`[${CJK}]|(?:(?![${CJK}])[\\p{L}\\p{N}_])+|[^\\s${CJK}\\p{L}\\p{N}_]{1,3}`, "gu");

/**
 * Word uni- and bigrams, then character 2-4-grams, each family scaled by 1/sqrt(its count) so a long
 * text does not outweigh everything else.
 */
function ngrams(ns: number, text: string, sink: FeatureSink, wordLabel: string, charLabel: string): void {
  const words = text.match(WORD) ?? [];
  if (words.length > 0) {
    sink.group(wordLabel);
    const scale = 1 / Math.sqrt(2 * words.length - 1);
    let previous = -1;
    for (const word of words) {
      const h = hashText(ns * 16 + 1, word);
      sink.add(h & MASK, scale);
      if (ns === 1) sink.word?.(word, h & MASK, scale);
      if (previous >= 0) sink.add(mix(previous, h) & MASK, scale);
      previous = h;
    }
  }
  const n = text.length;
  if (n < 2) return;
  sink.group(charLabel);
  const scale = 1 / Math.sqrt(3 * n - 6 || 1);
  for (let i = 0; i + 1 < n; i++) {
    let h = (2166136261 ^ (ns * 16 + 2)) >>> 0;
    for (let k = 0; k < 4 && i + k < n; k++) {
      h = Math.imul(h ^ text.charCodeAt(i + k), 16777619) >>> 0;
      if (k >= 1) sink.add(mix(h, k) & MASK, scale);
    }
  }
}

/** FNV-1a over UTF-16 code units, seeded by the namespace. */
export function hashText(seed: number, text: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const labelHashes = new Map<string, number>();
function hashLabel(label: string): number {
  let h = labelHashes.get(label);
  if (h === undefined) {
    h = hashText(99, label) & MASK;
    if (labelHashes.size < 10_000) labelHashes.set(label, h);
  }
  return h;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ (b + 0x9e3779b9), 0x85ebca6b);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) >>> 0;
}

function clip(text: string): string {
  return text.length <= NGRAM_HEAD + NGRAM_TAIL ? text : `${text.slice(0, NGRAM_HEAD)}\n${text.slice(-NGRAM_TAIL)}`;
}

/** 0, 1, 2, 3-4, 5-8, ...: a log2 bucket, written as a range. */
function bucketWords(n: number): string {
  const v = Math.floor(n);
  if (v <= 2) return String(v);
  const b = Math.ceil(Math.log2(v));
  return `${(1 << (b - 1)) + 1}-${1 << b}`;
}

function count(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

function cjkChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af)) n++;
  }
  return n;
}
