export { modelsDir } from "./models-dir.js";
export { cachePathOf, looksLikeModelSource, parseModelSource, HF_DEFAULT_ENDPOINT, type ModelSource } from "./model-source.js";
export { pullModel, type PullEvent, type PullOptions, type PullResult } from "./pull-model.js";
export { ModelPullError, type ModelPullFailure } from "./model-pull-error.js";
export { listLocalModels, type LocalModel } from "./local-models.js";
export type { ChecksumOrigin, ModelManifest } from "./model-manifest.js";
