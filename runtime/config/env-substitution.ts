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
