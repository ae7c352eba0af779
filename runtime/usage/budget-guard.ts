import { LfError, systemClock, type Clock } from "../core/index.js";
import type { ResolvedProject } from "../config/index.js";
import type { StateStore } from "../state/index.js";
import { periodOf, type BudgetPeriod, type PeriodSpan } from "./budget-periods.js";
import type { Ledger } from "./ledger.js";

export interface BudgetLimits {
  perRequest?: number | undefined;
  daily?: number | undefined;
  monthly?: number | undefined;
}

export interface BudgetGuardConfig {
  /** `namespace/name`: spend counters are kept per project. */
  project: string;
  /** The top-level `budget`. */
  projectBudget?: BudgetLimits;
  /** Models that take requests once a budget is spent (`budget.when_exceeded`), in order. */
  whenExceeded?: readonly string[];
  /** Each model's own `budget`. */
  modelBudgets?: ReadonlyMap<string, BudgetLimits>;
}

/** A budget that stands in the way, for messages and `details`. */
export interface BudgetBreach {
  scope: "project" | "model";
  /** For a model budget. */
  model?: string;
  period: BudgetPeriod | "per_request";
  limit: number;
  /** Spent so far in the period, or the request's estimated cost for per_request. */
  amount: number;
  /** When a spent budget starts again (epoch ms); absent for per_request. */
  resetsAt?: number;
}

export interface BudgetSkip {
  model: string;
  breaches: BudgetBreach[];
}

export type BudgetCheck =
  | {
      ok: true;
      /** The models that may take the request, in order. */
      models: string[];
      /** The candidates were all out of budget and these are `when_exceeded` models instead. */
      substituted: boolean;
      passedOver: BudgetSkip[];
    }
  | { ok: false; error: LfError; passedOver: BudgetSkip[] };

/**
 * Spending limits: per request (on the estimated cost), per UTC day and month, for the project and each
 * model. Spend is counted in the state store, so instances sharing Redis share budgets.
 *
 * `check` runs before a request with its candidate models (in routing order) and an estimate of what
 * each would cost; `record` runs after it with what it did cost. A spent budget is not an error while
 * some other candidate, or a `when_exceeded` model, can still answer.
 */
export class BudgetGuard {
  private readonly clock: Clock;
  /** False when no budget is set: `check` then lets every candidate through without asking the store. */
  readonly limitsAnything: boolean;
  /** Per model: the current day and month, and the project's and the model's spend keys for each. */
  private keys = new Map<string, { daily: PeriodSpan; monthly: PeriodSpan; project: [string, string]; model: [string, string] }>();

  constructor(
    private readonly config: BudgetGuardConfig,
    private readonly store: StateStore,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
    const any = (limits: BudgetLimits | undefined) => limits !== undefined && (limits.perRequest !== undefined || limits.daily !== undefined || limits.monthly !== undefined);
    this.limitsAnything = any(config.projectBudget) || [...(config.modelBudgets?.values() ?? [])].some(any);
  }

  static forProject(project: ResolvedProject, store: StateStore, clock?: Clock): BudgetGuard {
    const budget = project.budget;
    const modelBudgets = new Map<string, BudgetLimits>();
    for (const model of project.models.values()) if (model.budget !== undefined) modelBudgets.set(model.name, model.budget);
    return new BudgetGuard(
      {
        project: project.key,
        ...(budget === undefined ? {} : { projectBudget: { perRequest: budget.perRequest, daily: budget.daily, monthly: budget.monthly } }),
        whenExceeded: [...(budget?.whenExceeded ?? [])],
        modelBudgets,
      },
      store,
      clock,
    );
  }

