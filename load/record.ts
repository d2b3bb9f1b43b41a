// The run record: what a baseline JSON holds (load/baselines/<stack>-<date>.json), built from a
// vegeta report, and the budget rules every local runner applies. The k6 summary record
// (load/k6/health-saas.ts) has the same core fields, so the regression check reads both.
import type { LoadSpec } from "./spec";
import type { ResultRow, VegetaReport } from "./vegeta";

export interface LatencyMs {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface Capacity {
  /** Highest rate that met the capacity budgets. */
  readonly rps: number;
  /** p95 at that rate. */
  readonly p95Ms: number;
  /** Highest rate the bare Node server met the same budgets at, in the same run. */
  readonly ceilingRps: number;
  readonly ceilingP95Ms: number;
  /** rps / ceilingRps. */
  readonly ratio: number;
  readonly goalRatio: number;
  readonly goalMet: boolean;
}

export interface RunRecord {
  readonly stack: string;
  readonly date: string;
  readonly tool: string;
  readonly target: string;
  readonly durationS: number;
  readonly rate: {
    readonly target: number;
    /** Successful responses per second (vegeta throughput). */
    readonly achieved: number;
    /** Requests sent per second. */
    readonly sent: number;
  };
  readonly latencyMs: LatencyMs;
  readonly errorRate: number;
  readonly requests: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly budgets: {
    readonly p95Ms: number;
    readonly errorRate: number;
    readonly minAchievedRatio: number;
  };
  readonly budgetsMet: boolean;
  /** One line per broken budget. */
  readonly violations: readonly string[];
  readonly capacity?: Capacity;
  /** Anything else worth keeping with the figures (machine load, dependency calls...). */
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface Budgets {
  readonly p95Ms: number;
  readonly errorRate: number;
  readonly minAchievedRatio: number;
}

const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;

export function latencyFromVegeta(r: VegetaReport): LatencyMs {
  return {
    p50: ms(r.latencies["50th"]),
    p90: ms(r.latencies["90th"]),
    p95: ms(r.latencies["95th"]),
    p99: ms(r.latencies["99th"]),
    max: ms(r.latencies.max),
  };
}

/** The broken budgets of a run, as readable lines (empty when all are met). */
export function violations(
  r: Pick<RunRecord, "rate" | "latencyMs" | "errorRate">,
  b: Budgets,
): string[] {
  const out: string[] = [];
  if (!(r.latencyMs.p95 < b.p95Ms))
    out.push(`p95 ${r.latencyMs.p95} ms is not below ${b.p95Ms} ms`);
  if (!(r.errorRate < b.errorRate))
    out.push(
      `error rate ${(r.errorRate * 100).toFixed(2)}% is not below ${(b.errorRate * 100).toFixed(2)}%`,
    );
  const need = b.minAchievedRatio * r.rate.target;
  if (!(r.rate.achieved >= need))
    out.push(
      `achieved ${r.rate.achieved.toFixed(1)}/s is below ${need.toFixed(1)}/s (${b.minAchievedRatio} × ${r.rate.target}/s)`,
    );
  return out;
}

export function recordFromVegeta(o: {
  readonly stack: string;
  readonly date: Date;
  readonly tool: string;
  readonly target: string;
  readonly rate: number;
  readonly report: VegetaReport;
  readonly budgets: Budgets;
  readonly context?: Record<string, unknown>;
}): RunRecord {
  const r = o.report;
  const base = {
    rate: {
      target: o.rate,
      achieved: Math.round(r.throughput * 100) / 100,
      sent: Math.round(r.rate * 100) / 100,
    },
    latencyMs: latencyFromVegeta(r),
    errorRate: r.requests > 0 ? 1 - r.success : 1,
  };
  const v = violations(base, o.budgets);
  return {
    stack: o.stack,
    date: o.date.toISOString(),
    tool: o.tool,
    target: o.target,
    durationS: Math.round(r.duration / 1e6) / 1e3,
    ...base,
    requests: r.requests,
    statusCodes: r.status_codes,
    budgets: o.budgets,
    budgetsMet: v.length === 0,
    violations: v,
    ...(o.context ? { context: o.context } : {}),
  };
}

export function baselineBudgets(spec: LoadSpec): Budgets {
  return {
    p95Ms: spec.budgets.p95Ms,
    errorRate: spec.budgets.errorRate,
    minAchievedRatio: spec.budgets.minAchievedRatio,
  };
}

export function capacityBudgets(spec: LoadSpec): Budgets {
  return {
    p95Ms: spec.capacity.p95Ms,
    errorRate: spec.capacity.errorRate,
    minAchievedRatio: spec.capacity.minAchievedRatio,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export interface SecondFigures {
  /** Seconds since the first request. */
  readonly t: number;
  readonly requests: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Per-second latency figures (the latency-over-time picture). */
export function perSecond(rows: readonly ResultRow[]): SecondFigures[] {
  if (rows.length === 0) return [];
  const t0 = rows.reduce((m, r) => Math.min(m, r.atMs), Infinity);
  const buckets = new Map<number, ResultRow[]>();
  for (const r of rows) {
    const s = Math.floor((r.atMs - t0) / 1000);
    let b = buckets.get(s);
    if (!b) buckets.set(s, (b = []));
    b.push(r);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, b]) => {
      const lat = b.map((r) => r.latencyMs).sort((x, y) => x - y);
      return {
        t,
        requests: b.length,
        errors: b.filter((r) => r.code < 200 || r.code >= 400).length,
        p50: percentile(lat, 50),
        p95: percentile(lat, 95),
        p99: percentile(lat, 99),
        max: lat[lat.length - 1] as number,
      };
    });
}
