import { emitFeatures, type ConversationView, type FeatureSink } from "./complexity-features.js";
import { complexityModel, tierAt, type ComplexityModel } from "./complexity-model.js";
import type { RequestFeatures } from "./request-features.js";
import type { Tier } from "./router-spec.js";

export interface ComplexityVerdict {
  tier: Tier;
  /** What tipped it, most first, for `explain`. */
  signals: string[];
}

const SIGNALS = 4;
const FENCE = /```|~~~/;
const TOP_WORDS = 3;
const verdicts = new WeakMap<RequestFeatures, ComplexityVerdict>();

/**
 * Sorts a request into a tier in microseconds, with no model call: a linear model (see
 * complexity-weights.json and bench/routing/) over the whole conversation: the last user message,
 * the earlier turns, the system prompt and the attached tools. Computed once per request.
 */
export function classifyComplexity(features: Pick<RequestFeatures, "conversation">): ComplexityVerdict {
  const known = verdicts.get(features as RequestFeatures);
  if (known !== undefined) return known;
  const verdict = classifyConversation(features.conversation);
  verdicts.set(features as RequestFeatures, verdict);
  return verdict;
}

export function classifyConversation(view: ConversationView, model: ComplexityModel = complexityModel()): ComplexityVerdict {
  // The labelled set has no fenced code in a last message to learn from; a fence there means code.
  if (FENCE.test(view.lastUser)) return { tier: "code", signals: ["code fence in the last message"] };
  const sink = new TierScores(model);
  emitFeatures(view, sink);
  const scores = sink.scores;
  let best = 0;
  for (let t = 1; t < scores.length; t++) if (scores[t]! > scores[best]!) best = t;
  let signals: string[] | undefined;
  // Routing reads only the tier; what tipped it is worked out when an explanation asks for it.
  return {
    tier: tierAt(best),
    get signals() {
      if (signals === undefined) {
        const explaining = new ScoringSink(model);
        emitFeatures(view, explaining);
        signals = explaining.signals(best);
      }
      return signals;
    },
  };
}

/** Only the tiers' scores: the path every routed request takes. */
class TierScores implements FeatureSink {
  readonly scores: Float64Array;
  protected readonly table: Int16Array;
  protected readonly k: number;

  constructor(model: ComplexityModel) {
    this.table = model.table;
    this.k = model.tierCount;
    this.scores = new Float64Array(this.k);
  }

  group(_label: string): void {}

  add(hash: number, value: number): void {
    const { table, scores, k } = this;
    const base = hash * k;
    for (let t = 0; t < k; t++) scores[t] = scores[t]! + table[base + t]! * value;
  }
}

/** Keeps each named group's share of the tiers' scores, for the signals. */
class ScoringSink extends TierScores {
  private readonly labels: string[] = [];
  private readonly shares: number[] = [];
  private current = -1;
  private readonly words: { text: string; hash: number; value: number }[] = [];

  override group(label: string): void {
    this.labels.push(label);
    for (let t = 0; t < this.k; t++) this.shares.push(0);
    this.current = this.labels.length - 1;
  }

  override add(hash: number, value: number): void {
    const base = hash * this.k;
    const at = this.current * this.k;
    for (let t = 0; t < this.k; t++) this.shares[at + t] = this.shares[at + t]! + this.table[base + t]! * value;
  }

  word(text: string, hash: number, value: number): void {
    this.words.push({ text, hash, value });
  }

  /** The groups that pushed most towards `tier` over the others; words of the last message by name. */
  signals(tier: number): string[] {
    const k = this.k;
    const lead = (ws: ArrayLike<number>, at: number) => {
      let others = 0;
      for (let t = 0; t < k; t++) if (t !== tier) others += ws[at + t]!;
      return ws[at + tier]! - others / (k - 1);
    };
    const groups = this.labels
      .map((label, i) => ({ label, lead: lead(this.shares, i * k) }))
      .filter((g) => g.label !== "bias" && g.lead > 0)
      .sort((a, b) => b.lead - a.lead)
      .slice(0, SIGNALS);
    const seen = new Set<string>();
    const words = this.words
      .filter((w) => w.text.length > 1 && !seen.has(w.text) && seen.add(w.text))
      .map((w) => ({ text: w.text, lead: lead(this.table, w.hash * k) * w.value }))
      .filter((w) => w.lead > 0)
      .sort((a, b) => b.lead - a.lead)
      .slice(0, TOP_WORDS);
    return groups.map((g) =>
      g.label === "words of the last message" && words.length > 0 ? `${g.label} (${words.map((w) => `“${w.text}”`).join(", ")})` : g.label,
    );
  }
}
