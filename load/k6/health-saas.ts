// k6 load test of /health/saas, the users' tool: `BASE_URL=https://gw.example k6 run
// load/k6/health-saas.ts` (k6 runs TypeScript itself). Rate, duration and budgets come from the
// shared load spec (load/spec.json, SPEC_PATH to move it). The constant-arrival-rate executor is
// an open model: arrivals do not wait for slow responses, and a run that cannot start its
// iterations on time records dropped_iterations, which fails a threshold. handleSummary writes a
// JSON record in the baseline shape (for `npm run load:compare`) and a text summary.
// Type-checked with @types/k6 (load/k6/tsconfig.json); options and summary logic are unit-tested
// in tests/unit/load with the k6 modules replaced by test doubles.
import { check } from "k6";
import http from "k6/http";
import { Rate, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import type { LoadSpec } from "../spec";

/** What handleSummary writes (the fields the local runner's baselines have too). */
export interface SummaryRecord {
  readonly stack: string;
  readonly date: string;
  readonly tool: "k6";
  readonly baseUrl: string;
  readonly durationS: number;
  readonly rate: { readonly target: number; readonly achieved: number };
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly errorRate: number;
  readonly checksRate: number;
  readonly droppedIterations: number;
  /** Threshold expression → passed. */
  readonly thresholds: Readonly<Record<string, boolean>>;
  readonly budgetsMet: boolean;
}

/** The part of k6's summary data this script reads. */
export interface SummaryData {
  readonly state?: { readonly testRunDurationMs?: number };
  readonly metrics: Readonly<
    Record<
      string,
      | {
          readonly values: Readonly<Record<string, number>>;
          readonly thresholds?: Readonly<Record<string, { readonly ok: boolean }>>;
        }
      | undefined
    >
  >;
}

export const TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"];
/** Custom metrics: latency of /health/saas only, and the share of answers saying "ok". */
export const LATENCY_METRIC = "health_saas_latency";
export const HEALTHY_METRIC = "health_saas_ok";

/** Thresholds and scenario from the spec; pure (unit-tested). */
export function buildOptions(spec: LoadSpec): Options {
  const b = spec.budgets;
  return {
    scenarios: {
      health_saas: {
        executor: "constant-arrival-rate",
        rate: spec.rate,
        timeUnit: "1s",
        duration: `${spec.durationS}s`,
        preAllocatedVUs: spec.vus.preAllocated,
        maxVUs: spec.vus.max,
        gracefulStop: `${Math.ceil(spec.timeoutMs / 1000)}s`,
      },
    },
    thresholds: {
      http_req_duration: [`p(95)<${b.p95Ms}`],
      http_req_failed: [`rate<${b.errorRate}`],
      checks: [`rate>${b.checksRate}`],
      dropped_iterations: [`count<${b.droppedIterations + 1}`],
      [LATENCY_METRIC]: [`p(95)<${b.p95Ms}`],
      [HEALTHY_METRIC]: [`rate>${b.checksRate}`],
    },
    summaryTrendStats: TREND_STATS,
  };
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const v = env[name];
  if (!v)
    throw new Error(
      `${name} is not set: it must be the gateway's base URL, e.g. https://gateway.example`,
    );
  if (!/^https?:\/\/[^/]+/.test(v))
    throw new Error(`${name} = ${JSON.stringify(v)}: must be an http:// or https:// URL`);
  return v.replace(/\/+$/, "");
}

/** Folds k6's summary data into the baseline-shaped record; pure (unit-tested). */
export function summaryRecord(
  data: SummaryData,
  spec: LoadSpec,
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
): SummaryRecord {
  const v = (metric: string, stat: string): number => data.metrics[metric]?.values[stat] ?? 0;
  const thresholds: Record<string, boolean> = {};
  for (const [name, m] of Object.entries(data.metrics))
    for (const [expr, t] of Object.entries(m?.thresholds ?? {}))
      thresholds[`${name}: ${expr}`] = t.ok;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    stack: env.STACK ?? "k6",
    date: now.toISOString(),
    tool: "k6",
    baseUrl: env.BASE_URL ?? "",
    durationS: round((data.state?.testRunDurationMs ?? spec.durationS * 1000) / 1000),
    rate: { target: spec.rate, achieved: round(v("http_reqs", "rate")) },
    latencyMs: {
      p50: round(v("http_req_duration", "med")),
      p90: round(v("http_req_duration", "p(90)")),
      p95: round(v("http_req_duration", "p(95)")),
      p99: round(v("http_req_duration", "p(99)")),
      max: round(v("http_req_duration", "max")),
    },
    errorRate: v("http_req_failed", "rate"),
    checksRate: v("checks", "rate"),
    droppedIterations: v("dropped_iterations", "count"),
    thresholds,
    budgetsMet: Object.values(thresholds).every(Boolean),
  };
}

/** The text summary (k6's own needs a remote import; this one needs nothing). */
export function summaryText(r: SummaryRecord): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const lines = [
    `health/saas load test (${r.tool}) against ${r.baseUrl}`,
    `  rate      target ${r.rate.target}/s, achieved ${r.rate.achieved.toFixed(1)}/s over ${r.durationS} s`,
    `  latency   p50 ${r.latencyMs.p50.toFixed(2)} ms  p90 ${r.latencyMs.p90.toFixed(2)} ms  p95 ${r.latencyMs.p95.toFixed(2)} ms  p99 ${r.latencyMs.p99.toFixed(2)} ms  max ${r.latencyMs.max.toFixed(2)} ms`,
    `  errors    ${pct(r.errorRate)}   checks ${pct(r.checksRate)}   dropped iterations ${r.droppedIterations}`,
    `  thresholds:`,
    ...Object.entries(r.thresholds).map(([t, ok]) => `    ${ok ? "PASS" : "FAIL"}  ${t}`),
    `  ${r.budgetsMet ? "all budgets met" : "BUDGET BROKEN"}`,
  ];
  return lines.join("\n") + "\n";
}

// --- k6 init context --------------------------------------------------------------------------
export const spec = JSON.parse(open(__ENV.SPEC_PATH ?? "../spec.json")) as LoadSpec;
const BASE_URL = required(__ENV, "BASE_URL");
export const options: Options = buildOptions(spec);

const latency = new Trend(LATENCY_METRIC, true);
const healthy = new Rate(HEALTHY_METRIC);

interface HealthBody {
  status?: string;
  checks?: { nats?: { status?: string }; redis?: { status?: string } };
}

export default function (): void {
  const res = http.get(`${BASE_URL}${spec.path}`, {
    timeout: `${spec.timeoutMs}ms`,
    tags: { name: spec.path },
  });
  latency.add(res.timings.duration);
  let body: HealthBody | undefined;
  try {
    body = res.json() as HealthBody;
  } catch {
    body = undefined;
  }
  healthy.add(body?.status === "ok");
  check(res, {
    "status is 200": (r) => r.status === 200,
    "body says ok": () => body?.status === "ok",
    "both dependencies reported": () =>
      body?.checks?.nats?.status !== undefined && body?.checks?.redis?.status !== undefined,
  });
}

export function handleSummary(data: SummaryData): Record<string, string> {
  const record = summaryRecord(data, spec, __ENV, new Date());
  const text = summaryText(record);
  const out = __ENV.SUMMARY_DIR ?? ".";
  return {
    stdout: text,
    [`${out}/health-saas-summary.json`]: JSON.stringify(record, null, 2) + "\n",
    [`${out}/health-saas-summary.txt`]: text,
  };
}
