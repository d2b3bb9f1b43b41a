// The health cache with counted test doubles for the two checks and a hand-driven clock: one check
// in flight shared by every concurrent request, a fresh result answers until it is cacheMs old,
// and degraded dependencies give 503. (The real clients are exercised in tests/gateway.)
import { describe, expect, it } from "vitest";
import type { CheckResult, DependencyCheck } from "../../../gateway/src/checks";
import { HealthCache } from "../../../gateway/src/health";

class FakeCheck implements DependencyCheck {
  calls = 0;
  result: CheckResult = { status: "ok", latencyMs: 1 };
  private pending: (() => void)[] = [];
  constructor(readonly name: "nats" | "redis") {}
  check(): Promise<CheckResult> {
    this.calls++;
    return new Promise((resolve) => this.pending.push(() => resolve(this.result)));
  }
  release(): void {
    for (const p of this.pending.splice(0)) p();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(cacheMs = 1000) {
  let now = 0;
  const nats = new FakeCheck("nats");
  const redis = new FakeCheck("redis");
  const cache = new HealthCache({ nats, redis, cacheMs, version: "9.9.9", now: () => now });
  return { nats, redis, cache, tick: (ms: number) => (now += ms) };
}

const settle = async (got: ReturnType<HealthCache["get"]>[], ...checks: FakeCheck[]) => {
  await Promise.resolve();
  for (const c of checks) c.release();
  return Promise.all(got.map((g) => Promise.resolve(g)));
};

describe("health cache", () => {
  it("shares one check in flight among concurrent requests", async () => {
    const { nats, redis, cache } = setup();
    const got = Array.from({ length: 100 }, () => cache.get());
    const answers = await settle(got, nats, redis);
    expect(nats.calls).toBe(1);
    expect(redis.calls).toBe(1);
    expect(cache.checksStarted).toBe(1);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]?.httpStatus).toBe(200);
    expect(JSON.parse(answers[0]?.body.toString() ?? "")).toMatchObject({
      status: "ok",
      checks: { nats: { status: "ok", latencyMs: 1 }, redis: { status: "ok", latencyMs: 1 } },
      version: "9.9.9",
    });
  });

  it("answers from the cache until the result is cacheMs old, then checks again", async () => {
    const { nats, redis, cache, tick } = setup(1000);
    await settle([cache.get()], nats, redis);
    tick(999);
    const cached = cache.get();
    expect(cached).not.toBeInstanceOf(Promise);
    expect(nats.calls).toBe(1);
    tick(1);
    await settle([cache.get()], nats, redis);
    expect(nats.calls).toBe(2);
    expect(redis.calls).toBe(2);
  });

  it("reports degraded with 503 when either dependency fails", async () => {
    const { nats, redis, cache, tick } = setup();
    nats.result = { status: "fail", latencyMs: 1000, error: "timeout" };
    const [a] = await settle([cache.get()], nats, redis);
    expect(a?.httpStatus).toBe(503);
    expect(a?.report).toMatchObject({
      status: "degraded",
      checks: { nats: { error: "timeout" }, redis: { status: "ok" } },
    });
    nats.result = { status: "ok", latencyMs: 1 };
    redis.result = { status: "fail", latencyMs: 0.2, error: "not-connected" };
    tick(1000);
    const [b] = await settle([cache.get()], nats, redis);
    expect(b?.httpStatus).toBe(503);
  });
});
