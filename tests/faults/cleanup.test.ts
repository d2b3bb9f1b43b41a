// Leftovers: every exit path of a fault run must leave no faultfs mount and no network
// namespace behind — a failed vitest test (afterAll and the process exit hooks), an uncaught
// exception, SIGTERM, and SIGKILL (nothing runs in the dying process: the next run's sweep
// unmounts, ends the servers left inside the namespaces, and deletes them).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/binaries";
import { faultsMounts, sweepStaleMounts } from "../harness/faultfs";
import { faultsNetns, sweepStaleNetns } from "../harness/netns";
import { sleep } from "../harness/process";

const run = promisify(execFile);
const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");
const ABANDON = join(REPO_ROOT, "tests", "faults", "fixtures", "abandon.ts");

function leftovers(pid: number): string[] {
  return [...faultsMounts(pid), ...faultsNetns(pid)];
}

/** Starts the abandon fixture; resolves with the child and its pid once it is all set up. */
async function abandon(
  mode: "throw" | "hang",
): Promise<{ child: ChildProcess; pid: number; exited: Promise<number | null> }> {
  const child = spawn(TSX, [ABANDON, mode], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 600 && !/READY (\d+)/.test(out); i++) await sleep(100);
  const pid = Number(/READY (\d+)/.exec(out)?.[1]);
  if (!pid) {
    child.kill("SIGKILL");
    throw new Error(`abandon fixture did not get ready:\n${out}`);
  }
  expect(faultsMounts(pid)).toHaveLength(1);
  expect(faultsNetns(pid)).toHaveLength(2);
  return { child, pid, exited };
}

describe("fault runs leave nothing behind", () => {
  it("a failed vitest run (afterAll and exit hooks)", async () => {
    const res = await run(
      "npx",
      ["vitest", "run", "--config", "tests/faults/fixtures/vitest.config.mts"],
      {
        cwd: REPO_ROOT,
        timeout: 180_000,
      },
    ).then(
      () => ({ ok: true, out: "" }),
      (e: { stdout?: string; stderr?: string }) => ({
        ok: false,
        out: `${e.stdout ?? ""}${e.stderr ?? ""}`,
      }),
    );
    const pid = Number(/FIXTURE_PID=(\d+)/.exec(res.out)?.[1]);
    console.log(
      `[faults] failing fixture run: failed=${!res.ok}, worker pid ${pid}, left: [${leftovers(pid).join(", ")}]`,
    );
    expect(res.ok).toBe(false);
    expect(res.out).toContain("deliberately failing");
    expect(pid).toBeGreaterThan(0);
    expect(leftovers(pid)).toEqual([]);
  });

  it("an uncaught exception", async () => {
    const { pid, exited } = await abandon("throw");
    expect(await exited).not.toBe(0);
    expect(leftovers(pid)).toEqual([]);
  });

  it("SIGTERM", async () => {
    const { pid, exited } = await abandon("hang");
    process.kill(pid, "SIGTERM");
    await exited;
    expect(leftovers(pid)).toEqual([]);
  });

  it("SIGKILL, then the next run's sweep", async () => {
    const { pid, exited } = await abandon("hang");
    // The fixture's own process (tsx runs it in a child of its own), not the tsx wrapper.
    process.kill(pid, "SIGKILL");
    await exited;
    // Nothing ran in the killed process: its mount and namespaces are still there…
    expect(leftovers(pid).length).toBe(3);
    // …until a later run sweeps them (the suite's global setup does this first thing).
    const swept = [...sweepStaleMounts(), ...sweepStaleNetns()];
    console.log(`[faults] after SIGKILL the sweep removed: ${swept.join(", ")}`);
    await sleep(500);
    expect(leftovers(pid)).toEqual([]);
  });
});
