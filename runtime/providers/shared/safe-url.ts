const SECRET_QUERY = /key|token|secret|sig|auth|password/i;

/** A URL fit for messages and error details: user info removed, credential-like query values masked. */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
  parsed.username = "";
  parsed.password = "";
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY.test(name)) parsed.searchParams.set(name, "****");
  }
  const out = parsed.toString();
  // URL adds a slash to a bare origin; keep the URL as it was written.
  return out.endsWith("/") && !url.endsWith("/") ? out.slice(0, -1) : out;
}

/** Joins a base URL and a path with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** The host of a URL, or undefined when it does not parse. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