  /** Which of `candidates` may answer, given `estimateCost(model)` in dollars; or the error to refuse with. */
  async check(candidates: readonly string[], estimateCost: (model: string) => number): Promise<BudgetCheck> {
    if (!this.limitsAnything) return { ok: true, models: [...candidates], substituted: false, passedOver: [] };
    const now = this.clock.now();
    const projectSpent = await this.spentBudgets(this.config.projectBudget, "project", undefined, now);
    const passedOver: BudgetSkip[] = [];
    const admit = async (names: readonly string[], blockedByProject: BudgetBreach[]) => {
      const models: string[] = [];
      for (const model of names) {
        // when_exceeded models are the project's answer to a spent project budget: only their own budgets apply.
        const project = this.config.whenExceeded?.includes(model) === true ? [] : blockedByProject;
        const breaches = [...project, ...(await this.modelBreaches(model, estimateCost(model), now))];
        if (breaches.length === 0) models.push(model);
        else passedOver.push({ model, breaches });
      }
      return models;
    };

    const models = await admit(candidates, projectSpent);
    if (models.length > 0) return { ok: true, models, substituted: false, passedOver };
    const spentOnly = passedOver.some((skip) => skip.breaches.every((b) => b.period !== "per_request"));
    const substitutes = (this.config.whenExceeded ?? []).filter((model) => !candidates.includes(model));
    if (spentOnly && substitutes.length > 0) {
      const instead = await admit(substitutes, []);
      if (instead.length > 0) return { ok: true, models: instead, substituted: true, passedOver };
    }
    return { ok: false, error: budgetError(passedOver, now), passedOver };
  }

  /** Adds a finished request's cost to the project's and the model's daily and monthly totals. */
  async record(model: string, costUsd: number): Promise<void> {
    if (!(costUsd > 0)) return;
    const now = this.clock.now();
    const daily = periodOf("daily", now);
    const monthly = periodOf("monthly", now);
    let keys = this.keys.get(model);
    if (keys === undefined || keys.daily !== daily || keys.monthly !== monthly) {
      keys = {
        daily,
        monthly,
        project: [this.key("project", undefined, "daily", now), this.key("project", undefined, "monthly", now)],
        model: [this.key("model", model, "daily", now), this.key("model", model, "monthly", now)],
      };
      // Models come from the config, so the map stays small; a new day starts it afresh.
      if (this.keys.size > 1000) this.keys = new Map();
      this.keys.set(model, keys);
    }
    await Promise.all([
      this.store.addSpend(keys.project[0], costUsd, daily.end),
      this.store.addSpend(keys.model[0], costUsd, daily.end),
      this.store.addSpend(keys.project[1], costUsd, monthly.end),
      this.store.addSpend(keys.model[1], costUsd, monthly.end),
    ]);
  }

  /** Spend so far in the current day and month: the project's and each budgeted model's. */
  async status(): Promise<{ scope: "project" | "model"; model?: string; period: BudgetPeriod; spent: number; limit?: number; resetsAt: number }[]> {
    const now = this.clock.now();
    const scopes: { scope: "project" | "model"; model?: string; limits: BudgetLimits | undefined }[] = [
      { scope: "project", limits: this.config.projectBudget },
      ...[...(this.config.modelBudgets ?? new Map<string, BudgetLimits>())].map(([model, limits]) => ({ scope: "model" as const, model, limits })),
    ];
    const out = [];
    for (const { scope, model, limits } of scopes) {
      for (const period of ["daily", "monthly"] as const) {
        const spent = await this.store.getSpend(this.key(scope, model, period, now));
        const limit = limits?.[period];
        out.push({ scope, ...(model === undefined ? {} : { model }), period, spent, ...(limit === undefined ? {} : { limit }), resetsAt: periodOf(period, now).end });
      }
    }
    return out;
  }

  /**
   * Sets the counters from the ledger: for a store that lives in this process only, so budgets survive
   * a restart. Call once, on a fresh store, before any request is recorded.
   */
  async restoreFrom(ledger: Ledger): Promise<void> {
    const now = this.clock.now();
    for (const period of ["daily", "monthly"] as const) {
      const { start, end } = periodOf(period, now);
      const byModel = await ledger.spendByModel(start, this.config.project);
      let total = 0;
      for (const [model, cost] of byModel) {
        if (cost <= 0) continue;
        total += cost;
        await this.store.addSpend(this.key("model", model, period, now), cost, end);
      }
      if (total > 0) await this.store.addSpend(this.key("project", undefined, period, now), total, end);
    }
  }

