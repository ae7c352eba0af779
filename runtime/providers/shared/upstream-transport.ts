/** One HTTP call to a provider, as plain data. */
export interface UpstreamCall {
  method: "GET" | "POST";
  url: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  body?: string;
  signal?: AbortSignal | undefined;
}

/** The answer's status line and headers; the body is read once, as text or as bytes. */
export interface UpstreamResponse {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names; built on demand, since only failures need them. */
  headers(): Record<string, string | string[] | undefined>;
  /** The body, chunk by chunk as it arrives. */
  readonly body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
}

/**
 * How an adapter reaches its server: undici by default, any `fetch` when one is injected (tests,
 * embedders). A failure before a response rejects with `UpstreamConnectionError`; an abort rejects
 * with the signal's reason or an abort error.
 */
export interface UpstreamTransport {
  request(call: UpstreamCall): Promise<UpstreamResponse>;
}

/** No response arrived: refused, DNS, reset before the headers. `cause` carries the system code. */
export class UpstreamConnectionError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "UpstreamConnectionError";
  }
}
