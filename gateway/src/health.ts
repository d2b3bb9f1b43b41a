// The /health/saas answer: both dependency checks run together, concurrent requests share the one
// check in flight, and a finished result answers every request for `cacheMs`. So the calls to NATS
// and Redis per second are at most about 1000/cacheMs each, whatever the request rate. The body is
// serialized once per check, not once per request.
import type { CheckResult, DependencyCheck } from "./checks";

export type HealthStatus = "ok" | "degraded";

export interface HealthReport {
  readonly status: HealthStatus;
  readonly checks: { readonly nats: CheckResult; readonly redis: CheckResult };
  readonly version: string;
  /** When the checks finished (ISO 8601). */
  readonly checkedAt: string;
}

/** A report ready to send: status code and the serialized body. */
export interface HealthAnswer {
  readonly report: HealthReport;
  readonly httpStatus: 200 | 503;
  readonly body: Buffer;
}

export interface HealthCacheOptions {
  readonly nats: DependencyCheck;
  readonly redis: DependencyCheck;
  readonly cacheMs: number;
  readonly version: string;
  /** Called once per finished check (metrics). */
  readonly onChecked?: (report: HealthReport, durationMs: number) => void;
  /** Clock, replaceable in tests. */
  readonly now?: () => number;
}

export function healthAnswer(report: HealthReport): HealthAnswer {
  return {
    report,
    httpStatus: report.status === "ok" ? 200 : 503,
    body: Buffer.from(JSON.stringify(report)),
  };
}

export class HealthCache {
  private cached: { answer: HealthAnswer; at: number } | undefined;
  private inFlight: Promise<HealthAnswer> | undefined;
  private readonly now: () => number;
  /** Checks started so far (each is one call to NATS and one to Redis). */
  checksStarted = 0;

  constructor(private readonly o: HealthCacheOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  /** The cached answer while fresh, else the check in flight, else a new check. */
  get(): Promise<HealthAnswer> | HealthAnswer {
    const c = this.cached;
    if (c && this.now() - c.at < this.o.cacheMs) return c.answer;
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(): Promise<HealthAnswer> {
    this.checksStarted++;
    const t0 = this.now();
    // Both checks have their own timeouts and never reject, so neither can hang the other.
    const [nats, redis] = await Promise.all([this.o.nats.check(), this.o.redis.check()]);
    const report: HealthReport = {
      status: nats.status === "ok" && redis.status === "ok" ? "ok" : "degraded",
      checks: { nats, redis },
      version: this.o.version,
      checkedAt: new Date().toISOString(),
    };
    const at = this.now();
    const answer = healthAnswer(report);
    this.cached = { answer, at };
    this.o.onChecked?.(report, at - t0);
    return answer;
  }
}
