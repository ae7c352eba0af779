import type { ModelParameters } from "../core/index.js";
import { invalidParam } from "./api-error.js";

/** Field readers every wire's decoder shares: a wrong type is a 400 naming the field. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function optionalString(body: Json, key: string, param = key): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidParam(param, `${param} must be a string.`);
  return value;
}

export function optionalBoolean(body: Json, key: string, param = key): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidParam(param, `${param} must be a boolean.`);
  return value;
}

export function optionalNumber(body: Json, key: string, min?: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalidParam(key, `${key} must be a number.`);
  if (min !== undefined && value < min) throw invalidParam(key, `${key} must be at least ${min}.`);
  return value;
}

export function optionalInteger(body: Json, key: string, min?: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw invalidParam(key, `${key} must be an integer.`);
  if (min !== undefined && value < min) throw invalidParam(key, `${key} must be at least ${min}.`);
  return value;
}

/** A tool's arguments as the object the Anthropic and Responses wires carry; text that is not an object becomes `{}`. */
export function argumentsObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text === "" ? "{}" : text);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** `temperature` and `top_p` (numbers of at least 0) and the length limit under the wire's own name, named as the runtime names them. */
export function samplingParameters(body: Json, maxTokensKey: string): ModelParameters | undefined {
  let parameters: ModelParameters | undefined;
  for (const key of ["temperature", "top_p"] as const) {
    const value = optionalNumber(body, key, 0);
    if (value !== undefined) (parameters ??= {})[key] = value;
  }
  const maxTokens = optionalInteger(body, maxTokensKey, 1);
  if (maxTokens !== undefined) (parameters ??= {}).max_tokens = maxTokens;
  return parameters;
}
