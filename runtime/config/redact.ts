/** Replaces every known secret in a text, so nothing secret reaches a log line, an error or an output. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(mask(secret));
  }
  return out;
}

export function mask(secret: string): string {
  return secret.length <= 8 ? "****" : `${secret.slice(0, 3)}…${"*".repeat(4)}`;
}
