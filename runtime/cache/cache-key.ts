import { createHash } from "node:crypto";
import type { ResolvedModel } from "../config/index.js";
import type { ChatRequest } from "../chat-request.js";

const fingerprints = new WeakMap<ResolvedModel, string>();

/**
 * The key of a request's answer: the project, the model as configured (an edit to its provider, id,
 * prompts or parameters is another key) and the normalised request: messages, tools, tool choice,
 * response format, parameters and prompt variables, each with its keys sorted. Fields that do not
 * change the answer (stream, session and request ids, routing limits) are not in it.
 */
export function cacheKey(project: string, model: ResolvedModel, request: ChatRequest): string {
  const normalised = canonical([
    project,
    fingerprintOf(model),
    request.messages,
    request.tools ?? [],
    request.toolChoice ?? null,
    request.responseFormat ?? null,
    request.parameters ?? {},
    request.variables ?? {},
  ]);
  return createHash("sha256").update(normalised).digest("hex");
}

function fingerprintOf(model: ResolvedModel): string {
  let print = fingerprints.get(model);
  if (print === undefined) {
    const { name, provider, modelId, baseUrl, parameters, extraBody, promptMessages, promptsMode, tools, toolsMode, router } = model;
    print = canonical({ name, provider, modelId, baseUrl, parameters, extraBody, promptMessages, promptsMode, tools, toolsMode, members: router?.members });
    fingerprints.set(model, print);
  }
  return print;
}

/** JSON with every object's keys in order, undefined fields left out: equal requests give equal text. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}
