/** What an adapter knows about itself that error messages need: who, where, and how to fix access. */
export interface ProviderContext {
  /** As configured: `openai`, `universal`, `lemonade`, `ollama`, `anthropic`. */
  provider: string;
  /** How people call it in a sentence: "OpenAI", "Ollama", "the universal runtime". */
  label: string;
  modelId: string;
  /** Where the key comes from, as advice: "set OPENAI_API_KEY or api_key: ${env:...}". */
  keyAdvice: string;
  /** Values that must never appear in a message (the API key, secret header values). */
  secrets: ReadonlyArray<string>;
  /** Said after "cannot reach <url>": what to check. */
  unreachableAdvice?: string;
  /** Said after "model not found": how to get the model. */
  notFoundAdvice?: string;
}
