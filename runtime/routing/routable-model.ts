import type { ModelAdapter } from "../core/index.js";
import type { ModelStateKeys } from "./model-state-keys.js";

/** One named model as routing sees it; the composition root builds these from the config. */
export interface RoutableModel {
  name: string;
  adapter: ModelAdapter;
  capabilities: ModelCapabilities;
  contextWindow?: number;
  /** Unpriced (local) models cost nothing. */
  pricing?: ModelPricing;
  limits?: ModelLimits;
  retries: RetryPolicy;
  timeouts: TimeoutPolicy;
  circuitBreaker: CircuitBreakerPolicy;
  /** Why it cannot be called at all (its config is incomplete); it is passed over with this reason. */
  unavailable?: string;
  /** Where its counters live in the state store (see `modelStateKeys`); default: named after `name`. */
  stateKeys?: ModelStateKeys;
}

export interface ModelCapabilities {
  tools: boolean;
  vision: boolean;
  json: boolean;
}

export interface ModelPricing {
  input_per_1k: number;
  output_per_1k: number;
}

export interface ModelLimits {
  rpm?: number;
  tpm?: number;
  max_concurrent?: number;
  min_interval_ms?: number;
  /** How long a request may wait for this model when no other candidate is left. */
  max_wait_ms?: number;
}

export interface RetryPolicy {
  /** Attempts on the same model, the first included. */
  max_attempts: number;
  initial_backoff_ms: number;
  max_backoff_ms: number;
  /** A longer `Retry-After` moves on to the next model instead of waiting. */
  max_retry_after_ms: number;
}

export interface TimeoutPolicy {
  connect_ms?: number;
  first_token_ms?: number;
  idle_ms?: number;
  total_ms?: number;
}

export interface CircuitBreakerPolicy {
  failure_threshold: number;
  failure_rate?: number;
  window_ms: number;
  min_requests: number;
  cooldown_ms: number;
}
