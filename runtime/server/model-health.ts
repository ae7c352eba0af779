import { redactSecrets, type RouteAttempt } from "../index.js";

export interface ModelReachability {
  last_ok_at: string | null;
  last_error: { at: string; code: string | null; status: number | null; message: string } | null;
}

interface Entry {
  okAt: number | undefined;
  /** How long the last answer took. */
  okMs: number | undefined;
  error: { at: number; code: string | undefined; status: number | undefined; message: string } | undefined;
}

/**
 * What recent requests learned about each model: when it last answered and its last failure. Fed from
 * the attempts of every finished request, so readiness costs no calls to the providers.
 */
export class ModelHealth {
  private readonly models = new Map<string, Entry>();

  record(attempts: readonly RouteAttempt[], secrets: ReadonlyArray<string>, now = Date.now()): void {
    for (const attempt of attempts) {
      if (attempt.outcome === "skipped" || attempt.outcome === "aborted") continue;
      let entry = this.models.get(attempt.model);
      if (entry === undefined) {
        entry = { okAt: undefined, okMs: undefined, error: undefined };
        this.models.set(attempt.model, entry);
      }
      if (attempt.outcome === "success") {
        entry.okAt = now;
        entry.okMs = attempt.durationMs;
      }
      else entry.error = { at: now, code: attempt.code, status: attempt.status, message: redactSecrets(attempt.clientDetail ?? attempt.detail ?? "failed", secrets) };
    }
  }

  /** Milliseconds the model's last answer took, if it has answered. */
  lastAnswerMs(model: string): number | undefined {
    return this.models.get(model)?.okMs;
  }

  of(model: string): ModelReachability {
    const entry = this.models.get(model);
    const error = entry?.error;
    return {
      last_ok_at: entry?.okAt === undefined ? null : new Date(entry.okAt).toISOString(),
      last_error: error === undefined ? null : { at: new Date(error.at).toISOString(), code: error.code ?? null, status: error.status ?? null, message: error.message },
    };
  }
}
