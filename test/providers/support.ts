import { createServer } from "node:net";
import { expect } from "vitest";
import type { ModelAdapter, ModelCallOptions, StreamPart } from "../../runtime/core/index.js";

export interface Outcome {
  parts: StreamPart[];
  /** What the iterator threw, if it threw. */
  thrown: unknown;
}

/** Drains a stream, keeping every part and the error it threw (if any), without failing the test. */
export async function drain(stream: AsyncIterable<StreamPart>): Promise<Outcome> {
  const parts: StreamPart[] = [];
  try {
    for await (const part of stream) parts.push(part);
    return { parts, thrown: undefined };
  } catch (error) {
    return { parts, thrown: error };
  }
}

/** Awaits a whole answer, keeping its parts or the error it threw (if any), without failing the test. */
/**
 * What `onResponse` says for a scripted answer, then for an error status: the events of the answer (the
 * response, then its part types) and whether the error status was announced as an answer.
 */
export async function responseSignals(adapter: () => ModelAdapter, call: ModelCallOptions): Promise<void> {
  const events: string[] = [];
  for await (const part of adapter().stream({ ...call, onResponse: () => events.push("response") })) events.push(part.type);
  expect(events[0]).toBe("response");
  expect(events.filter((event) => event === "response")).toHaveLength(1);
  expect(events).toContain("text-delta");
  let answered = false;
  const { thrown } = await drain(adapter().stream({ ...call, onResponse: () => (answered = true) }));
  expect(thrown).toMatchObject({ status: 503 });
  expect(answered).toBe(false);
}

export async function settle(answer: Promise<StreamPart[]>): Promise<Outcome> {
  try {
    return { parts: await answer, thrown: undefined };
  } catch (error) {
    return { parts: [], thrown: error };
  }
}

export function textOfParts(parts: readonly StreamPart[]): string {
  return parts.map((part) => (part.type === "text-delta" ? part.text : "")).join("");
}

export function partTypes(parts: readonly StreamPart[]): string[] {
  return parts.map((part) => part.type);
}

/** A port that was free a moment ago and has nothing listening: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fetch that answers with the given body bytes as a 200 stream, cut wherever the body ends. */
export function fetchReturning(body: string, contentType: string): typeof fetch {
  return async () => new Response(body, { status: 200, headers: { "content-type": contentType } });
}

/** A fetch that fails the test if anything is sent. */
export const forbiddenFetch: typeof fetch = async (input) => {
  throw new Error(`no request should be sent, but one went to ${String(input)}`);
};
