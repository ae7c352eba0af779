import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A minimal OpenAI upstream that notes, on the monotonic clock, when each chat request arrives: the end
 * of `lf chat`'s cold start is the moment its request reaches the provider.
 */
export interface ArrivalFake {
  readonly url: string;
  /** Resolves with the arrival time (ms, `process.hrtime`) of the next request. */
  nextArrival(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startArrivalFake(): Promise<ArrivalFake> {
  let waiter: ((at: number) => void) | undefined;
  const server = createServer((req, res) => {
    // Taken as soon as the request line and headers are parsed, before the body is read.
    const at = hrtimeMs();
    waiter?.(at);
    waiter = undefined;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let stream = false;
      try {
        stream = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { stream?: unknown }).stream === true;
      } catch {
        // An unparsable body still gets an answer: this fake times arrival, it does not validate.
      }
      if (stream) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(`data: ${JSON.stringify(completionChunk({ role: "assistant", content: "ok" }, null))}\n\n`);
        res.write(`data: ${JSON.stringify(completionChunk({}, "stop"))}\n\n`);
        res.end("data: [DONE]\n\n");
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(completion()));
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    nextArrival: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`no request reached the arrival fake within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = (at) => {
          clearTimeout(timer);
          resolve(at);
        };
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function completionChunk(delta: object, finish: string | null): object {
  return { id: "chatcmpl-arrival", object: "chat.completion.chunk", created: 0, model: "fake-model", choices: [{ index: 0, delta, finish_reason: finish }] };
}

function completion(): object {
  return {
    id: "chatcmpl-arrival",
    object: "chat.completion",
    created: 0,
    model: "fake-model",
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}
