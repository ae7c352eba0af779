const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

/**
 * Fills `{{name}}` and `{{name | default}}` from the request's variables. A placeholder with neither a
 * value nor a default stays as written, so a missing variable shows in the prompt rather than vanishing.
 */
export function fillTemplate(text: string, variables: Readonly<Record<string, string>>): string {
  if (!text.includes("{{")) return text;
  // Most requests send no variables: a prompt filled with its defaults is the same every time.
  const plain = isEmpty(variables);
  if (plain) {
    const filled = WITH_DEFAULTS.get(text);
    if (filled !== undefined) return filled;
  }
  const filled = text.replace(PLACEHOLDER, (whole, name: string, fallback: string | undefined) => {
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (value !== undefined) return value;
    return fallback ?? whole;
  });
  // Prompts come from project files, so the texts are few; the bound only guards against misuse.
  if (plain && WITH_DEFAULTS.size < 1000) WITH_DEFAULTS.set(text, filled);
  return filled;
}

const WITH_DEFAULTS = new Map<string, string>();

function isEmpty(variables: Readonly<Record<string, string>>): boolean {
  for (const _ in variables) return false;
  return true;
}

/** The variables a text uses, for `--dry-run` and error messages. */
export function templateVariables(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
