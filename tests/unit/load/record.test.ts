// Run records from vegeta's report, the budget rules, per-second figures and the outputs
// (markdown table, SVG) built from them.
import { describe, expect, it } from "vitest";
import { percentile, perSecond, recordFromVegeta, violations } from "../../../load/record";
import { latencySvg, markdownTable } from "../../../load/report";
import { parseCsvRows, type VegetaReport } from "../../../load/vegeta";

const NS = 1e6;
const report = (o: Partial<VegetaReport> = {}): VegetaReport => ({
  latencies: {
    total: 0,
    mean: 2 * NS,
    "50th": 1.5 * NS,
    "90th": 3 * NS,
    "95th": 4.25 * NS,
    "99th": 9 * NS,
    max: 30 * NS,
    min: 0.2 * NS,
  },
  duration: 60e9,
  wait: 1e6,
  requests: 6000,
  rate: 100.0,
  throughput: 99.98,
  success: 1,
  status_codes: { "200": 6000 },
  errors: [],
  ...o,
});
const budgets = { p95Ms: 500, errorRate: 0.01, minAchievedRatio: 0.99 };

describe("run record", () => {
  it("takes vegeta's figures in ms and meets the budgets", () => {
    const r = recordFromVegeta({
      stack: "dev",
      date: new Date("2026-12-01T00:00:00Z"),
      tool: "vegeta",
      target: "/health/saas",
      rate: 100,
      report: report(),
      budgets,
    });
    expect(r).toMatchObject({
      stack: "dev",
      date: "2026-12-01T00:00:00.000Z",
      durationS: 60,
      rate: { target: 100, achieved: 99.98, sent: 100 },
      latencyMs: { p50: 1.5, p90: 3, p95: 4.25, p99: 9, max: 30 },
      errorRate: 0,
      requests: 6000,
      budgetsMet: true,
      violations: [],
    });
  });

  it("names each broken budget", () => {
    const r = recordFromVegeta({
      stack: "dev",
      date: new Date(),
      tool: "vegeta",
      target: "/",
      rate: 100,
      budgets,
      report: report({
        latencies: { ...report().latencies, "95th": 600 * NS },
        success: 0.95,
        throughput: 90,
      }),
    });
    expect(r.budgetsMet).toBe(false);
    expect(r.violations).toEqual([
      "p95 600 ms is not below 500 ms",
      "error rate 5.00% is not below 1.00%",
      "achieved 90.0/s is below 99.0/s (0.99 × 100/s)",
    ]);
  });

  it("treats a budget edge as broken (budgets are strict: p95 < 500)", () => {
    expect(
      violations(
        {
          rate: { target: 100, achieved: 99, sent: 100 },
          latencyMs: { p50: 0, p90: 0, p95: 500, p99: 0, max: 0 },
          errorRate: 0.01,
        },
        budgets,
      ),
    ).toHaveLength(2);
  });
});

describe("per-second figures", () => {
  it("buckets vegeta's CSV rows by second with nearest-rank percentiles and errors", () => {
    const t0 = 1_700_000_000_000 * NS;
    const csv = [
      ...Array.from(
        { length: 100 },
        (_, i) => `${t0 + i * 10 * NS},200,${(i + 1) * NS},0,210,,,,${i},GET,http://x/,`,
      ),
      `${t0 + 1_500 * NS},503,${2 * NS},0,210,,,,100,GET,http://x/,`,
      `${t0 + 1_600 * NS},0,${5_000 * NS},0,0,timeout,,,101,GET,http://x/,`,
    ].join("\n");
    const rows = parseCsvRows(csv);
    expect(rows).toHaveLength(102);
    expect(rows[0]).toEqual({ atMs: t0 / NS, code: 200, latencyMs: 1 });
    const s = perSecond(rows);
    expect(s).toHaveLength(2);
    expect(s[0]).toEqual({ t: 0, requests: 100, errors: 0, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(s[1]).toMatchObject({ t: 1, requests: 2, errors: 2, max: 5_000 });
  });

  it("percentile is nearest-rank", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([], 95)).toBe(0);
  });
});

describe("outputs", () => {
  const r = recordFromVegeta({
    stack: "dev",
    date: new Date("2026-12-01T00:00:00Z"),
    tool: "vegeta",
    target: "/health/saas",
    rate: 100,
    report: report(),
    budgets,
  });

  it("markdown table lists every figure beside its budget", () => {
    const md = markdownTable(r);
    expect(md).toContain("| p95 | 4.250 ms | < 500 ms | met |");
    expect(md).toContain("| error rate | 0.00% | < 1.00% | met |");
    expect(md).toContain("| achieved rate (successful/s) | 99.98/s | >= 99.00/s | met |");
    expect(md).toContain("All budgets met.");
    const capped = markdownTable({
      ...r,
      capacity: {
        rps: 8000,
        p95Ms: 12,
        ceilingRps: 10000,
        ceilingP95Ms: 8,
        ratio: 0.8,
        goalRatio: 0.75,
        goalMet: true,
      },
    });
    expect(capped).toContain("| gateway / ceiling | 80.00% | goal >= 75.00%: met |");
  });

  it("SVG draws one line per percentile over the run", () => {
    const series = [0, 1, 2].map((t) => ({
      t,
      requests: 100,
      errors: 0,
      p50: 1,
      p95: 2 + t,
      p99: 3 + t,
      max: 9,
    }));
    const svg = latencySvg(series, "a <title> & more");
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toContain("a &lt;title&gt; &amp; more");
    expect(svg).toContain("300 requests");
    expect(svg).not.toContain("NaN");
  });
});
