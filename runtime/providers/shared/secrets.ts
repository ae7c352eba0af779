/** How a key appears in previews and messages: enough to tell keys apart, never enough to use one. */
export function maskSecret(secret: string): string {
  return secret.length <= 8 ? "****" : `${secret.slice(0, 3)}…****`;
}

/** Replaces every occurrence of the given secrets; upstream error messages sometimes echo the key back. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(maskSecret(secret));
  }
  return out;
}

const SECRET_HEADER = /authorization|api[-_]?key|token|secret|cookie|password/i;

/** Header values for a preview: names kept, credentials masked. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) out[name] = value;
    else if (/^bearer\s+/i.test(value)) out[name] = `Bearer ${maskSecret(value.replace(/^bearer\s+/i, ""))}`;
    else out[name] = maskSecret(value);
  }
  return out;
}
