import type { RequestFeatures } from "./request-features.js";
import type { Tier } from "./router-spec.js";

export interface ComplexityVerdict {
  tier: Tier;
  /** What tipped it, for `explain`. */
  signals: string[];
}

const CODE_WORDS =
  /\b(function|def|const|var|async|await|compile[sr]?|stack ?trace|exception|regex|sql|typescript|javascript|python|rust|golang|java|c\+\+|bug|debug|refactor|unit tests?|endpoint|api|json|yaml|snippet|implement)\b/g;
const CODE_SYNTAX = /(=>|::|\)\s*\{|;\s*$|^\s*(#include|package|using)\b|\w+\([\w\s,]*\)\s*[{:])/m;
const STRONG_REASONING = /\b(prove|proof|step[- ]by[- ]step|derive|derivation|theorem|lemma|formally)\b/;
const REASONING_WORDS =
  /\b(why|reason(ing)?|deduce|infer|logic(al)?|analy[sz]e|trade-?offs?|compare|evaluate|justify|calculate|how many|what if|implications?|pros and cons)\b/g;
const LIST_ITEM = /^\s*([-*•]|\d+[.)])\s+/gm;

/**
 * Sorts a request into a tier in microseconds, with no model call: code fences and code words mean
 * `code`; proof-like or repeated reasoning words mean `reasoning`; length, many questions or a long
 * list of asks mean `complex`; a little of any of these means `medium`; the rest is `simple`.
 */
export function classifyComplexity(features: Pick<RequestFeatures, "lastUserText" | "userChars">): ComplexityVerdict {
  const text = features.lastUserText;
  const lower = text.toLowerCase();
  const words = text.split(/\s+/).filter(Boolean).length;
  const codeWords = new Set(lower.match(CODE_WORDS) ?? []).size;
  const fence = text.includes("```");
  const syntax = CODE_SYNTAX.test(text);
  const strongReasoning = STRONG_REASONING.test(lower);
  const reasoningWords = new Set(lower.match(REASONING_WORDS) ?? []).size;
  const questions = (text.match(/\?/g) ?? []).length;
  const listItems = (text.match(LIST_ITEM) ?? []).length;

  const signals: string[] = [];
  if (fence) signals.push("code fence");
  if (codeWords > 0) signals.push(`${codeWords} code word${codeWords === 1 ? "" : "s"}`);
  if (syntax) signals.push("code syntax");
  if (strongReasoning) signals.push("proof or step-by-step wording");
  if (reasoningWords > 0) signals.push(`${reasoningWords} reasoning word${reasoningWords === 1 ? "" : "s"}`);
  if (questions > 1) signals.push(`${questions} questions`);
  if (listItems > 2) signals.push(`${listItems} list items`);
  signals.push(`${words} words`);

  if (fence || codeWords >= 2 || (codeWords >= 1 && syntax)) return { tier: "code", signals };
  if (strongReasoning || reasoningWords >= 2) return { tier: "reasoning", signals };
  if (words > 300 || features.userChars > 6000 || questions >= 3 || listItems >= 4 || (reasoningWords === 1 && words > 60)) {
    return { tier: "complex", signals };
  }
  if (words > 40 || questions === 2 || reasoningWords === 1 || codeWords === 1 || syntax) return { tier: "medium", signals };
  return { tier: "simple", signals };
}
