/**
 * The trace of one call to a model, when tracing is on: what an adapter sends upstream and what the tool
 * loop records under it. Absent when tracing is off, so a call without it does no trace work at all.
 */
export interface CallTrace {
  /** W3C `traceparent` naming this call, for the upstream request's headers. */
  readonly traceparent: string;
  /** A tool call starts under this call; the returned function ends it. */
  tool(name: string, callId: string): (isError: boolean) => void;
}
