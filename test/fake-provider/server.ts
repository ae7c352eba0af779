import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicWire } from "./anthropic-wire.js";
import { embeddingsBody, invalidEmbeddingRequest } from "./embeddings.js";
import { invalidRequest, listing, routeOf, wantsStream, type Route } from "./endpoints.js";
import { ollamaWire } from "./ollama-wire.js";
import { openaiWire } from "./openai-wire.js";
import { DEFAULT_TEXT, isBareFault, planReply, type ReplyPlan } from "./reply-plan.js";
import type { FakeReply, RecordedRequest, Reply, ReplySource, WireFormat } from "./reply-spec.js";
import { deliver, type Exchange } from "./responder.js";
import { ScriptBook } from "./script-book.js";
import type { StampClock } from "./stamp.js";
import type { EncodeContext, Frame, WireEncoder } from "./wire-encoder.js";

export interface FakeProviderOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The answer when nothing is scripted. Default: a short text. */
  defaultReply?: Reply;
  /** Listed by /v1/models and /api/tags, besides every model the script names. */
  models?: readonly string[];
  /** Answer 404 (model not found) for a model neither listed nor scripted. */
  rejectUnknownModels?: boolean;
  /** Require this key as `Authorization: Bearer` or `x-api-key`, else 401. */
  apiKey?: string;
  /** How many requests `requests` keeps (the oldest go first). Default: all; a benchmark passes 0. */
  maxRecorded?: number;
  /** Embed the send time in every streamed text chunk. */
  stamp?: StampClock;
  /** Milliseconds since the epoch, for `at` and `created` fields. */
  now?: () => number;
}

export interface FakeProvider {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. Entries are updated as their connection settles. */
  readonly requests: readonly RecordedRequest[];
  /** Queue replies for requests naming `model` (`ANY_MODEL` for any), each used once, in order. */
  script(model: string, ...replies: ReplySource[]): FakeProvider;
  /** A standing behaviour for `model` until cleared. */
  always(model: string, reply: ReplySource): FakeProvider;
  clear(model?: string): FakeProvider;
  /** Queued replies not yet used. */
  pending(model?: string): number;
  /** Forget scripts, standing behaviours and recorded requests. */
  reset(): void;
  /** Resolves once `count` requests have arrived in total. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolves once no response is in flight, so `aborted` and `completed` are final. */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const ENCODERS: Record<WireFormat, WireEncoder> = { openai: openaiWire, ollama: ollamaWire, anthropic: anthropicWire };
/** Where a format's encodings sit among a model's cache slots: JSON, stream, stream with usage. */
const FORMAT_SLOT: Record<WireFormat, number> = { openai: 0, ollama: 3, anthropic: 6 };
const CACHE_LIMIT = 512;

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const fake = new FakeProviderServer(options);
  await fake.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  return fake;
}

class FakeProviderServer implements FakeProvider {
  url = "";
  port = 0;
  private recorded: RecordedRequest[] = [];
  private readonly book = new ScriptBook();
  private readonly server: Server;
  private readonly open = new Set<Exchange>();
  private readonly defaultSpec: FakeReply;
  private readonly defaultPlan: ReplyPlan;
  /** The default reply, encoded once per model, format and stream mode: the benchmark's hot path. */
  private readonly cache = new Map<string, (Buffer | Frame[] | undefined)[]>();
  private readonly waiters = new Set<() => void>();
  private seq = 0;
  private closing = false;

