/**
 * List prices of well-known hosted models, in US dollars per 1,000 tokens (standard tier, no batch or
 * cache discounts). A model's `pricing` in llamafarm.yaml always wins over this table.
 *
 * As of 2025-11, from the providers' public price pages: https://openai.com/api/pricing and
 * https://www.anthropic.com/pricing#api. Prices change; when they do, update this table and its date.
 * Keys match a provider model id exactly or as a prefix followed by "-" (a dated snapshot such as
 * gpt-4o-2024-08-06 or claude-sonnet-4-5-20250929); the longest matching key wins.
 */
export const PRICING_TABLE_DATE = "2025-11";

export interface TablePrice {
  input_per_1k: number;
  output_per_1k: number;
}

export const BUILT_IN_PRICES: Readonly<Record<"openai" | "anthropic", Readonly<Record<string, TablePrice>>>> = {
  openai: {
    "gpt-4o": { input_per_1k: 0.0025, output_per_1k: 0.01 },
    "gpt-4o-mini": { input_per_1k: 0.00015, output_per_1k: 0.0006 },
    "gpt-4.1": { input_per_1k: 0.002, output_per_1k: 0.008 },
    "gpt-4.1-mini": { input_per_1k: 0.0004, output_per_1k: 0.0016 },
    "gpt-4.1-nano": { input_per_1k: 0.0001, output_per_1k: 0.0004 },
    o3: { input_per_1k: 0.002, output_per_1k: 0.008 },
    "o3-mini": { input_per_1k: 0.0011, output_per_1k: 0.0044 },
    "o4-mini": { input_per_1k: 0.0011, output_per_1k: 0.0044 },
  },
  anthropic: {
    "claude-opus-4": { input_per_1k: 0.015, output_per_1k: 0.075 },
    "claude-opus-4-0": { input_per_1k: 0.015, output_per_1k: 0.075 },
    "claude-opus-4-1": { input_per_1k: 0.015, output_per_1k: 0.075 },
    "claude-opus-4-5": { input_per_1k: 0.005, output_per_1k: 0.025 },
    "claude-sonnet-4": { input_per_1k: 0.003, output_per_1k: 0.015 },
    "claude-sonnet-4-0": { input_per_1k: 0.003, output_per_1k: 0.015 },
    "claude-sonnet-4-5": { input_per_1k: 0.003, output_per_1k: 0.015 },
    "claude-haiku-4-5": { input_per_1k: 0.001, output_per_1k: 0.005 },
    "claude-3-7-sonnet": { input_per_1k: 0.003, output_per_1k: 0.015 },
    "claude-3-5-haiku": { input_per_1k: 0.0008, output_per_1k: 0.004 },
  },
};
