// The k6 script without k6 (its binary is AGPL and not used here): the k6 modules and the init
// context globals (open, __ENV) are replaced by test doubles that record what the script does,
// and the script's options, per-iteration logic and handleSummary are checked against the spec.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseLoadSpec, type LoadSpec } from "../../../load/spec";

const SCRIPT_DIR = resolve(__dirname, "..", "..", "..", "load", "k6");
// Imported by a computed path: the root type-check (Node types) must not pull in the k6 script,
// which is checked under load/k6/tsconfig.json with the k6 types.
const SCRIPT = join(SCRIPT_DIR, "health-saas.ts");
const SPEC = parseLoadSpec(JSON.parse(readFileSync(join(SCRIPT_DIR, "..", "spec.json"), "utf8")));

interface Recorded {
  gets: { url: string; params: Record<string, unknown> }[];
  checks: { names: string[]; passed: boolean[] }[];
  metrics: Record<string, { kind: string; isTime: boolean; values: (number | boolean)[] }>;
}
const rec: Recorded = { gets: [], checks: [], metrics: {} };
let nextResponse: { status: number; body: string; duration: number } = {
  status: 200,
  body: "{}",
  duration: 1,
};

vi.mock("k6", () => ({
  check: (val: unknown, sets: Record<string, (v: unknown) => boolean>) => {
    const names = Object.keys(sets);
    const passed = names.map((n) => (sets[n] as (v: unknown) => boolean)(val));
    rec.checks.push({ names, passed });
    return passed.every(Boolean);
  },
}));
vi.mock("k6/http", () => ({
  default: {
    get: (url: string, params: Record<string, unknown>) => {
      rec.gets.push({ url, params });
      const r = nextResponse;
      return {
        status: r.status,
        timings: { duration: r.duration },
        json: () => JSON.parse(r.body) as unknown,
      };
    },
  },
}));
vi.mock("k6/metrics", () => {
  class Metric {
    constructor(kind: string, name: string, isTime = false) {
      rec.metrics[name] = { kind, isTime, values: [] };
      this.name = name;
    }
    name: string;
    add(v: number | boolean): void {
      rec.metrics[this.name]?.values.push(v);
    }
  }
  return {
    Trend: class extends Metric {
      constructor(name: string, isTime?: boolean) {
        super("trend", name, isTime);
      }
    },
    Rate: class extends Metric {
      constructor(name: string) {
        super("rate", name);
      }
    },
  };
});

interface ScriptModule {
  options: Record<string, unknown> & {
    scenarios: Record<string, Record<string, unknown>>;
    thresholds: Record<string, string[]>;
    summaryTrendStats: string[];
  };
  spec: LoadSpec;
  default: () => void;
  handleSummary: (data: unknown) => Record<string, string>;
  buildOptions: (spec: LoadSpec) => ScriptModule["options"];
}

const globals = globalThis as unknown as {
  open?: (p: string) => string;
  __ENV?: Record<string, string>;
};

async function loadScript(env: Record<string, string>): Promise<ScriptModule> {
  vi.resetModules();
  rec.metrics = {};
  globals.__ENV = env;
  // k6 resolves open() relative to the script's folder.
  globals.open = (p: string) => readFileSync(resolve(SCRIPT_DIR, p), "utf8");
  return (await import(SCRIPT)) as ScriptModule;
}

beforeEach(() => {
  rec.gets = [];
  rec.checks = [];
});
afterEach(() => {
  delete globals.open;
  delete globals.__ENV;
});

describe("k6 script options", () => {
  it("drives the spec's rate with constant-arrival-rate and the spec's budgets as thresholds", async () => {
    const s = await loadScript({ BASE_URL: "http://gw.test" });
    expect(s.spec).toEqual(SPEC);
    expect(s.options.scenarios).toEqual({
      health_saas: {
        executor: "constant-arrival-rate",
        rate: SPEC.rate,
        timeUnit: "1s",
        duration: `${SPEC.durationS}s`,
        preAllocatedVUs: SPEC.vus.preAllocated,
        maxVUs: SPEC.vus.max,
        gracefulStop: `${Math.ceil(SPEC.timeoutMs / 1000)}s`,
      },
    });
    expect(s.options.thresholds).toEqual({
      http_req_duration: [`p(95)<${SPEC.budgets.p95Ms}`],
      http_req_failed: [`rate<${SPEC.budgets.errorRate}`],
      checks: [`rate>${SPEC.budgets.checksRate}`],
      dropped_iterations: ["count<1"],
      health_saas_latency: [`p(95)<${SPEC.budgets.p95Ms}`],
      health_saas_ok: [`rate>${SPEC.budgets.checksRate}`],
    });
    expect(s.options.summaryTrendStats).toContain("p(99)");
    // The launch plan's figures, as the spec states them.
    expect(s.options.thresholds.http_req_duration).toEqual(["p(95)<500"]);
    expect(s.options.thresholds.http_req_failed).toEqual(["rate<0.01"]);
    expect(s.options.thresholds.checks).toEqual(["rate>0.99"]);
    expect(rec.metrics.health_saas_latency).toMatchObject({ kind: "trend", isTime: true });
    expect(rec.metrics.health_saas_ok).toMatchObject({ kind: "rate" });
  });

  it("follows another spec given by SPEC_PATH", async () => {
    const dir = mkdtempSync(join(tmpdir(), "k6-spec-"));
    const other = { ...SPEC, rate: 7, durationS: 3, budgets: { ...SPEC.budgets, p95Ms: 42 } };
    writeFileSync(join(dir, "spec.json"), JSON.stringify(other));
    const s = await loadScript({ BASE_URL: "http://gw.test", SPEC_PATH: join(dir, "spec.json") });
    expect(s.options.scenarios.health_saas).toMatchObject({ rate: 7, duration: "3s" });
    expect(s.options.thresholds.http_req_duration).toEqual(["p(95)<42"]);
  });

  it("refuses to start without a usable BASE_URL, naming it", async () => {
    await expect(loadScript({})).rejects.toThrow(/^BASE_URL is not set/);
    await expect(loadScript({ BASE_URL: "gw.test" })).rejects.toThrow(
      'BASE_URL = "gw.test": must be an http:// or https:// URL',
    );
  });
});

