const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

/**
 * Fills `{{name}}` and `{{name | default}}` from the request's variables. A placeholder with neither a
 * value nor a default stays as written, so a missing variable shows in the prompt rather than vanishing.
 */
export function fillTemplate(text: string, variables: Readonly<Record<string, string>>): string {
  if (!text.includes("{{")) return text;
  return text.replace(PLACEHOLDER, (whole, name: string, fallback: string | undefined) => {
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (value !== undefined) return value;
    return fallback ?? whole;
  });
}

/** The variables a text uses, for `--dry-run` and error messages. */
export function templateVariables(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
