import { routeReport } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { withRuntime } from "../load-runtime.js";
import { paint } from "../output.js";
import { readConversation, type Conversation } from "./read-conversation.js";

export interface RouteOptions {
  project?: string;
  model?: string;
  json?: boolean;
  maxCost?: string;
  maxLatency?: string;
  /** A conversation file (a chat request body or an array of messages), `-` for stdin. */
  messages?: string;
}

/**
 * `lf route`: how a request would be routed (every candidate, its score, why), without calling a model.
 * The request is one message, or a whole conversation read with `--messages` (its tools and system
 * prompt included); `--model` wins over the model the conversation's body names.
 */
export async function routeCommand(message: string, options: RouteOptions): Promise<number> {
  if ((message === "") === (options.messages === undefined)) {
    process.stderr.write("error: give either a message or --messages FILE (a chat request JSON, or - for stdin), not both\n");
    return exitCodes.usage;
  }
  let conversation: Conversation;
  try {
    conversation = options.messages === undefined ? { model: undefined, request: { messages: [{ role: "user" as const, content: message }] } } : readConversation(options.messages);
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.usage;
  }
  return withRuntime(options.project, async (runtime) => {
    try {
      const asked = options.model ?? conversation.model;
      const request = {
        ...conversation.request,
        ...(asked ? { model: asked } : {}),
        ...(options.maxCost ? { maxCost: Number(options.maxCost) } : {}),
        ...(options.maxLatency ? { maxLatencyMs: Number(options.maxLatency) } : {}),
      };
      const report = await routeReport(runtime, request);
      if (options.json) {
        console.log(JSON.stringify(report, null, 2));
        return exitCodes.ok;
      }
      const model = runtime.model(report.model);
      const explanation = report.router;
      const chain = report.fallbacks;
      const out = process.stdout;
      if (!explanation) {
        out.write(`${model.name} is not a router: it answers itself (provider ${model.provider}, model ${model.modelId}).\n`);
      } else {
        const f = explanation.features;
        out.write(`${paint.bold(model.name, out)}: strategy ${explanation.strategy}; prompt ≈${f.promptTokens} tokens, expecting ≈${f.expectedOutputTokens} out`);
        out.write(f.needsTools || f.needsVision || f.needsJson ? `; needs ${[f.needsTools && "tools", f.needsVision && "vision", f.needsJson && "json"].filter(Boolean).join(", ")}\n` : "\n");
        if (explanation.complexity) out.write(`complexity: ${explanation.complexity.tier} (${explanation.complexity.signals.join(", ") || "no strong signal"})\n`);
        for (const c of explanation.candidates) {
          const mark = c.chosen ? paint.green("✓", out) : c.rank === null ? paint.red("✗", out) : " ";
          const rank = c.rank === null ? "  -" : String(c.rank).padStart(3);
          const score = c.score === null ? "" : ` score ${formatScore(c.score)}`;
          out.write(`${mark} ${rank}  ${c.model.padEnd(20)}${score}  ${paint.dim(c.reason, out)}\n`);
        }
      }
      if (chain.length > 0) out.write(`then fallbacks: ${chain.join(" → ")}\n`);
      out.write(paint.dim("no model was called\n", out));
      return exitCodes.ok;
    } catch (error) {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      return exitCodes.usage;
    }
  });
}

function formatScore(score: number): string {
  if (score !== 0 && Math.abs(score) < 0.01) return score.toExponential(2);
  return Number.isInteger(score) ? String(score) : score.toFixed(3);
}
