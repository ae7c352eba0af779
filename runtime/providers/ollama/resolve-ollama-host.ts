export const OLLAMA_DEFAULT_HOST = "http://localhost:11434";
const OLLAMA_DEFAULT_PORT = "11434";

/**
 * The server to call: the model's base_url, else `OLLAMA_HOST`, else localhost. Accepts what people
 * actually write there: `host:port`, `:11434`, a bare host (Ollama's port is implied), and the
 * LlamaFarm habit of pointing at the OpenAI-compatible `/v1` path, which is stripped since the native
 * API lives at `/api`.
 */
export function resolveOllamaHost(baseUrl: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  let host = (baseUrl ?? env.OLLAMA_HOST ?? "").trim();
  if (host === "") return OLLAMA_DEFAULT_HOST;
  if (host.startsWith(":")) host = `127.0.0.1${host}`;
  const explicitProtocol = host.includes("://");
  if (!explicitProtocol) host = `http://${host}`;
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return host.replace(/\/+$/, "");
  }
  if (url.port === "" && !explicitProtocol) url.port = OLLAMA_DEFAULT_PORT;
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "").replace(/\/api$/, "");
  return `${url.protocol}//${url.host}${path}`;
}
