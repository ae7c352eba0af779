import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { ApiError } from "../wires/api-error.js";
import { contextOf } from "./request-context.js";

/**
 * A JSON body parser that does only what the routes need: a size limit checked against
 * Content-Length before reading and again while reading, one `JSON.parse`, and the time the client
 * took to send a body that came in several pieces (not time `lf` added).
 */
export function readJsonBody(limitOf: (req: Request) => number) {
  return function readJsonBody(req: Request, _res: Response, next: NextFunction): void {
    readJson(req, limitOf(req), (error, body) => {
      if (error !== undefined) return next(error);
      req.body = body;
      next();
    });
  };
}

/** The same reader for a route matched before express: `done` gets the error, or the parsed body. */
export function readJson(req: IncomingMessage, limit: number, done: (error: ApiError | undefined, body?: unknown) => void): void {
  if (!isJson(req.headers["content-type"])) {
    req.resume();
    // A web page can send text/plain or a form across sites without a preflight; JSON it cannot.
    return done(new ApiError(415, `Send the body as JSON with Content-Type: application/json (got ${req.headers["content-type"] ?? "none"}).`, "invalid_request_error", "unsupported_media_type"));
  }
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    return done(tooLarge(limit));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let firstAt = 0;
  let failed = false;
  req.on("data", (chunk: Buffer) => {
    if (failed) return;
    size += chunk.length;
    if (size > limit) {
      failed = true;
      chunks.length = 0;
      return done(tooLarge(limit));
    }
    if (chunks.length === 0) firstAt = performance.now();
    chunks.push(chunk);
  });
  req.once("end", () => {
    if (failed) return;
    if (chunks.length > 1) contextOf(req).clientWaitMs = performance.now() - firstAt;
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (raw.length === 0) return done(new ApiError(400, "The request has no body: send a JSON object.", "invalid_request_error", "invalid_json"));
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      return done(new ApiError(400, `The body is not valid JSON: ${(error as Error).message}`, "invalid_request_error", "invalid_json"));
    }
    done(undefined, body);
  });
  req.once("error", (error) => {
    if (failed) return;
    failed = true;
    done(new ApiError(400, `The request body could not be read: ${error.message}`, "invalid_request_error", "invalid_body"));
  });
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
function isJson(type: string | undefined): boolean {
  if (type === undefined) return false;
  const semi = type.indexOf(";");
  return (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase() === "application/json";
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, `The request body is larger than this server's limit of ${limit} bytes (server.body_limit).`, "invalid_request_error", "body_too_large");
}
