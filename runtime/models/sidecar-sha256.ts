import { checkedUrl } from "./model-source.js";

/**
 * The checksum many plain download sites put beside a file, `<url>.sha256` (`<hex>` or
 * `<hex>  <name>`). Absent, unreachable or unreadable, it is simply not there: the pull goes on
 * without one, and says so.
 */
export async function fetchSidecarSha256(url: string, fetchImpl: typeof fetch, signal?: AbortSignal): Promise<string | undefined> {
  const sidecar = new URL(url);
  sidecar.pathname = `${sidecar.pathname}.sha256`;
  const timeout = AbortSignal.timeout(15_000);
  try {
    const response = await fetchImpl(sidecar, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    checkedUrl(response.url || sidecar.href, "the checksum file");
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const text = await readHead(response, 4096);
    const hex = /^\s*([0-9a-fA-F]{64})(\s|$)/.exec(text);
    return hex?.[1]?.toLowerCase();
  } catch {
    if (signal?.aborted) throw signal.reason;
    return undefined;
  }
}

/** At most `limit` bytes of the body: a checksum file is one line, and a server may answer anything. */
async function readHead(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, limit).toString("utf8");
}
