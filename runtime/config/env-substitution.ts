/**
 * `${env:VAR}`, `${VAR}`, `${VAR:-default}` and `${env:VAR:-default}` in a string.
 * `$${...}` escapes a literal `${...}`.
 */
const PATTERN = /\$?\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Substitution {
  value: string;
  /** Variables referenced with no value and no default. */
  missing: string[];
  /** Whether any variable was substituted. */
  substituted: boolean;
}

export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): Substitution {
  const missing: string[] = [];
  let substituted = false;
  if (!text.includes("${")) return { value: text, missing, substituted };
  const value = text.replace(PATTERN, (whole, name: string, fallback: string | undefined) => {
    if (whole.startsWith("$$")) return whole.slice(1);
    const found = env[name];
    if (found !== undefined && found !== "") {
      substituted = true;
      return found;
    }
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return "";
  });
  return { value, missing, substituted };
}

export interface VariableReference {
  name: string;
  /** The `:-default`, when the reference gives one. */
  fallback: string | undefined;
}

/** Every variable a text refers to, once each, in order of first use (an escaped `$${...}` is not one). */
export function referencedVariables(text: string): VariableReference[] {
  const found = new Map<string, VariableReference>();
  for (const match of text.matchAll(PATTERN)) {
    if (match[0].startsWith("$$")) continue;
    const name = match[1]!;
    if (!found.has(name)) found.set(name, { name, fallback: match[2] });
  }
  return [...found.values()];
}