  constructor(private readonly options: FakeProviderOptions) {
    const reply = options.defaultReply ?? DEFAULT_TEXT;
    this.defaultSpec = typeof reply === "string" ? { text: reply } : isBareFault(reply) ? { text: DEFAULT_TEXT, fault: reply } : reply;
    this.defaultPlan = planReply(this.defaultSpec);
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const address = this.server.address() as AddressInfo;
        this.port = address.port;
        this.url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
        resolve();
      });
    });
  }

  script(model: string, ...replies: ReplySource[]): this {
    this.book.script(model, replies);
    return this;
  }

  always(model: string, reply: ReplySource): this {
    this.book.always(model, reply);
    return this;
  }

  clear(model?: string): this {
    this.book.clear(model);
    return this;
  }

  pending(model?: string): number {
    return this.book.pending(model);
  }

  reset(): void {
    this.book.clear();
    this.recorded = [];
  }

  waitForRequests(count: number, timeoutMs = 5_000): Promise<RecordedRequest[]> {
    return this.waitUntil(() => this.recorded.length >= count, timeoutMs, () => `${count} requests (got ${this.recorded.length})`).then(() => this.recorded);
  }

  settled(timeoutMs = 5_000): Promise<void> {
    return this.waitUntil(() => this.open.size === 0, timeoutMs, () => `responses to settle (${this.open.size} in flight)`);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const ex of this.open) ex.killed = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => this.handle(req, res, parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const route = routeOf(method, path, req.headers);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        body = undefined;
      }
    }
    const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : undefined;
    const model = typeof fields?.model === "string" ? fields.model : undefined;
    const record: RecordedRequest = {
      format: route.format,
      method,
      path,
      headers: req.headers,
      body,
      model,
      stream: route.kind === "chat" && route.format !== undefined && fields !== undefined && wantsStream(route.format, fields),
      at: (this.options.now ?? Date.now)(),
      aborted: false,
      completed: false,
      settled: false,
      status: undefined,
    };
    const ex: Exchange = { res, record, closed: false, killed: false, wake: undefined };
    this.track(ex);
    this.keep(record);

    if (route.format === undefined) return this.fail(ex, openaiWire, 404, `Invalid URL (${method} ${path})`);
    const encoder = ENCODERS[route.format];
    if (this.options.apiKey !== undefined && !this.authorized(req)) return this.fail(ex, encoder, 401, "Invalid API key.");
    if (route.kind === "chat") return this.chat(ex, route, encoder, fields, raw.length > 0 && body === undefined);
    if (route.kind === "embeddings") return this.embeddings(ex, route, encoder, fields);
    if (route.kind === "unknown") {
      record.status = 404;
      return void res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
    }
    if (route.kind === "root") {
      record.status = 200;
      return void res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("Ollama is running");
    }
    this.sendJson(ex, listing(route, this.modelNames()));
  }

  private chat(ex: Exchange, route: Route, encoder: WireEncoder, fields: Record<string, unknown> | undefined, unparsable: boolean): void {
    const format = route.format!;
    const problem = unparsable ? invalidRequest(format, undefined) : invalidRequest(format, fields);
    if (problem !== undefined) return this.fail(ex, encoder, 400, problem);
    const model = ex.record.model!;
    if (this.options.rejectUnknownModels === true && !this.modelNames().includes(model)) {
      return this.fail(ex, encoder, 404, `The model '${model}' does not exist or you do not have access to it.`);
    }
    const stream = ex.record.stream;
    const includeUsage = format === "openai" && (fields!.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const stamp = this.options.stamp;
    const reply = this.book.take(ex.record);
    let plan: ReplyPlan;
    let encode: () => Buffer | Frame[];
    if (reply === undefined) {
      plan = this.defaultPlan;
      encode = () => this.cachedDefault(encoder, model, stream, includeUsage);
    } else {
      plan = planReply(reply, this.defaultSpec);
      const ctx: EncodeContext = { model, seq: ++this.seq, now: (this.options.now ?? Date.now)(), includeUsage, stamp: stamp !== undefined };
      encode = () => (stream ? encoder.stream(plan, ctx) : encoder.complete(plan, ctx));
    }
    deliver(ex, { plan, encoder, stream, encode, stamp }).catch((error: unknown) => {
      // A fault in the fake itself must not pass for a scripted reset, so it is said out loud.
      console.error("fake provider: failed to answer", ex.record.path, error);
      ex.killed = true;
      ex.res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** Deterministic vectors (see `fakeVector`); a scripted fault, delay or status spoils them as it does a chat. */
  private embeddings(ex: Exchange, route: Route, encoder: WireEncoder, fields: Record<string, unknown> | undefined): void {
    const problem = invalidEmbeddingRequest(route.format!, fields);
    if (problem !== undefined) return this.fail(ex, encoder, 400, problem);
    const reply = this.book.take(ex.record);
    const plan = reply === undefined ? this.defaultPlan : planReply(reply, this.defaultSpec);
    deliver(ex, { plan, encoder, stream: false, encode: () => embeddingsBody(route.format!, fields!), stamp: undefined }).catch((error: unknown) => {
      console.error("fake provider: failed to answer", ex.record.path, error);
      ex.killed = true;
      ex.res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private cachedDefault(encoder: WireEncoder, model: string, stream: boolean, includeUsage: boolean): Buffer | Frame[] {
    let slots = this.cache.get(model);
    if (slots === undefined) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      slots = [];
      this.cache.set(model, slots);
    }
    const slot = FORMAT_SLOT[encoder.format] + (stream ? (includeUsage ? 2 : 1) : 0);
    let encoded = slots[slot];
    if (encoded === undefined) {
      const ctx: EncodeContext = { model, seq: 0, now: (this.options.now ?? Date.now)(), includeUsage, stamp: this.options.stamp !== undefined };
      encoded = stream ? encoder.stream(this.defaultPlan, ctx) : encoder.complete(this.defaultPlan, ctx);
      slots[slot] = encoded;
    }
    return encoded;
  }

  private fail(ex: Exchange, encoder: WireEncoder, status: number, message: string): void {
    ex.record.status = status;
    ex.res.writeHead(status, { "content-type": encoder.jsonType }).end(encoder.errorBody(status, message));
  }

  private sendJson(ex: Exchange, value: unknown): void {
    ex.record.status = 200;
    ex.res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
  }

  private authorized(req: IncomingMessage): boolean {
    const key = this.options.apiKey;
    return req.headers.authorization === `Bearer ${key}` || req.headers["x-api-key"] === key;
  }

  private modelNames(): string[] {
    return [...new Set([...(this.options.models ?? ["fake-model"]), ...this.book.models()])];
  }

  private keep(record: RecordedRequest): void {
    const limit = this.options.maxRecorded ?? Infinity;
    if (limit <= 0) return;
    this.recorded.push(record);
    if (this.recorded.length > limit) this.recorded.shift();
    this.notify();
  }

  private track(ex: Exchange): void {
    this.open.add(ex);
    ex.res.once("close", () => {
      ex.closed = true;
      const record = ex.record;
      record.completed = ex.res.writableFinished;
      record.aborted = !record.completed && !ex.killed && !this.closing;
      record.settled = true;
      this.open.delete(ex);
      ex.wake?.();
      this.notify();
    });
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  private waitUntil(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake provider: timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }
}
