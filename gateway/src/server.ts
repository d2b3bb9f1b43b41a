// The gateway's HTTP surface: the public listener (/health/saas, /livez, /readyz) and the metrics
// listener (/metrics, its own port so the NetworkPolicy can open it to the scrapers only). Both
// refuse what they cannot serve with a status code and keep serving: unknown paths 404, wrong
// methods 405, request bodies 413, oversized headers 431, slow clients 408, garbage 400.
// Liveness and readiness never touch NATS or Redis: an outage of a dependency must not restart
// or unready every gateway pod at once. SIGTERM drains: readiness turns 503, the listener keeps
// serving for the shutdown delay (endpoints are withdrawn meanwhile), then stops accepting, lets
// requests in flight finish within the shutdown timeout, and closes the dependency clients.
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { Socket } from "node:net";
import type { DependencyCheck } from "./checks";
import type { GatewayConfig } from "./config";
import { HealthCache } from "./health";
import { type ClientErrorReason, GatewayMetrics, type Route } from "./metrics";

export type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface GatewayDeps {
  readonly nats: DependencyCheck;
  readonly redis: DependencyCheck;
  readonly log?: Log;
}

const ALLOW = "GET, HEAD";
const JSON_TYPE = "application/json";

function text(status: number, message: string): { status: number; body: Buffer } {
  return { status, body: Buffer.from(JSON.stringify({ error: message }) + "\n") };
}
const NOT_FOUND = text(404, "not found");
const NOT_ALLOWED = text(405, "method not allowed");
const BODY_REFUSED = text(413, "request bodies are not accepted");
const INTERNAL = text(500, "internal error");
const LIVE = Buffer.from('{"status":"ok"}\n');
const READY = LIVE;
const DRAINING = Buffer.from('{"status":"draining"}\n');

export class Gateway {
  readonly metrics = new GatewayMetrics(() => this.inFlight);
  readonly health: HealthCache;
  readonly server: Server;
  readonly metricsServer: Server;
  private draining = false;
  private stopped: Promise<void> | undefined;
  private inFlight = 0;
  private readonly log: Log;

  constructor(
    readonly config: GatewayConfig,
    private readonly deps: GatewayDeps,
  ) {
    this.log = deps.log ?? (() => undefined);
    let lastStatus: string | undefined;
    this.health = new HealthCache({
      nats: deps.nats,
      redis: deps.redis,
      cacheMs: config.cacheMs,
      version: config.version,
      onChecked: (report) => {
        this.metrics.observeHealth(report);
        // Transitions only: a log line per check would be one per cache interval forever.
        if (report.status !== lastStatus) {
          this.log("health status changed", {
            from: lastStatus ?? "unknown",
            to: report.status,
            checks: report.checks,
          });
          lastStatus = report.status;
        }
      },
    });
    this.server = this.listener((req, res, path) => this.route(req, res, path));
    this.metricsServer = this.listener((req, res, path) => this.routeMetrics(req, res, path));
  }

