// The harness itself: both servers come up together (as load runners need them), and nothing it
// starts outlives it — the exit hook kills every server and removes every temp dir.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cleanupSync, startDataTier } from "../harness";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the real-server harness", () => {
  it("starts the data tier (3 NATS + Redis) and its exit hook leaves no process or temp dir", async () => {
    const tier = await startDataTier({ stack: "dev" });
    const pids = [...tier.nats.nodes.map((n) => n.proc?.pid), tier.redis.pid].filter(
      (p): p is number => p !== undefined,
    );
    const dirs = [...tier.nats.nodes.map((n) => n.dir), tier.redis.dir];
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    expect(dirs.every((d) => existsSync(d))).toBe(true);
    expect(await tier.redis.readinessProbe()).toBe(true);
    expect(await tier.nats.healthy(0)).toBe(true);

    // What runs on process exit or SIGINT/SIGTERM/SIGHUP, without a graceful close first.
    cleanupSync();
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
    expect(tier.redis.running).toBe(false);
    expect(dirs.filter((d) => existsSync(d))).toEqual([]);
    await tier.close(); // idempotent after the hook
  });
});
