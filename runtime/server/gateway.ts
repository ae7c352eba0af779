import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "pino";
import type { RoutingEvent } from "../index.js";
import { guardConnections } from "./connection-guard.js";
import { createRequestListener } from "./create-app.js";
import { ConsoleHub } from "./console/console-hub.js";
import { GatewayMetrics } from "./metrics.js";
import { ProjectRegistry, type RegistryOptions } from "./project-registry.js";
import { openTracing, type Tracing } from "../telemetry/index.js";

export interface GatewayOptions extends RegistryOptions {
  /** Project files to serve. */
  files: readonly string[];
  /** Flags win over `server.host` / `server.port` of the first project, which win over 127.0.0.1:8000. */
  host?: string;
  port?: number;
  logger: Logger;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** `lf serve`: the projects, the HTTP server in front of them, and an orderly shutdown. */
export class Gateway {
  private closing: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly registry: ProjectRegistry,
    readonly server: Server,
    readonly url: string,
    private readonly logger: Logger,
    /** This gateway's own Prometheus registry and series, served at `/metrics`. */
    readonly metrics: GatewayMetrics,
    /** The recent requests and the events stream the web console reads. */
    readonly console: ConsoleHub,
    /** Spans exported over OTLP when `telemetry:` or the OTEL_ variables name a collector. */
    private readonly tracing: Tracing | undefined,
  ) {
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const metrics = new GatewayMetrics();
    const hub = new ConsoleHub();
    const listener = options.onRoutingEvent;
    const onRoutingEvent = (project: string, event: RoutingEvent) => {
      metrics.onRoutingEvent(project, event);
      hub.routingEvent(project, event);
      listener?.(project, event);
    };
    const registry = await ProjectRegistry.open(options.files, { ...options, onRoutingEvent });
    metrics.follow(registry);
    hub.follow(registry);
    let tracing: Tracing | undefined;
    try {
      tracing = await openTracing(registry.loaded()[0]?.project?.telemetry, options.env ?? process.env);
      const settings = registry.loaded()[0]?.project?.server;
      const host = options.host ?? settings?.host ?? "127.0.0.1";
      const port = options.port ?? settings?.port ?? 8000;
      if (!LOOPBACK.has(host) && !registry.apiKeys.required) {
        options.logger.warn({ host }, `listening on ${host} without server.api_keys: anyone who can reach it can use the models`);
      }
      const timeouts = settings?.timeouts ?? { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 65_000 };
      const server = createServer(
        {
          headersTimeout: timeouts.headersMs,
          requestTimeout: timeouts.requestMs,
          keepAliveTimeout: timeouts.keepAliveMs,
          // How often those timeouts are enforced (Node's default is every 30 s).
          connectionsCheckingInterval: 1_000,
        },
        createRequestListener(registry, options.logger, metrics, host, hub, tracing),
      );
      guardConnections(server, () => {
        const current = registry.loaded()[0]?.project?.server;
        return {
          maxConnections: current?.maxConnections ?? 1024,
          maxPerClient: LOOPBACK.has(host) ? undefined : (current?.maxConnectionsPerClient ?? 64),
        };
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return new Gateway(registry, server, `http://${shownHost}:${address.port}`, options.logger, metrics, hub, tracing);
    } catch (error) {
      await tracing?.shutdown();
      await registry.close();
      throw error;
    }
  }

  /**
   * Stops taking connections, lets requests in flight finish for up to `graceMs`, then cuts what is
   * left and closes every runtime (and with them the MCP servers' processes).
   */
  close(graceMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      this.console.close();
      // A connection with no response under way (idle keep-alive, or opened and never used) is cut
      // now and as others reach that point; one that is answering gets the grace period.
      const sweep = setInterval(() => this.closeIdle(), 25);
      this.closeIdle();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([closed, grace]);
      clearInterval(sweep);
      server.closeAllConnections();
      await closed;
      await this.registry.close();
      // The spans of the last requests are exported before the process goes.
      await this.tracing?.shutdown().catch((error: unknown) => this.logger.warn({ err: error }, "traces could not be exported"));
      this.logger.info("server stopped");
    })();
    return this.closing;
  }

  private closeIdle(): void {
    for (const socket of this.sockets) {
      if ((socket as Socket & { _httpMessage?: unknown })._httpMessage == null) socket.destroy();
    }
  }
}
