import { describe, expect, it } from "vitest";
import { cachePathOf, modelsDir, parseModelSource } from "../../runtime/models/index.js";

describe("model sources", () => {
  it("resolves hf: references to Hugging Face download URLs, with an optional revision", () => {
    expect(parseModelSource("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf")).toMatchObject({
      kind: "huggingface",
      reference: "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf",
      revision: "main",
      url: "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf",
    });
    expect(parseModelSource("hf:org/repo@v1.2/sub dir/m.GGUF")).toMatchObject({
      reference: "hf:org/repo@v1.2/sub dir/m.GGUF",
      url: "https://huggingface.co/org/repo/resolve/v1.2/sub%20dir/m.GGUF",
    });
    expect(parseModelSource("hf:org/repo@refs%2Fpr%2F3/m.gguf").url).toBe("https://huggingface.co/org/repo/resolve/refs%2Fpr%2F3/m.gguf");
    expect(parseModelSource("hf:o/r/m.gguf", { LF_HF_ENDPOINT: "http://127.0.0.1:8080/" }).url).toBe("http://127.0.0.1:8080/o/r/resolve/main/m.gguf");
    expect(parseModelSource("hf:o/r/m.gguf", { HF_ENDPOINT: "https://hf-mirror.example" }).url).toBe("https://hf-mirror.example/o/r/resolve/main/m.gguf");
  });

  it("says what is wrong with a reference it cannot use", () => {
    expect(() => parseModelSource("hf:o/m.gguf")).toThrow(/must name an owner, a repository and a file/);
    expect(() => parseModelSource("hf:o/r/readme.md")).toThrow(/readme.md is not a .gguf file/);
    expect(() => parseModelSource("hf:o/r/../x.gguf")).toThrow(/may not contain . or ../);
    expect(() => parseModelSource("hf:o/r@/x.gguf")).toThrow(/"" is not a revision/);
    expect(() => parseModelSource("ftp://host/x.gguf")).toThrow(/is not a model source/);
    expect(() => parseModelSource("http://10.0.0.5/x.gguf")).toThrow(/plain http is accepted only for this machine/);
    expect(() => parseModelSource("hf:o/r/m.gguf", { LF_HF_ENDPOINT: "http://mirror.lan" })).toThrow(/the Hugging Face endpoint http:\/\/mirror.lan \(LF_HF_ENDPOINT\): plain http/);
    expect(parseModelSource("http://[::1]:9/x.gguf").kind).toBe("url");
  });

  it("keeps each file at its own place in the models folder", () => {
    const dir = "/cache";
    expect(cachePathOf(parseModelSource("hf:o/r/m.gguf"), dir)).toBe("/cache/huggingface/o/r/main/m.gguf");
    expect(cachePathOf(parseModelSource("hf:o/r@refs%2Fpr%2F3/a/m.gguf"), dir)).toBe("/cache/huggingface/o/r/refs_pr_3/a/m.gguf");
    expect(cachePathOf(parseModelSource("https://example.com:8443/d/m%20x.gguf"), dir)).toBe("/cache/url/example.com_8443/d/m_x.gguf");
    const a = cachePathOf(parseModelSource("https://example.com/get?id=1"), dir);
    const b = cachePathOf(parseModelSource("https://example.com/get?id=2"), dir);
    expect(a).toMatch(/^\/cache\/url\/example.com\/q-[0-9a-f]{12}\/get.gguf$/);
    expect(a).not.toBe(b);
  });

  it("finds the models folder in LF_MODELS_DIR, else the XDG cache, else ~/.cache", () => {
    expect(modelsDir({ LF_MODELS_DIR: "/m", XDG_CACHE_HOME: "/x" })).toBe("/m");
    expect(modelsDir({ XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/x/lf/models");
    expect(modelsDir({ XDG_CACHE_HOME: "relative", HOME: "/h" })).toBe("/h/.cache/lf/models");
    expect(modelsDir({}, () => "/home/u")).toBe("/home/u/.cache/lf/models");
  });
});
