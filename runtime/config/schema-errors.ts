import type { ErrorObject } from "ajv";
import type { ConfigIssue } from "./config-issue.js";
import { formatPath } from "./config-issue.js";
import { suggestion } from "./did-you-mean.js";
import type { YamlLocator } from "./yaml-locator.js";

const DURATION_PATTERN = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$";
const PATTERN_HINTS: Record<string, string> = {
  [DURATION_PATTERN]: 'must be a duration such as 500 (milliseconds), "250ms", "30s", "5m" or "1h"',
  "^[A-Za-z0-9][A-Za-z0-9._-]*$": 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
  "^https?://": "must be a URL starting with http:// or https://",
  "^rediss?://": "must be a URL starting with redis:// or rediss://",
  "^[0-9]+(b|kb|mb)$": 'must be a size such as "512kb" or "4mb"',
};

function pathOf(instancePath: string): Array<string | number> {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return `a ${typeof value}`;
}

function typeName(type: unknown): string {
  const names: Record<string, string> = {
    string: "a string",
    integer: "an integer",
    number: "a number",
    boolean: "true or false",
    object: "a map",
    array: "a list",
  };
  const list = Array.isArray(type) ? type : String(type).split(",");
  return list.map((t) => names[t] ?? t).join(" or ");
}

/**
 * Turns ajv's errors into findings a person can act on: one per problem, at the line of the offending
 * key or value, with "did you mean" where a near name exists. Values are never echoed (they may be secrets).
 */
export function schemaIssues(errors: ErrorObject[], locator: YamlLocator): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  // Inside an anyOf, a branch whose type did not match says nothing useful; the anyOf itself reports it
  // when no branch came close.
  const anyOfs = errors.filter((e) => e.keyword === "anyOf");
  const insideAnyOf = (e: ErrorObject) =>
    anyOfs.some((a) => a !== e && e.schemaPath.startsWith(a.schemaPath + "/") && e.instancePath === a.instancePath);

  for (const error of errors) {
    if (error.keyword === "type" && insideAnyOf(error)) continue;
    if (error.keyword === "anyOf") {
      const branchErrors = errors.filter((e) => e !== error && e.keyword !== "type" && e.schemaPath.startsWith(error.schemaPath + "/"));
      if (branchErrors.length > 0) continue;
    }
    const path = pathOf(error.instancePath);
    let message: string;
    let at = locator.valueAt(path);
    switch (error.keyword) {
      case "additionalProperties": {
        const name = String(error.params.additionalProperty);
        const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        message = `unknown field "${name}"${suggestion(name, known)}`;
        at = locator.keyAt(path, name);
        path.push(name);
        break;
      }
      case "required":
        message = `missing required field "${String(error.params.missingProperty)}"`;
        break;
      case "type":
        message = `must be ${typeName(error.params.type)}, not ${describeType(error.data)}`;
        break;
      case "enum": {
        const allowed = (error.params.allowedValues as unknown[]).map(String);
        message = `must be one of: ${allowed.join(", ")}`;
        if (typeof error.data === "string") message += suggestion(error.data, allowed);
        break;
      }
      case "pattern":
        message = PATTERN_HINTS[String(error.params.pattern)] ?? `must match ${String(error.params.pattern)}`;
        break;
      case "anyOf":
        message = `must be ${describeAnyOf(error.schema)}, not ${describeType(error.data)}`;
        break;
      case "minItems":
        message = `must have at least ${String(error.params.limit)} item${error.params.limit === 1 ? "" : "s"}`;
        break;
      case "minLength":
        message = "must not be empty";
        break;
      default:
        message = error.message ?? "is not valid";
    }
    const issue: ConfigIssue = { severity: "error", path: formatPath(locator.writtenPath(path)), line: at.line, column: at.column, message };
    const key = `${issue.path}\0${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function describeAnyOf(branches: unknown): string {
  if (!Array.isArray(branches)) return "valid";
  return branches.map((b: { type?: unknown }) => typeName(b.type ?? "value")).join(" or ");
}
