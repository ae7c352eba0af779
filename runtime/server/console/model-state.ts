import type { ResolvedModel } from "../../index.js";
import type { ServedProject } from "../served-project.js";

/** An answer slower than this shows the model as slow. */
export const SLOW_MS = 2_000;

/** One model as the console's overview shows it: the `model` event and the models of the `snapshot` event. */
export interface ModelState {
  project: string;
  name: string;
  provider: string | null;
  model_id: string | null;
  /** A router's strategy and members; null for a model. */
  router: { strategy: string; members: string[] } | null;
  default: boolean;
  /** up: its last call answered; slow: it answered over 2 s; down: its last call failed or its circuit is open; unknown: not called yet. */
  health: "up" | "slow" | "down" | "unknown" | "router";
  last_ok_at: string | null;
  last_answer_ms: number | null;
  last_error: { at: string; code: string | null; status: number | null; message: string } | null;
  circuit: string | null;
  /** An open circuit: when it lets a probe through. */
  half_open_at: string | null;
  limits: { rpm: number | null; tpm: number | null; max_concurrent: number | null };
  /** This minute's requests and tokens (the limits' windows), and the calls in flight now. */
  used: { rpm: number; tpm: number };
  in_flight: number;
}

/** Every model of a loaded project, read from its runtime, state store and recent requests. */
export async function modelStates(served: ServedProject, only?: ReadonlySet<string>): Promise<ModelState[]> {
  const generation = served.acquire();
  try {
    const runtime = generation.runtime;
    const models = [...runtime.project.models.values()].filter((m) => only === undefined || only.has(m.name));
    return await Promise.all(
      models.map(async (model) => {
        const load = model.router ? { inFlight: 0, rpm: 0, tpm: 0 } : await runtime.modelLoad(model.name);
        const breaker = model.router ? undefined : await runtime.breakerState(model.name);
        return describe(served, model, load, breaker);
      }),
    );
  } finally {
    served.release(generation);
  }
}

function describe(
  served: ServedProject,
  model: ResolvedModel,
  load: { inFlight: number; rpm: number; tpm: number },
  breaker: { state: string; openUntil?: number } | undefined,
): ModelState {
  const reach = served.health.of(model.name);
  const answerMs = served.health.lastAnswerMs(model.name);
  const failedLast = reach.last_error !== null && (reach.last_ok_at === null || reach.last_error.at > reach.last_ok_at);
  const health: ModelState["health"] = model.router
    ? "router"
    : breaker?.state === "open" || failedLast
      ? "down"
      : reach.last_ok_at === null
        ? "unknown"
        : answerMs !== undefined && answerMs > SLOW_MS
          ? "slow"
          : "up";
  return {
    project: served.key!,
    name: model.name,
    provider: model.provider ?? null,
    model_id: model.router ? null : model.modelId || null,
    router: model.router ? { strategy: model.router.strategy, members: model.router.members.map((m) => m.model) } : null,
    default: model.isDefault,
    health,
    last_ok_at: reach.last_ok_at,
    last_answer_ms: answerMs === undefined ? null : Math.round(answerMs),
    last_error: reach.last_error,
    circuit: breaker?.state ?? null,
    half_open_at: breaker?.state === "open" && breaker.openUntil !== undefined ? new Date(breaker.openUntil).toISOString() : null,
    limits: { rpm: model.limits.rpm ?? null, tpm: model.limits.tpm ?? null, max_concurrent: model.limits.maxConcurrent ?? null },
    used: { rpm: load.rpm, tpm: load.tpm },
    in_flight: load.inFlight,
  };
}
