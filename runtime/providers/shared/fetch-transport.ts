import { UpstreamConnectionError, type UpstreamCall, type UpstreamResponse, type UpstreamTransport } from "./upstream-transport.js";

/** Calls through an injected `fetch` (tests fake the HTTP boundary with one; embedders may route it). */
export function fetchTransport(fetchImpl: typeof fetch): UpstreamTransport {
  return {
    async request(call: UpstreamCall): Promise<UpstreamResponse> {
      let response: Response;
      try {
        response = await fetchImpl(call.url, { method: call.method, headers: call.headers, ...(call.body === undefined ? {} : { body: call.body }), ...(call.signal ? { signal: call.signal } : {}) });
      } catch (error) {
        if (call.signal?.aborted) throw call.signal.reason ?? error;
        throw new UpstreamConnectionError(error);
      }
      return {
        status: response.status,
        statusText: response.statusText,
        headers: () => {
          const out: Record<string, string> = {};
          response.headers.forEach((value, name) => {
            out[name] = value;
          });
          return out;
        },
        body: (response.body ?? []) as AsyncIterable<Uint8Array>,
        text: () => response.text(),
      };
    },
  };
}