  private async modelBreaches(model: string, estimate: number, now: number): Promise<BudgetBreach[]> {
    const own = this.config.modelBudgets?.get(model);
    const breaches: BudgetBreach[] = [];
    const perRequest = (scope: "project" | "model", limits: BudgetLimits | undefined) => {
      if (limits?.perRequest !== undefined && estimate > limits.perRequest) {
        breaches.push({ scope, ...(scope === "model" ? { model } : {}), period: "per_request", limit: limits.perRequest, amount: estimate });
      }
    };
    perRequest("project", this.config.projectBudget);
    perRequest("model", own);
    breaches.push(...(await this.spentBudgets(own, "model", model, now)));
    return breaches;
  }

  private async spentBudgets(limits: BudgetLimits | undefined, scope: "project" | "model", model: string | undefined, now: number): Promise<BudgetBreach[]> {
    const breaches: BudgetBreach[] = [];
    for (const period of ["daily", "monthly"] as const) {
      const limit = limits?.[period];
      if (limit === undefined) continue;
      const spent = await this.store.getSpend(this.key(scope, model, period, now));
      if (spent >= limit) {
        breaches.push({ scope, ...(model === undefined ? {} : { model }), period, limit, amount: spent, resetsAt: periodOf(period, now).end });
      }
    }
    return breaches;
  }

  private key(scope: "project" | "model", model: string | undefined, period: BudgetPeriod, now: number): string {
    const { label } = periodOf(period, now);
    return `budget:${this.config.project}:${scope === "project" ? "project" : `model:${model}`}:${period}:${label}`;
  }
}

/** `budget_exceeded`, saying which budgets, how much of what is spent, and when the first candidate frees up. */
function budgetError(passedOver: readonly BudgetSkip[], now: number): LfError {
  const seen = new Set<string>();
  const breaches: BudgetBreach[] = [];
  for (const skip of passedOver) {
    for (const breach of skip.breaches) {
      const id = `${breach.scope}:${breach.model ?? ""}:${breach.period}`;
      if (!seen.has(id)) {
        seen.add(id);
        breaches.push(breach);
      }
    }
  }
  // A model blocked only by spent budgets frees up when the last of them resets; per_request never does.
  const freeAt = passedOver
    .filter((skip) => skip.breaches.every((b) => b.resetsAt !== undefined))
    .map((skip) => Math.max(...skip.breaches.map((b) => b.resetsAt!)));
  const retryAt = freeAt.length === 0 ? undefined : Math.min(...freeAt);
  const message = `Budget exceeded: ${breaches.map(describeBreach).join("; ")}.`;
  return new LfError("budget_exceeded", message, {
    details: {
      budgets: breaches,
      models: passedOver.map((skip) => skip.model),
      ...(retryAt === undefined ? {} : { retryAfterMs: Math.max(0, retryAt - now), resetsAt: new Date(retryAt).toISOString() }),
    },
  });
}

function describeBreach(breach: BudgetBreach): string {
  const owner = breach.scope === "project" ? "project" : `model ${breach.model}`;
  if (breach.period === "per_request") {
    return `the estimated cost ${usd(breach.amount)} is over the ${owner} per-request maximum of ${usd(breach.limit)}`;
  }
  return `${owner} ${breach.period} budget spent (${usd(breach.amount)} of ${usd(breach.limit)}), resets at ${new Date(breach.resetsAt!).toISOString()}`;
}

export function usd(amount: number): string {
  return `$${amount >= 1 || amount === 0 ? amount.toFixed(2) : amount.toFixed(4)}`;
}
