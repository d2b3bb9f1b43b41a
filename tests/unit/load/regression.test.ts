// The regression check reads the local runner's record, the k6 handleSummary data and k6's
// summary export alike, and fails when p95 grows past the factor.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareP95, latestBaseline, readP95 } from "../../../load/regression";

describe("regression check", () => {
  it("reads p95 from every supported format", () => {
    expect(readP95({ latencyMs: { p95: 3.2 } }, "a")).toEqual({ source: "record", p95Ms: 3.2 });
    expect(readP95({ metrics: { http_req_duration: { values: { "p(95)": 7 } } } }, "b")).toEqual({
      source: "k6-summary-data",
      p95Ms: 7,
    });
    expect(readP95({ metrics: { http_req_duration: { "p(95)": 9 } } }, "c")).toEqual({
      source: "k6-summary-export",
      p95Ms: 9,
    });
    expect(() => readP95({ metrics: {} }, "run.json")).toThrow(/^run\.json: no p95 found/);
  });

  it("fails above factor × baseline, with the floor for tiny baselines", () => {
    expect(compareP95(19.9, 10, 2, 5).ok).toBe(true);
    expect(compareP95(20, 10, 2, 5).ok).toBe(true);
    const bad = compareP95(20.1, 10, 2, 5);
    expect(bad.ok).toBe(false);
    expect(bad.limitMs).toBe(20);
    expect(bad.message).toContain("REGRESSION");
    // 1 ms → 3 ms is noise under a 5 ms floor (limit 10 ms); 11 ms is not.
    expect(compareP95(3, 1, 2, 5).ok).toBe(true);
    expect(compareP95(11, 1, 2, 5).ok).toBe(false);
    expect(() => compareP95(1, 1, 1, 0)).toThrow("factor = 1: must be > 1");
  });

  it("picks the newest dated baseline of the stack, never a capacity file", () => {
    const dir = mkdtempSync(join(tmpdir(), "baselines-"));
    for (const f of [
      "dev-2026-11-30.json",
      "dev-2026-12-01.json",
      "dev-2026-12-02-capacity.json",
      "prod-2026-12-03.json",
    ])
      writeFileSync(join(dir, f), "{}");
    expect(latestBaseline(dir, "dev")).toBe(join(dir, "dev-2026-12-01.json"));
    expect(() => latestBaseline(dir, "staging")).toThrow("no baseline staging-YYYY-MM-DD.json");
  });
});