  private listener(
    handle: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<Route>,
  ): Server {
    const t = this.config.timeouts;
    const server = createServer(
      {
        maxHeaderSize: this.config.maxHeaderBytes,
        headersTimeout: t.headersMs,
        requestTimeout: t.requestMs,
        // How often Node looks for requests past those timeouts (its default is 30 s).
        connectionsCheckingInterval: Math.min(1_000, t.headersMs),
        requireHostHeader: false,
      },
      (req, res) => void this.serve(req, res, handle),
    );
    server.keepAliveTimeout = t.keepAliveMs;
    server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) =>
      this.refuse(err, socket),
    );
    return server;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    handle: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<Route>,
  ): Promise<void> {
    const t0 = performance.now();
    this.inFlight++;
    let route: Route = "other";
    try {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q < 0 ? url : url.slice(0, q);
      if (this.draining) res.setHeader("Connection", "close");
      route = await handle(req, res, path);
    } catch (e) {
      this.log("request failed", { error: (e as Error).message });
      if (!res.headersSent) this.send(req, res, INTERNAL.status, INTERNAL.body);
      else res.destroy();
    } finally {
      this.inFlight--;
      this.metrics.observeRequest(
        route,
        req.method ?? "",
        res.statusCode,
        (performance.now() - t0) / 1000,
      );
    }
  }

  /** Method and body rules shared by every route; true when the request may proceed. */
  private admit(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", ALLOW);
      this.send(req, res, NOT_ALLOWED.status, NOT_ALLOWED.body, true);
      return false;
    }
    const len = req.headers["content-length"];
    if ((len !== undefined && len !== "0") || req.headers["transfer-encoding"] !== undefined) {
      // Not reading an unwanted body: answer and close the connection instead.
      this.send(req, res, BODY_REFUSED.status, BODY_REFUSED.body, true);
      return false;
    }
    return true;
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<Route> {
    switch (path) {
      case "/health/saas": {
        if (!this.admit(req, res)) return "/health/saas";
        const got = this.health.get();
        const a = got instanceof Promise ? await got : got;
        res.setHeader("Cache-Control", "no-store");
        this.send(req, res, a.httpStatus, a.body);
        return "/health/saas";
      }
      case "/livez":
        if (this.admit(req, res)) this.send(req, res, 200, LIVE);
        return "/livez";
      case "/readyz":
        if (this.admit(req, res))
          this.send(req, res, this.draining ? 503 : 200, this.draining ? DRAINING : READY);
        return "/readyz";
      default:
        this.send(req, res, NOT_FOUND.status, NOT_FOUND.body);
        return "other";
    }
  }

  private async routeMetrics(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<Route> {
    if (path !== "/metrics") {
      this.send(req, res, NOT_FOUND.status, NOT_FOUND.body);
      return "other";
    }
    if (!this.admit(req, res)) return "/metrics";
    const body = Buffer.from(await this.metrics.registry.metrics());
    this.send(req, res, 200, body, false, this.metrics.registry.contentType);
    return "/metrics";
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: Buffer,
    close = false,
    type = JSON_TYPE,
  ): void {
    if (res.writableEnded || res.destroyed) return;
    res.statusCode = status;
    res.setHeader("Content-Type", type);
    res.setHeader("Content-Length", body.length);
    if (close) res.setHeader("Connection", "close");
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /** A connection that never became a request: answer with a status and close it. */
  private refuse(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    let status = 400;
    let reason: ClientErrorReason = "malformed";
    if (err.code === "HPE_HEADER_OVERFLOW") {
      status = 431;
      reason = "header-too-large";
    } else if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      status = 408;
      reason = "timeout";
    }
    this.metrics.clientError(reason);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }

  /** Listens on both ports; resolves with the bound ports. */
  async listen(): Promise<{ port: number; metricsPort: number }> {
    const bind = (s: Server, port: number): Promise<number> =>
      new Promise((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, this.config.host, () => {
          s.off("error", reject);
          const a = s.address();
          resolve(typeof a === "object" && a ? a.port : port);
        });
      });
    const port = await bind(this.server, this.config.port);
    const metricsPort = await bind(this.metricsServer, this.config.metricsPort);
    return { port, metricsPort };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Graceful stop (idempotent): see the header. Resolves when everything is closed. */
  shutdown(reason: string): Promise<void> {
    this.stopped ??= this.drain(reason);
    return this.stopped;
  }

  private async drain(reason: string): Promise<void> {
    const { delayMs, timeoutMs } = this.config.shutdown;
    this.draining = true;
    this.log("draining", { reason, delayMs, timeoutMs, inFlight: this.inFlight });
    if (delayMs > 0) await sleep(delayMs);
    const closed = Promise.all([close(this.server), close(this.metricsServer)]);
    // Keep-alive connections with nothing in flight go now; the others end after their response
    // (it carries Connection: close).
    this.server.closeIdleConnections();
    this.metricsServer.closeIdleConnections();
    const inTime = await Promise.race([
      closed.then(() => true),
      sleep(timeoutMs).then(() => false),
    ]);
    if (!inTime) {
      this.log("shutdown timeout: closing remaining connections", { inFlight: this.inFlight });
      this.server.closeAllConnections();
      this.metricsServer.closeAllConnections();
      await closed;
    }
    await Promise.all([this.deps.nats.close(), this.deps.redis.close()]);
    this.log("stopped", { reason });
  }
}

/** A timer that does not keep the process alive on its own. */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

function close(s: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!s.listening) return resolve();
    s.close(() => resolve());
  });
}
