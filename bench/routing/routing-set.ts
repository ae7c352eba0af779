import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelCallOptions } from "../../runtime/core/index.js";
import { requestFeatures } from "../../runtime/routing/request-features.js";
import type { Tier } from "../../runtime/routing/router-spec.js";

/** One labelled conversation of bench/routing/set/ (format: bench/routing/README.md). */
export interface RoutingItem {
  lang: string;
  tier: Tier;
  acceptable?: Tier[];
  trap?: string;
  tools?: string[];
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  /** Where it came from: `<part>:<line index>`. */
  source: string;
}

export interface RoutingSet {
  train: RoutingItem[];
  test: RoutingItem[];
}

/** Held out when the 0-based line index in its part file is 1 or 3 modulo 5; train-extra-* files are training only. */
export const isHeldOut = (index: number) => index % 5 === 1 || index % 5 === 3;

export function setDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("bench/routing: no package.json above this file");
    dir = up;
  }
  return join(dir, "bench", "routing", "set");
}

export function loadRoutingSet(dir = setDir()): RoutingSet {
  const set: RoutingSet = { train: [], test: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) {
    const part = file.replace(/\.jsonl$/, "");
    const extra = part.startsWith("train-extra");
    const lines = readFileSync(join(dir, file), "utf8").split("\n").filter((l) => l.trim().length > 0);
    lines.forEach((line, i) => {
      const item = { ...(JSON.parse(line) as Omit<RoutingItem, "source">), source: `${part}:${i}` };
      (extra || !isHeldOut(i) ? set.train : set.test).push(item);
    });
  }
  return set;
}

export function callOptions(item: RoutingItem): ModelCallOptions {
  return {
    messages: item.messages.map((m) => ({ role: m.role, content: m.content })),
    parameters: {},
    ...(item.tools && item.tools.length > 0 ? { tools: item.tools.map((name) => ({ name, parameters: { type: "object" } })) } : {}),
  };
}

export const conversationOf = (item: RoutingItem) => requestFeatures(callOptions(item)).conversation;

export const isAcceptable = (item: RoutingItem, tier: Tier) => tier === item.tier || (item.acceptable ?? []).includes(tier);
