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
    const text = (await response.text()).slice(0, 4096);
    const hex = /^\s*([0-9a-fA-F]{64})(\s|$)/.exec(text);
    return hex?.[1]?.toLowerCase();
  } catch {
    if (signal?.aborted) throw signal.reason;
    return undefined;
  }
}
