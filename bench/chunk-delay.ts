import { request } from "node:http";
import { readStamps, stampNow } from "../test/fake-provider/stamp.js";

/**
 * Reads an OpenAI-style SSE stream whose text carries the fake's send-time stamps and, for each stamp,
 * how long it took from the fake's write to this read. Arrival is taken when the bytes arrive, before
 * any parsing, so parsing cost is not charged to the gateway.
 */
export class SseStampReader {
  /** Milliseconds from each chunk's send to its arrival here, in stream order. */
  readonly ages: number[] = [];
  /** Arrival of each stamped chunk on the hrtime clock, in milliseconds. */
  readonly arrivals: number[] = [];
  private pending = "";
  private text = "";
  private seen = 0;

  /** Feeds raw bytes as they arrive; `arrivedAt` is `stampNow("hrtime")` taken on arrival. */
  push(chunk: string, arrivedAt: number): void {
    this.pending += chunk;
    let end: number;
    while ((end = this.eventEnd()) >= 0) {
      const event = this.pending.slice(0, end);
      this.pending = this.pending.slice(end).replace(/^(\r?\n){2}/, "");
      this.text += contentOf(event);
    }
    // A gateway may split or join deltas, so stamps are found in the text so far, not per event.
    const stamps = readStamps(this.text);
    for (; this.seen < stamps.length; this.seen++) {
      this.ages.push(arrivedAt - stamps[this.seen]!.ms);
      this.arrivals.push(arrivedAt);
    }
  }

  private eventEnd(): number {
    const lf = this.pending.indexOf("\n\n");
    const crlf = this.pending.indexOf("\r\n\r\n");
    if (lf < 0) return crlf;
    return crlf < 0 ? lf : Math.min(lf, crlf);
  }
}

/** The text of one SSE event's `data:` JSON: `choices[0].delta.content`, or "" for anything else. */
export function contentOf(event: string): string {
  let out = "";
  for (const line of event.split(/\r?\n/)) {
    if (!line.startsWith("data:")) continue;
    const data = line.slice(5).trim();
    if (data === "" || data === "[DONE]") continue;
    try {
      const parsed = JSON.parse(data) as { choices?: { delta?: { content?: unknown } }[] };
      const content = parsed.choices?.[0]?.delta?.content;
      if (typeof content === "string") out += content;
    } catch {
      // Not JSON: a comment or keep-alive line that a gateway may add.
    }
  }
  return out;
}

export interface StreamTiming {
  ages: number[];
  /** From sending the request to the first stamped chunk's arrival. */
  firstChunkMs: number;
  status: number;
}

/** One streamed chat completion; rejects after `timeoutMs`. */
export function measureStream(url: string, body: string, timeoutMs = 30_000): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const reader = new SseStampReader();
    const sentAt = stampNow("hrtime");
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, timeout: timeoutMs }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => reader.push(chunk, stampNow("hrtime")));
      res.on("end", () => {
        const first = reader.arrivals[0];
        resolve({ ages: reader.ages, firstChunkMs: first === undefined ? NaN : first - sentAt, status: res.statusCode ?? 0 });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`stream from ${url} took over ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
