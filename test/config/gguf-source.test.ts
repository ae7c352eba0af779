import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseProject } from "../../runtime/config/index.js";

const project = (model: string) => `version: v1
name: demo
namespace: default
runtime:
  models:
    - name: local
      provider: llamacpp
      model: ${model}
`;

describe("a llamacpp model named by its pull source", () => {
  const cache = mkdtempSync(join(tmpdir(), "lf-gguf-source-"));
  const load = (model: string) => parseProject(project(model), "/virtual/llamafarm.yaml", { env: { LF_MODELS_DIR: cache }, dotenv: false });

  it("runs the file at the source's place in the models folder, and validate names the pull command while it is missing", () => {
    const result = load("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
    const file = join(cache, "huggingface", "Qwen", "Qwen2.5-0.5B-Instruct-GGUF", "main", "qwen2.5-0.5b-instruct-q4_k_m.gguf");
    const model = result.project!.models.get("local")!;
    expect(model.modelId).toBe(file);
    expect(model.ggufSource).toBe("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
    expect(result.issues).toEqual([
      expect.objectContaining({
        severity: "warning",
        path: "runtime.models[0].model",
        line: 8,
        message: `GGUF file not found: ${file}; download it with lf models pull hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf`,
      }),
    ]);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "GGUF");
    expect(load("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf").issues).toEqual([]);
  });

  it("keeps a path a path, relative to the project folder", () => {
    expect(load("models/tiny.gguf").project!.models.get("local")!).toMatchObject({ modelId: "/virtual/models/tiny.gguf", ggufSource: undefined });
  });

  it("refuses a source it cannot parse, at its line", () => {
    const result = load("hf:Qwen/only-two.gguf");
    expect(result.project).toBeUndefined();
    expect(result.issues).toEqual([expect.objectContaining({ severity: "error", path: "runtime.models[0].model", line: 8, message: expect.stringContaining("must name an owner, a repository and a file") })]);
  });
});
