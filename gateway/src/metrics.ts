// Prometheus metrics of the gateway, with prom-client (the maintained Node client: the text
// exposition format, histograms and the process/runtime metrics such as event-loop lag, heap and
// GC come with it, and writing those by hand is where exporters go wrong). One registry per
// gateway instance, not the global one, so tests can run several. Label values come from fixed
// sets (routes, codes) and children are looked up once per series, not built per request (a
// prom-client child still hashes its labels on every call: ~1 µs, measured acceptable). The
// in-flight gauge is read at scrape time from the server's own counter instead of being moved
// twice per request.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { HealthReport } from "./health";

export const ROUTES = ["/health/saas", "/livez", "/readyz", "/metrics", "other"] as const;
export type Route = (typeof ROUTES)[number];

/** Why a connection was refused before a request reached a route. */
export const CLIENT_ERRORS = ["header-too-large", "timeout", "malformed"] as const;
export type ClientErrorReason = (typeof CLIENT_ERRORS)[number];

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "method" | "code">;
  private readonly requestsBySeries = new Map<
    string,
    ReturnType<Counter<"route" | "method" | "code">["labels"]>
  >();
  private readonly duration: Histogram<"route">;
  private readonly durationByRoute = new Map<Route, ReturnType<Histogram<"route">["labels"]>>();
  private readonly clientErrors: Counter<"reason">;
  private readonly checkDuration: Histogram<"dependency">;
  private readonly checks: Counter<"dependency" | "result">;
  private readonly up: Gauge<"dependency">;

  /** `inFlight`: requests being answered right now, read when the registry is scraped. */
  constructor(inFlight: () => number = () => 0) {
    collectDefaultMetrics({ register: this.registry, prefix: "gateway_" });
    const registers = [this.registry];
    this.requests = new Counter({
      name: "gateway_http_requests_total",
      help: "HTTP requests answered, by route, method and status code.",
      labelNames: ["route", "method", "code"],
      registers,
    });
    this.duration = new Histogram({
      name: "gateway_http_request_duration_seconds",
      help: "Time from request arrival to the end of the response, by route.",
      labelNames: ["route"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    for (const r of ROUTES) this.durationByRoute.set(r, this.duration.labels(r));
    this.clientErrors = new Counter({
      name: "gateway_http_client_errors_total",
      help: "Connections refused before routing: oversized headers, timeouts, malformed requests.",
      labelNames: ["reason"],
      registers,
    });
    for (const r of CLIENT_ERRORS) this.clientErrors.labels(r).inc(0);
    new Gauge({
      name: "gateway_http_requests_in_flight",
      help: "Requests being answered.",
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    this.checkDuration = new Histogram({
      name: "gateway_health_check_duration_seconds",
      help: "Duration of each dependency check behind /health/saas.",
      labelNames: ["dependency"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.checks = new Counter({
      name: "gateway_health_checks_total",
      help: "Dependency checks run (one call to the dependency each), by result.",
      labelNames: ["dependency", "result"],
      registers,
    });
    this.up = new Gauge({
      name: "gateway_dependency_up",
      help: "1 when the last check of the dependency passed, else 0.",
      labelNames: ["dependency"],
      registers,
    });
  }

  observeRequest(route: Route, method: string, code: number, seconds: number): void {
    // Methods outside the usual few are folded so a client cannot grow the series count.
    const m = method === "GET" || method === "HEAD" ? method : "other";
    const key = `${route} ${m} ${code}`;
    let child = this.requestsBySeries.get(key);
    if (!child) {
      child = this.requests.labels(route, m, String(code));
      this.requestsBySeries.set(key, child);
    }
    child.inc();
    this.durationByRoute.get(route)?.observe(seconds);
  }

  clientError(reason: ClientErrorReason): void {
    this.clientErrors.labels(reason).inc();
  }

  observeHealth(report: HealthReport): void {
    for (const dep of ["nats", "redis"] as const) {
      const r = report.checks[dep];
      this.checkDuration.labels(dep).observe(r.latencyMs / 1000);
      this.checks.labels(dep, r.status).inc();
      this.up.labels(dep).set(r.status === "ok" ? 1 : 0);
    }
  }
}
