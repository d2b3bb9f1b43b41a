// The shared load spec: the committed file is valid and carries the launch plan's figures; bad
// specs are refused naming the key, the value and the rule.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LoadSpecError, parseLoadSpec } from "../../../load/spec";

const RAW = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "..", "load", "spec.json"), "utf8"),
) as Record<string, unknown>;

describe("load spec", () => {
  it("holds the launch plan's target and budgets", () => {
    const s = parseLoadSpec(RAW);
    expect(s.path).toBe("/health/saas");
    expect(s.rate).toBe(100);
    expect(s.durationS).toBeGreaterThanOrEqual(60);
    expect(s.budgets).toMatchObject({
      p95Ms: 500,
      errorRate: 0.01,
      checksRate: 0.99,
      droppedIterations: 0,
    });
    expect(s.capacity).toMatchObject({
      p95Ms: 50,
      errorRate: 0.01,
      minAchievedRatio: 0.99,
      goalRatioOfCeiling: 0.75,
    });
  });

  it("names the key, the value and the rule of every problem", () => {
    const bad = {
      ...RAW,
      rate: 0,
      path: "health",
      budgets: { ...(RAW.budgets as object), errorRate: 2 },
      vus: { preAllocated: 10, max: 5 },
    };
    let err: unknown;
    try {
      parseLoadSpec(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoadSpecError);
    const problems = (err as LoadSpecError).problems;
    expect(problems).toContain("rate = 0: must be an integer >= 1");
    expect(problems).toContain('path = "health": must start with /');
    expect(problems).toContain("budgets.errorRate = 2: must be a ratio in (0, 1]");
    expect(problems).toContain('vus = {"preAllocated":10,"max":5}: max must be >= preAllocated');
  });

  it("refuses a missing key", () => {
    const rest = { ...RAW };
    delete rest.durationS;
    expect(() => parseLoadSpec(rest)).toThrow("durationS = (missing): must be an integer");
  });
});
