import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request } from "express";
import type { ChatRun } from "../index.js";
import type { ChatWire } from "../wires/chat-wire.js";
import type { ApiKey } from "./api-keys.js";

/** What the server tracks about one request, kept on the request object under a symbol. */
export interface RequestContext {
  id: string;
  /** `performance.now()` when the request reached the server. */
  startedAt: number;
  /** Time spent waiting for the rest of a body that arrived in several pieces. */
  clientWaitMs: number;
  /** The key the request authenticated with, when keys are configured. */
  key: ApiKey | undefined;
  /** Secrets of the project the request reached, for redacting error messages. */
  secrets: ReadonlyArray<string>;
  /** The chat run, once started: its attempts go into error responses' headers. */
  run?: ChatRun;
  /** The client closed the connection before the answer was complete. */
  clientGone?: boolean;
  /** An error that ended a stream after output: logged, already sent as an event. */
  failure?: unknown;
  /** The client dialect of a chat route: its errors are written in its shape. */
  wire?: ChatWire;
}

const CONTEXT = Symbol("lf.request");
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function beginRequest(req: IncomingMessage): RequestContext {
  const given = req.headers["x-request-id"];
  const context: RequestContext = {
    id: typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID(),
    startedAt: performance.now(),
    clientWaitMs: 0,
    key: undefined,
    secrets: [],
  };
  (req as unknown as Record<symbol, RequestContext>)[CONTEXT] = context;
  return context;
}

export function contextOf(req: Request | IncomingMessage): RequestContext {
  return (req as unknown as Record<symbol, RequestContext | undefined>)[CONTEXT] ?? beginRequest(req);
}

/** A signal that fires when the client closes the connection before its answer is complete. */
export function abortOnClientGone(res: ServerResponse, ctx: RequestContext): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (res.writableFinished) return;
    ctx.clientGone = true;
    controller.abort();
  });
  return controller.signal;
}
