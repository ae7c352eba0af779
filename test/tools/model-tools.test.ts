import { describe, expect, it } from "vitest";
import type { ModelCallOptions, ToolDefinition } from "../../runtime/core/index.js";
import { fillTemplate } from "../../runtime/prompts/index.js";
import { withModelTools } from "../../runtime/tools/model-tools.js";

const own: ToolDefinition[] = [
  { name: "fetch", description: "Fetch from {{api | the API}}", parameters: { type: "object", properties: { path: { type: "string", description: "under {{base}}" } } } },
  { name: "shared", description: "the file's", parameters: { type: "object" } },
];
const client: ToolDefinition[] = [{ name: "shared", description: "the client's", parameters: { type: "object" } }, { name: "mine", parameters: { type: "object" } }];
const call = (extra: Partial<ModelCallOptions> = {}): ModelCallOptions => ({ messages: [{ role: "user", content: "hi" }], parameters: {}, ...extra });
const names = (options: ModelCallOptions) => (options.tools ?? []).map((t) => `${t.name}:${t.description ?? ""}`);

describe("a model's YAML tools beside the request's", () => {
  it("api_supplement offers both, the request's winning a shared name", () => {
    expect(names(withModelTools(own, "api_supplement", call({ tools: client })))).toEqual(["fetch:Fetch from {{api | the API}}", "shared:the client's", "mine:"]);
    expect(names(withModelTools(own, "api_supplement", call()))).toEqual(["fetch:Fetch from {{api | the API}}", "shared:the file's"]);
  });

  it("api_replace uses the request's when it sends any; config_only never does, and drops a choice of a tool it dropped", () => {
    expect(names(withModelTools(own, "api_replace", call({ tools: client })))).toEqual(["shared:the client's", "mine:"]);
    expect(names(withModelTools(own, "api_replace", call()))).toHaveLength(2);
    const only = withModelTools(own, "config_only", call({ tools: client, toolChoice: { name: "mine" } }));
    expect(names(only)).toEqual(["fetch:Fetch from {{api | the API}}", "shared:the file's"]);
    expect(only.toolChoice).toBeUndefined();
    expect(withModelTools([], "config_only", call({ tools: client, toolChoice: "required" }))).toEqual(call());
  });

  it("fills the request's variables into every string of a YAML tool", () => {
    const [fetch] = withModelTools(own, "api_supplement", call(), (text) => fillTemplate(text, { base: "/v2" })).tools!;
    expect(fetch).toEqual({ name: "fetch", description: "Fetch from the API", parameters: { type: "object", properties: { path: { type: "string", description: "under /v2" } } } });
  });
});