describe("k6 script iteration", () => {
  it("gets BASE_URL + path with the spec's timeout and records latency, health and checks", async () => {
    const s = await loadScript({ BASE_URL: "http://gw.test/" });
    nextResponse = {
      status: 200,
      duration: 3.5,
      body: JSON.stringify({
        status: "ok",
        checks: { nats: { status: "ok" }, redis: { status: "ok" } },
      }),
    };
    s.default();
    expect(rec.gets).toEqual([
      {
        url: "http://gw.test/health/saas",
        params: { timeout: `${SPEC.timeoutMs}ms`, tags: { name: "/health/saas" } },
      },
    ]);
    expect(rec.metrics.health_saas_latency?.values).toEqual([3.5]);
    expect(rec.metrics.health_saas_ok?.values).toEqual([true]);
    expect(rec.checks).toEqual([
      {
        names: ["status is 200", "body says ok", "both dependencies reported"],
        passed: [true, true, true],
      },
    ]);
  });

  it("fails the checks on a degraded answer and on a body that is not JSON", async () => {
    const s = await loadScript({ BASE_URL: "http://gw.test" });
    nextResponse = {
      status: 503,
      duration: 900,
      body: JSON.stringify({
        status: "degraded",
        checks: { nats: { status: "fail" }, redis: { status: "ok" } },
      }),
    };
    s.default();
    nextResponse = { status: 502, duration: 1, body: "<html>bad gateway</html>" };
    s.default();
    expect(rec.checks.map((c) => c.passed)).toEqual([
      [false, false, true],
      [false, false, false],
    ]);
    expect(rec.metrics.health_saas_ok?.values).toEqual([false, false]);
  });
});

describe("k6 handleSummary", () => {
  const data = (ok: boolean) => ({
    state: { testRunDurationMs: 60_412 },
    metrics: {
      http_reqs: { values: { count: 6000, rate: 99.32 } },
      http_req_duration: {
        values: { med: 1.2, "p(90)": 2.1, "p(95)": 3.3, "p(99)": 7.7, max: 41.5 },
        thresholds: { "p(95)<500": { ok: true } },
      },
      http_req_failed: { values: { rate: ok ? 0 : 0.05 }, thresholds: { "rate<0.01": { ok } } },
      checks: { values: { rate: ok ? 1 : 0.95 }, thresholds: { "rate>0.99": { ok } } },
      dropped_iterations: { values: { count: 0 }, thresholds: { "count<1": { ok: true } } },
    },
  });

  it("writes the baseline-shaped JSON and the text summary under SUMMARY_DIR", async () => {
    const s = await loadScript({ BASE_URL: "http://gw.test", SUMMARY_DIR: "out", STACK: "prod" });
    const files = s.handleSummary(data(true));
    expect(Object.keys(files).sort()).toEqual([
      "out/health-saas-summary.json",
      "out/health-saas-summary.txt",
      "stdout",
    ]);
    const record = JSON.parse(files["out/health-saas-summary.json"] as string) as Record<
      string,
      unknown
    >;
    expect(record).toMatchObject({
      stack: "prod",
      tool: "k6",
      baseUrl: "http://gw.test",
      durationS: 60.412,
      rate: { target: SPEC.rate, achieved: 99.32 },
      latencyMs: { p50: 1.2, p90: 2.1, p95: 3.3, p99: 7.7, max: 41.5 },
      errorRate: 0,
      checksRate: 1,
      droppedIterations: 0,
      budgetsMet: true,
    });
    expect(Number.isNaN(Date.parse(record.date as string))).toBe(false);
    expect(files.stdout).toBe(files["out/health-saas-summary.txt"]);
    expect(files.stdout).toContain("PASS  http_req_duration: p(95)<500");
    expect(files.stdout).toContain("all budgets met");
  });

  it("marks a broken budget", async () => {
    const s = await loadScript({ BASE_URL: "http://gw.test" });
    const files = s.handleSummary(data(false));
    const record = JSON.parse(files["./health-saas-summary.json"] as string) as Record<
      string,
      unknown
    >;
    expect(record.budgetsMet).toBe(false);
    expect(record.thresholds).toMatchObject({
      "http_req_failed: rate<0.01": false,
      "checks: rate>0.99": false,
    });
    expect(files.stdout).toContain("FAIL  http_req_failed: rate<0.01");
    expect(files.stdout).toContain("BUDGET BROKEN");
  });
});
