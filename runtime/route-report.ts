import type { ChatRequest } from "./chat-request.js";
import type { RouteExplanation } from "./routing/route-request.js";
import type { Runtime } from "./runtime.js";

/**
 * What `lf route --json` prints and `POST …/route` answers, so the two cannot differ: the model asked
 * for, how its router would rank its members and why (null when it is not a router), and the fallbacks
 * tried after it. No model is called.
 */
export interface RouteReport {
  model: string;
  router: RouteExplanation | null;
  fallbacks: string[];
}

export async function routeReport(runtime: Runtime, request: ChatRequest): Promise<RouteReport> {
  const model = runtime.model(request.model);
  const explanation = await runtime.explain(request);
  const chain = [...model.fallbacks, ...runtime.project.fallbacks].filter((name) => name !== model.name);
  return { model: model.name, router: explanation ?? null, fallbacks: [...new Set(chain)] };
}
