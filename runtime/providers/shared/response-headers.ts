/**
 * Response headers as a plain record with lower-case names, for `ProviderError.headers`. Cookies are
 * dropped (they may carry session secrets); OpenAI's `retry-after-ms` also becomes `retry-after`
 * when that is missing, so the one field the retry planner reads is always set.
 */
export function responseHeaders(headers: Headers | Record<string, string | string[] | undefined> | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  const entries: Iterable<[string, unknown]> = typeof (headers as Headers).forEach === "function" && typeof (headers as Headers).get === "function"
    ? collect(headers as Headers)
    : Object.entries(headers);
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    if (key === "set-cookie" || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  const ms = Number(out["retry-after-ms"]);
  if (out["retry-after"] === undefined && out["retry-after-ms"] !== undefined && Number.isFinite(ms)) out["retry-after"] = String(ms / 1000);
  return out;
}

function collect(headers: Headers): [string, string][] {
  const entries: [string, string][] = [];
  headers.forEach((value, name) => entries.push([name, value]));
  return entries;
}
