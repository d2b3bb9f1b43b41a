// How busy the machine is: busy cores from /proc/stat over an interval, and the CPU time of given
// processes, so a figure measured on a shared machine says how much of it others were using.
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

function machineTimes(): CpuTimes {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * CPU seconds used so far by a process (user + system), 0 if it is gone; with `reapedChildren`,
 * the CPU of its children that have exited and been waited for (cutime + cstime) instead.
 */
export function processCpuSeconds(
  pid: number | "self" | undefined,
  reapedChildren = false,
): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start at ") ".
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [u, s] = reapedChildren ? [f[13], f[14]] : [f[11], f[12]];
    return (Number(u) + Number(s)) / 100;
  } catch {
    return 0;
  }
}

export interface BusySample {
  readonly cores: number;
  /** Average busy cores over the interval (all processes). */
  readonly busyCores: number;
  /**
   * Busy cores of the given processes over the interval, plus this process's children that
   * exited within it (the load driver: each vegeta attack is such a child).
   */
  readonly ownCores: number;
  /** busyCores - ownCores: what everything else was using. */
  readonly otherCores: number;
  readonly loadavg1: number;
}

/** Starts a measurement; `end()` returns the figures for the interval since. */
export function measureBusy(pids: () => readonly (number | undefined)[] = () => []): {
  end: () => BusySample;
} {
  const t0 = machineTimes();
  const own = (): number =>
    pids().reduce<number>((s, p) => s + processCpuSeconds(p), 0) + processCpuSeconds("self", true);
  const own0 = own();
  const w0 = Date.now();
  return {
    end: () => {
      const t1 = machineTimes();
      const wall = (Date.now() - w0) / 1000;
      const n = cpus().length;
      const busyCores = t1.total > t0.total ? ((t1.busy - t0.busy) / (t1.total - t0.total)) * n : 0;
      const ownCores = wall > 0 ? (own() - own0) / wall : 0;
      const r2 = (x: number): number => Math.round(x * 100) / 100;
      return {
        cores: n,
        busyCores: r2(busyCores),
        ownCores: r2(ownCores),
        otherCores: r2(Math.max(0, busyCores - ownCores)),
        loadavg1: r2(loadavg()[0] ?? 0),
      };
    },
  };
}

/** Busy cores of everything else over `ms`, measured before the run starts anything. */
export async function backgroundBusy(ms = 3_000): Promise<BusySample> {
  const m = measureBusy();
  await new Promise((r) => setTimeout(r, ms));
  return m.end();
}
