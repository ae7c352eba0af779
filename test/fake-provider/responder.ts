import type { ServerResponse } from "node:http";
import type { ReplyPlan } from "./reply-plan.js";
import type { FakeFault, RecordedRequest } from "./reply-spec.js";
import { makeStamp, type StampClock } from "./stamp.js";
import type { Frame, WireEncoder } from "./wire-encoder.js";

/** One request's response in flight, and what the fake knows about its connection. */
export interface Exchange {
  res: ServerResponse;
  record: RecordedRequest;
  closed: boolean;
  /** The fake destroyed the connection itself, so the close is not the client's doing. */
  killed: boolean;
  /** Wakes a pause or a hang when the connection closes. */
  wake: (() => void) | undefined;
}

export interface Delivery {
  plan: ReplyPlan;
  encoder: WireEncoder;
  stream: boolean;
  /** The encoded reply: a body or stream frames, built only when the response gets that far. */
  encode: () => Buffer | Frame[];
  stamp: StampClock | undefined;
}

export async function deliver(ex: Exchange, delivery: Delivery): Promise<void> {
  const { plan, encoder, stream } = delivery;
  if (plan.delayMs > 0) await pause(ex, plan.delayMs);
  if (ex.closed) return;
  const fault = plan.fault;
  if (fault !== undefined && strikesBeforeHeaders(fault, stream)) return beforeHeaders(ex, fault, encoder);
  if (!stream) return whole(ex, delivery, delivery.encode() as Buffer, fault);
  return streamed(ex, delivery, delivery.encode() as Frame[], fault);
}

function strikesBeforeHeaders(fault: FakeFault, stream: boolean): boolean {
  if (fault.fault === "status") return true;
  if (fault.fault === "reset" || fault.fault === "hang") return fault.afterChunks === undefined;
  // A non-streaming answer has no stream to carry an error event, so it becomes an error status.
  return fault.fault === "stream-error" && !stream;
}

async function beforeHeaders(ex: Exchange, fault: FakeFault, encoder: WireEncoder): Promise<void> {
  switch (fault.fault) {
    case "status": {
      const body = fault.body === undefined ? encoder.errorBody(fault.status, fault.message ?? "", fault.errorType) : typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body);
      writeHead(ex, fault.status, { "content-type": encoder.jsonType, ...fault.headers });
      ex.res.end(body);
      return;
    }
    case "stream-error":
      writeHead(ex, 500, { "content-type": encoder.jsonType });
      ex.res.end(encoder.errorBody(500, fault.message ?? "", fault.errorType));
      return;
    case "reset":
      return kill(ex);
    default:
      return untilClosed(ex);
  }
}

async function whole(ex: Exchange, { encoder, plan }: Delivery, body: Buffer, fault: FakeFault | undefined): Promise<void> {
  // The first half of a real body is complete as HTTP and still does not parse as JSON.
  const sent = fault?.fault === "malformed" ? body.subarray(0, body.length >> 1) : body;
  writeHead(ex, 200, { "content-type": encoder.jsonType, "content-length": String(sent.length), ...plan.headers });
  if (fault === undefined || fault.fault === "malformed") return void ex.res.end(sent);
  // The headers promise the whole body; only half of it arrives.
  ex.res.write(body.subarray(0, body.length >> 1));
  await flushed(ex);
  if (fault.fault === "reset") return kill(ex);
  return untilClosed(ex);
}

async function streamed(ex: Exchange, { encoder, plan, stamp }: Delivery, frames: Frame[], fault: FakeFault | undefined): Promise<void> {
  const res = ex.res;
  writeHead(ex, 200, { "content-type": encoder.streamType, "cache-control": "no-cache", ...plan.headers });
  const corked = plan.chunkDelayMs <= 0;
  if (corked && fault === undefined && stamp === undefined) return void res.end(joined(frames));
  const limit = fault === undefined ? -1 : (fault as { afterChunks?: number }).afterChunks ?? 0;
  // Without delays the whole stream goes out in one socket write.
  if (corked) res.cork();
  let outputs = 0;
  for (const frame of frames) {
    if (limit >= 0 && ((frame.kind === "output" && outputs === limit) || frame.kind === "tail")) {
      if (corked) res.uncork();
      return midStream(ex, fault as FakeFault, encoder);
    }
    if (frame.kind === "output") {
      if (!corked) {
        await pause(ex, plan.chunkDelayMs);
        if (ex.closed) return;
      }
      outputs++;
    }
    res.write(frame.stamped !== undefined && stamp !== undefined ? frame.stamped.before + makeStamp(stamp) + frame.stamped.after : frame.bytes);
  }
  res.end();
  if (corked) res.uncork();
}

async function midStream(ex: Exchange, fault: FakeFault, encoder: WireEncoder): Promise<void> {
  switch (fault.fault) {
    case "malformed":
      ex.res.end(encoder.malformedFrame);
      return;
    case "stream-error":
      ex.res.end(encoder.streamError(fault.message ?? "The upstream failed mid-stream.", fault.errorType));
      return;
    case "reset":
      await flushed(ex);
      return kill(ex);
    default:
      return untilClosed(ex);
  }
}

const joinedFrames = new WeakMap<Frame[], Buffer>();

/** The whole stream as one buffer, kept for as long as the (cached) frames live. */
function joined(frames: Frame[]): Buffer {
  let bytes = joinedFrames.get(frames);
  if (bytes === undefined) {
    bytes = Buffer.concat(frames.map((frame) => frame.bytes));
    joinedFrames.set(frames, bytes);
  }
  return bytes;
}

function writeHead(ex: Exchange, status: number, headers: Record<string, string>): void {
  ex.record.status = status;
  ex.res.writeHead(status, headers);
}

/** Resolves once everything written so far has reached the kernel, so a reset cuts after it. */
function flushed(ex: Exchange): Promise<void> {
  const socket = ex.res.socket;
  if (socket === null || ex.closed) return Promise.resolve();
  return new Promise((resolve) => socket.write("", () => resolve()));
}

function kill(ex: Exchange): void {
  ex.killed = true;
  ex.res.socket?.destroy();
  ex.res.destroy();
}

export function pause(ex: Exchange, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ex.wake = undefined;
      resolve();
    };
    const timer = setTimeout(done, ms);
    ex.wake = done;
  });
}

function untilClosed(ex: Exchange): Promise<void> {
  if (ex.closed) return Promise.resolve();
  return new Promise((resolve) => {
    ex.wake = resolve;
  });
}
