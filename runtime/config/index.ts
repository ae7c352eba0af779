export type { ConfigIssue, Severity } from "./config-issue.js";
export { formatIssue, formatPath } from "./config-issue.js";
export { didYouMean } from "./did-you-mean.js";
export { parseByteSize, parseDuration } from "./duration.js";
export { findProjectFile } from "./find-project.js";
export type { LoadOptions, LoadResult } from "./load-project.js";
export { loadProjectFile, parseProject } from "./load-project.js";
export type { CombineMode, McpBinding, ResolvedModel, ResolvedProject, RouterMember } from "./resolved-project.js";
export { redactSecrets } from "./redact.js";
