import { LfError } from "../core/errors.js";

export type ModelPullFailure = "http" | "unreachable" | "interrupted" | "size" | "checksum" | "not-gguf" | "busy";

/**
 * A pull that did not end with a checked file. `keptAt` says where the bytes went: a partial file
 * that the same command resumes, or a refused file set aside for inspection (never used as a model).
 */
export class ModelPullError extends LfError {
  readonly failure: ModelPullFailure;
  readonly keptAt: string | undefined;
  readonly status: number | undefined;

  constructor(failure: ModelPullFailure, message: string, options: { keptAt?: string; status?: number; cause?: unknown } = {}) {
    super(failure === "unreachable" ? "provider_unreachable" : "provider_error", message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "ModelPullError";
    this.failure = failure;
    this.keptAt = options.keptAt;
    this.status = options.status;
  }
}
