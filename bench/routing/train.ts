/**
 * Trains the complexity classifier on the training part of bench/routing/set/ and writes
 * runtime/routing/complexity-weights.json. Hyperparameters are chosen by 5-fold cross-validation on
 * the training part alone; the held-out part is never read here.
 *
 *   npm run train:routing              # grid search, then the final fit and the weights file
 *   npm run train:routing -- --no-grid # the default hyperparameters only
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FEATURE_DIM, FEATURES_VERSION } from "../../runtime/routing/complexity-features.js";
import type { ComplexityWeightsFile } from "../../runtime/routing/complexity-model.js";
import { TIERS, type Tier } from "../../runtime/routing/router-spec.js";
import { argmax, pruneAndRound, scoresInto, trainLogistic, type Example, type TrainParams } from "./logistic-regression.js";
import { conversationOf, isAcceptable, loadRoutingSet, setDir, type RoutingItem } from "./routing-set.js";
import { featureVector } from "./sparse-vector.js";

interface Config extends TrainParams {
  /** The share of the target given to the item's acceptable tiers. */
  acceptableShare: number;
  /** Buckets whose largest weight is under this are dropped from the file. */
  prune: number;
}

const SCALE = 1000;
const FOLDS = 5;
const DEFAULT: Config = { l1: 0, l2: 0, beta: 0.001, epochs: 30, learningRate: 0.2, seed: 18, acceptableShare: 0, prune: 0.05 };
const K = TIERS.length;

function examplesOf(items: readonly RoutingItem[], acceptableShare: number, vectors: Map<RoutingItem, Example["x"]>): Example[] {
  return items.map((item) => {
    const y = new Float64Array(K);
    const others = item.acceptable ?? [];
    const share = others.length > 0 ? acceptableShare : 0;
    y[TIERS.indexOf(item.tier)] = 1 - share;
    for (const tier of others) y[TIERS.indexOf(tier)] = share / others.length;
    return { x: vectors.get(item)!, y };
  });
}

function fit(items: readonly RoutingItem[], config: Config, vectors: Map<RoutingItem, Example["x"]>): Float64Array {
  return pruneAndRound(trainLogistic(examplesOf(items, config.acceptableShare, vectors), FEATURE_DIM, K, config), K, config.prune, SCALE);
}

function crossValidate(items: readonly RoutingItem[], config: Config, vectors: Map<RoutingItem, Example["x"]>) {
  let exact = 0;
  let acceptable = 0;
  const byLang = new Map<string, { items: number; acceptable: number }>();
  const scores = new Float64Array(K);
  for (let fold = 0; fold < FOLDS; fold++) {
    const w = fit(items.filter((_, i) => i % FOLDS !== fold), config, vectors);
    items.forEach((item, i) => {
      if (i % FOLDS !== fold) return;
      const tier = TIERS[argmax(scoresInto(w, K, vectors.get(item)!, scores))] as Tier;
      if (tier === item.tier) exact++;
      const lang = byLang.get(item.lang) ?? { items: 0, acceptable: 0 };
      byLang.set(item.lang, lang);
      lang.items++;
      if (isAcceptable(item, tier)) {
        acceptable++;
        lang.acceptable++;
      }
    });
  }
  const languages = [...byLang].sort(([a], [b]) => a.localeCompare(b)).map(([lang, c]) => `${lang} ${pct(c.acceptable / c.items)}`);
  return { exact: exact / items.length, acceptable: acceptable / items.length, languages: languages.join(", ") };
}

function main(): void {
  const grid = !process.argv.includes("--no-grid");
  const { train } = loadRoutingSet();
  const vectors = new Map(train.map((item) => [item, featureVector(conversationOf(item))] as const));
  console.log(`training part: ${train.length} conversations (${[...new Set(train.map((i) => i.lang))].join(", ")})`);

  let best = DEFAULT;
  let bestCv = crossValidate(train, DEFAULT, vectors);
  console.log(`cv ${pct(bestCv.acceptable)} acceptable, ${pct(bestCv.exact)} exact  ${describe(DEFAULT)}`);
  if (grid) {
    const consider = (config: Config, preferIfClose = false) => {
      const cv = crossValidate(train, config, vectors);
      console.log(`cv ${pct(cv.acceptable)} acceptable, ${pct(cv.exact)} exact  ${describe(config)}`);
      // A smaller file (stronger pruning) wins unless the other is clearly better.
      const margin = preferIfClose ? 0.01 : 0;
      if (cv.acceptable + cv.exact > bestCv.acceptable + bestCv.exact - margin) [best, bestCv] = [config, cv];
    };
    for (const learningRate of [0.1, 0.2]) for (const epochs of [20, 30]) if (learningRate !== DEFAULT.learningRate || epochs !== DEFAULT.epochs) consider({ ...DEFAULT, learningRate, epochs });
    consider({ ...best, acceptableShare: 0.4 });
    // Sparser weights (L1, pruning) make a smaller file: taken unless clearly worse.
    consider({ ...best, l1: 0.1 }, true);
    consider({ ...best, prune: 0.1 }, true);
  }
  console.log(`chosen: ${describe(best)}; cross-validation on the training part: ${pct(bestCv.acceptable)} acceptable, ${pct(bestCv.exact)} exact`);
  console.log(`  acceptable per language: ${bestCv.languages}`);

  const w = fit(train, best, vectors);
  const buckets: number[] = [];
  const weights: number[] = [];
  let previous = 0;
  for (let bucket = 0; bucket < FEATURE_DIM; bucket++) {
    const base = bucket * K;
    let any = false;
    for (let t = 0; t < K; t++) if (w[base + t] !== 0) any = true;
    if (!any) continue;
    buckets.push(bucket - previous);
    previous = bucket;
    for (let t = 0; t < K; t++) weights.push(Math.round(w[base + t]! * SCALE));
  }
  const file: ComplexityWeightsFile = {
    version: 1,
    features: FEATURES_VERSION,
    dim: FEATURE_DIM,
    tiers: [...TIERS],
    scale: SCALE,
    trained: {
      items: train.length,
      params: best,
      crossValidation: { folds: FOLDS, acceptable: round(bestCv.acceptable), exact: round(bestCv.exact) },
    },
    buckets,
    weights,
  };
  const out = join(dirname(dirname(dirname(setDir()))), "runtime", "routing", "complexity-weights.json");
  const text = `${JSON.stringify(file)}\n`;
  writeFileSync(out, text);
  console.log(`wrote ${out}: ${buckets.length} buckets, ${(text.length / 1024).toFixed(0)} KiB`);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const round = (x: number) => Math.round(x * 1000) / 1000;
const describe = (c: Config) => `l1=${c.l1} l2=${c.l2} beta=${c.beta} epochs=${c.epochs} lr=${c.learningRate} acceptableShare=${c.acceptableShare} prune=${c.prune}`;

main();
