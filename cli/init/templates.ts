import { fileURLToPath } from "node:url";

export type TemplateName = "local" | "hybrid" | "cloud" | "mcp";

export interface Template {
  /** The project file to copy. */
  file: string;
  summary: string;
  /** Files written beside the project when absent (relative path -> text). */
  extras?: Readonly<Record<string, string>>;
  /** A package lf must be able to import for this template's models (an optional one). */
  needsPackage?: string;
  /** What to run next, in order; `cd` into the folder is added when it is not the current one. */
  next: ReadonlyArray<{ command: string; why: string }>;
}

const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));
const templateFile = (name: string) => `${packageRoot}cli/templates/${name}.yaml`;

export const TEMPLATE_NAMES: ReadonlyArray<TemplateName> = ["local", "hybrid", "cloud", "mcp"];

export const LOCAL_MODEL_SOURCE = "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf";

export const TEMPLATES: Readonly<Record<TemplateName, Template>> = {
  local: {
    file: templateFile("local"),
    summary: "one model run in-process by llama.cpp: no server, no key",
    needsPackage: "node-llama-cpp",
    next: [
      { command: `lf models pull ${LOCAL_MODEL_SOURCE}`, why: "the model file, about half a gigabyte, once" },
      { command: 'lf chat "Hello"', why: "" },
    ],
  },
  hybrid: {
    // The package's own project file, the one the README shows.
    file: `${packageRoot}llamafarm.yaml`,
    summary: "a local Ollama model by default, a hosted OpenAI model for hard questions, each the other's fallback",
    next: [
      { command: "ollama pull llama3.1:8b", why: "the local model (and OPENAI_API_KEY for the cloud one)" },
      { command: 'lf chat "Hello"', why: "" },
    ],
  },
  cloud: {
    file: templateFile("cloud"),
    summary: "hosted models only: OpenAI, with Anthropic as its fallback",
    next: [
      { command: "cp .env.example .env", why: "then put your OPENAI_API_KEY and ANTHROPIC_API_KEY in .env" },
      { command: 'lf chat "Hello"', why: "" },
    ],
  },
  mcp: {
    file: templateFile("mcp"),
    summary: "a model with tools: the MCP filesystem server over ./data",
    extras: {
      "data/notes.md": "# Notes\n\nThe files in this folder are what the model can read through the `files` MCP server.\n",
    },
    next: [
      { command: "lf mcp", why: "the tool server and its tools" },
      { command: 'lf chat "What is in the notes file?"', why: "needs Ollama with qwen2.5:7b pulled" },
    ],
  },
};
