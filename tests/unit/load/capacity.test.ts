// The capacity search over a simulated server whose true limit is known: growth until the first
// failing step, then bisection; the answer never exceeds the limit and lands close to it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { searchCapacity, type Step, Turns } from "../../../load/capacity";
import { parseLoadSpec } from "../../../load/spec";

const SPEC = parseLoadSpec(
  JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "load", "spec.json"), "utf8")),
);
const busy = { cores: 2, busyCores: 2, ownCores: 2, otherCores: 0, loadavg1: 1 };
const server =
  (limit: number) =>
  (rate: number): Promise<Step> =>
    Promise.resolve({
      rate,
      pass: rate <= limit,
      achieved: Math.min(rate, limit),
      p95Ms: rate <= limit ? 5 : 80,
      p99Ms: 9,
      errorRate: 0,
      busy,
      violations: rate <= limit ? [] : ["p95"],
    });

describe("capacity search", () => {
  it("grows then bisects towards the limit", async () => {
    const c = {
      ...SPEC.capacity,
      startRate: 1000,
      growth: 1.4,
      refineSteps: 3,
      maxRate: 40_000,
      retryFailed: 0,
    };
    const s = await searchCapacity(c, server(8_300));
    expect(s.steps.map((x) => x.rate)).toEqual([
      1000, 1400, 1960, 2740, 3840, 5380, 7530, 10540, 9040, 8290, 8670,
    ]);
    expect(s.rps).toBe(8290);
    expect(s.rps).toBeLessThanOrEqual(8_300);
    expect(s.p95Ms).toBe(5);
  });

  it("shrinks when the start rate fails, reports 0 below 10/s, and maxRate when nothing fails", async () => {
    const c = {
      ...SPEC.capacity,
      startRate: 1000,
      growth: 2,
      refineSteps: 2,
      maxRate: 4000,
      retryFailed: 0,
    };
    const low = await searchCapacity(c, server(300));
    // 1000 fails, shrink ×1/2: 500, 250 passes; bisect 250..500: 380 fails, 320 fails.
    expect(low.steps.map((x) => x.rate)).toEqual([1000, 500, 250, 380, 320]);
    expect(low.rps).toBe(250);
    expect((await searchCapacity(c, server(5))).rps).toBe(0);
    const all = await searchCapacity(c, server(1e9));
    expect(all.rps).toBe(4000);
    expect(all.steps.map((x) => x.rate)).toEqual([1000, 2000, 4000]);
  });

  it("runs a failed step again and counts it passed when the retry passes", async () => {
    const c = {
      ...SPEC.capacity,
      startRate: 1000,
      growth: 2,
      refineSteps: 0,
      maxRate: 8000,
      retryFailed: 1,
    };
    // A server whose limit is 4000 but whose first try at 2000 spikes.
    let spiked = false;
    const s = await searchCapacity(c, async (rate) => {
      const step = await server(4000)(rate);
      if (rate === 2000 && !spiked) {
        spiked = true;
        return { ...step, pass: false, violations: ["p95 spike"] };
      }
      return step;
    });
    expect(s.steps.map((x) => [x.rate, x.pass])).toEqual([
      [1000, true],
      [2000, false],
      [2000, true],
      [4000, true],
      [8000, false],
      [8000, false],
    ]);
    expect(s.rps).toBe(4000);
  });

  it("interleaves two searches sharing one Turns, never overlapping their steps", async () => {
    const c = {
      ...SPEC.capacity,
      startRate: 1000,
      growth: 2,
      refineSteps: 1,
      maxRate: 8000,
      retryFailed: 0,
    };
    const turns = new Turns();
    const order: string[] = [];
    let running = 0;
    const traced = (label: string, limit: number) => async (rate: number) => {
      running++;
      expect(running).toBe(1);
      order.push(`${label}${rate}`);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return server(limit)(rate);
    };
    const [a, b] = await Promise.all([
      searchCapacity(c, (r) => turns.run(() => traced("a", 8000)(r))),
      searchCapacity(c, (r) => turns.run(() => traced("b", 1500)(r))),
    ]);
    expect(order).toEqual(["a1000", "b1000", "a2000", "b2000", "a4000", "b1500", "a8000"]);
    expect([a.rps, b.rps]).toEqual([8000, 1500]);
  });
});
