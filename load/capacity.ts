// npm run load:capacity [-- --stack dev|prod] [--spec load/spec.json] [--out load/baselines]
// In one run, on the same cores, with the same driver (vegeta) and the same budgets (achieved >=
// 99% of target, errors < 1%, p95 < 50 ms, from the spec's capacity section): the ceiling, i.e.
// the highest rate a bare Node http server answering the gateway's own healthy body holds, then
// the highest rate the gateway's /health/saas holds on the real data tier. Each search grows the
// rate geometrically until a step fails (shrinks it when the first step fails), then bisects
// between the last pass and the first fail.
// Writes <out>/<stack>-<date>-capacity.json and .md; prints every step as it finishes, with how
// busy the machine was (other processes' cores) during it.
import { setTimeout as sleep } from "node:timers/promises";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts, LOOPBACK } from "../tests/harness/ports";
import { ManagedProcess, waitFor } from "../tests/harness/process";
import { REPO_ROOT } from "../tests/harness/binaries";
import { log, runOptions } from "./baseline";
import { backgroundBusy, type BusySample, measureBusy } from "./machine";
import { type Budgets, capacityBudgets, type RunRecord, recordFromVegeta } from "./record";
import type { LoadSpec } from "./spec";
import { startSystemUnderTest } from "./system-under-test";
import { attack, ensureVegeta, report } from "./vegeta";

export interface Step {
  readonly rate: number;
  readonly pass: boolean;
  readonly achieved: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
  readonly busy: BusySample;
  readonly violations: readonly string[];
}

export interface Search {
  /** Highest passing rate (0 when even the start rate failed). */
  readonly rps: number;
  readonly p95Ms: number;
  readonly steps: readonly Step[];
}

/**
 * The search itself, over any step function: geometric growth until the first failure (or
 * maxRate), then `refineSteps` bisections; when the start rate already fails, geometric shrinking
 * until a step passes (down to 10/s), then the same bisection. Rates are rounded to 10/s.
 */
export async function searchCapacity(
  c: LoadSpec["capacity"],
  step: (rate: number) => Promise<Step>,
): Promise<Search> {
  const steps: Step[] = [];
  const run = async (rate: number): Promise<Step> => {
    let s = await step(rate);
    steps.push(s);
    // One noisy 10 s step (a p95 spike while the driver shares the cores) must not end a search:
    // a failed step is run again up to `retryFailed` times and passes if a retry does.
    for (let i = 0; !s.pass && i < c.retryFailed; i++) {
      s = await step(rate);
      steps.push(s);
    }
    return s;
  };
  let pass: Step | undefined;
  let fail: Step | undefined;
  for (let rate = c.startRate; rate <= c.maxRate; rate = round10(rate * c.growth)) {
    const s = await run(rate);
    if (!s.pass) {
      fail = s;
      break;
    }
    pass = s;
  }
  // The start rate already failed (a slow or busy machine): shrink until a step passes.
  for (let rate = round10(c.startRate / c.growth); !pass && rate >= MIN_RATE;) {
    const s = await run(rate);
    if (s.pass) pass = s;
    else {
      fail = s;
      if (rate === MIN_RATE) break;
      rate = Math.max(MIN_RATE, round10(rate / c.growth));
    }
  }
  if (pass && fail) {
    let lo = pass;
    let hi = fail;
    for (let i = 0; i < c.refineSteps; i++) {
      const mid = round10((lo.rate + hi.rate) / 2);
      if (mid <= lo.rate || mid >= hi.rate) break;
      const s = await run(mid);
      if (s.pass) lo = s;
      else hi = s;
    }
    pass = lo;
  }
  return { rps: pass?.rate ?? 0, p95Ms: pass?.p95Ms ?? 0, steps };
}

/** Lowest rate tried when shrinking. */
const MIN_RATE = 10;
/**
 * Ceiling and capacity compare only when the machine is left to them: above this many cores used
 * by other processes in any step, the ratio is reported but the goal counts as not shown.
 */
export const QUIET_OTHER_CORES = 0.5;

const round10 = (x: number): number => Math.max(MIN_RATE, Math.round(x / 10) * 10);

/**
 * Runs tasks one at a time in the order they were asked for. Two searches sharing one Turns
 * alternate their steps, so the ceiling and the gateway are measured interleaved over the same
 * minutes of the machine's life rather than one after the other.
 */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.last.then(task);
    this.last = next.catch(() => undefined);
    return next;
  }
}

async function main(): Promise<number> {
  const o = runOptions();
  const c = o.spec.capacity;
  const budgets: Budgets = capacityBudgets(o.spec);
  await ensureVegeta();
  const background = await backgroundBusy(5_000);
  log(
    `machine before start: ${background.otherCores} of ${background.cores} cores busy (load average ${background.loadavg1})`,
  );
  const sut = await startSystemUnderTest(o.stack);
  const work = mkdtempSync(join(tmpdir(), "kgents-capacity-"));
  let bare: ManagedProcess | undefined;
  try {
    // The bare server answers the gateway's own healthy body: same size, same headers.
    const healthy = await sut.gateway.get(o.spec.path);
    if (healthy.status !== 200)
      throw new Error(`the gateway is not healthy: ${healthy.status} ${healthy.body}`);
    const [barePort] = (await freePorts(1)) as [number];
    bare = ManagedProcess.start(
      "bare",
      process.execPath,
      ["--import", "tsx", join(REPO_ROOT, "load", "bare-server.ts")],
      {
        cwd: REPO_ROOT,
        env: {
          PORT: String(barePort),
          HOST: LOOPBACK,
          BODY_BASE64: Buffer.from(healthy.body).toString("base64"),
        },
      },
    );
    const bareUrl = `http://${LOOPBACK}:${barePort}${o.spec.path}`;
    await waitFor("bare server answers", async () => (await fetch(bareUrl)).status === 200, {
      timeoutMs: 30_000,
      proc: bare,
    });
    const bareProc = bare;

    const stepper =
      (label: string, url: string, pids: () => (number | undefined)[]) =>
      async (rate: number): Promise<Step> => {
        const out = join(work, `${label}-${rate}.bin`);
        const busy = measureBusy(pids);
        await attack({
          url,
          rate,
          durationS: c.stepDurationS,
          timeoutMs: o.spec.timeoutMs,
          output: out,
          maxConnections: c.maxConnections,
        });
        const b = busy.end();
        const r = recordFromVegeta({
          stack: o.stack,
          date: new Date(),
          tool: "vegeta",
          target: url,
          rate,
          report: await report(out),
          budgets,
        });
        rmSync(out, { force: true });
        await sleep(c.settleS * 1000);
        const s: Step = {
          rate,
          pass: r.budgetsMet,
          achieved: r.rate.achieved,
          p95Ms: r.latencyMs.p95,
          p99Ms: r.latencyMs.p99,
          errorRate: r.errorRate,
          busy: b,
          violations: r.violations,
        };
        log(
          `${label.padEnd(7)} ${String(rate).padStart(6)}/s: ${s.pass ? "pass" : "FAIL"}  achieved ${s.achieved.toFixed(0)}/s  p95 ${s.p95Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms  errors ${(s.errorRate * 100).toFixed(2)}%  ` +
            `cores: server+driver ${b.ownCores}, others ${b.otherCores}${s.pass ? "" : `  (${s.violations.join("; ")})`}`,
        );
        return s;
      };

    // "own" cores: the server side (the bare server, or the gateway and its data tier) plus the
    // vegeta attack (a child of this process); "others" is the rest of the machine.
    log(`warm-up: 3 s each at ${c.startRate}/s (not recorded)`);
    await attack({
      url: bareUrl,
      rate: c.startRate,
      durationS: 3,
      timeoutMs: o.spec.timeoutMs,
      output: join(work, "w1.bin"),
    });
    await attack({
      url: `${sut.gateway.url}${o.spec.path}`,
      rate: c.startRate,
      durationS: 3,
      timeoutMs: o.spec.timeoutMs,
      output: join(work, "w2.bin"),
    });

    log(
      `ceiling (bare Node http server, ${Buffer.byteLength(healthy.body)}-byte body) and gateway ` +
        `(/health/saas on the real ${o.stack} data tier), steps interleaved`,
    );
    const turns = new Turns();
    const bareStep = stepper("bare", bareUrl, () => [bareProc.pid]);
    const gatewayStep = stepper("gateway", `${sut.gateway.url}${o.spec.path}`, () => sut.pids());
    const [ceiling, gateway] = await Promise.all([
      searchCapacity(c, (rate) => turns.run(() => bareStep(rate))),
      searchCapacity(c, (rate) => turns.run(() => gatewayStep(rate))),
    ]);

    const ratio = ceiling.rps > 0 ? Math.round((gateway.rps / ceiling.rps) * 1000) / 1000 : 0;
    const busiest = Math.max(
      0,
      ...[...ceiling.steps, ...gateway.steps].map((s) => s.busy.otherCores),
    );
    const quiet = busiest <= QUIET_OTHER_CORES;
    const date = new Date();
    const atCapacity = gateway.steps.find((s) => s.rate === gateway.rps);
    const record: RunRecord = {
      stack: o.stack,
      date: date.toISOString(),
      tool: "vegeta",
      target: o.spec.path,
      durationS: c.stepDurationS,
      rate: {
        target: gateway.rps,
        achieved: atCapacity?.achieved ?? 0,
        sent: atCapacity?.achieved ?? 0,
      },
      latencyMs: { p50: 0, p90: 0, p95: gateway.p95Ms, p99: atCapacity?.p99Ms ?? 0, max: 0 },
      errorRate: atCapacity?.errorRate ?? 1,
      requests: gateway.rps * c.stepDurationS,
      statusCodes: {},
      budgets,
      budgetsMet: gateway.rps > 0,
      violations: gateway.rps > 0 ? [] : [`even ${c.startRate}/s broke the capacity budgets`],
      capacity: {
        rps: gateway.rps,
        p95Ms: gateway.p95Ms,
        ceilingRps: ceiling.rps,
        ceilingP95Ms: ceiling.p95Ms,
        ratio,
        goalRatio: c.goalRatioOfCeiling,
        goalMet: quiet && ratio >= c.goalRatioOfCeiling,
      },
      context: {
        node: process.version,
        stepDurationS: c.stepDurationS,
        bodyBytes: Buffer.byteLength(healthy.body),
        machine: { before: background, busiestStepOtherCores: busiest, quiet },
        steps: { ceiling: ceiling.steps, gateway: gateway.steps },
      },
    };
    const base = join(o.out, `${o.stack}-${date.toISOString().slice(0, 10)}-capacity`);
    mkdirSync(o.out, { recursive: true });
    writeFileSync(`${base}.json`, JSON.stringify(record, null, 2) + "\n");
    writeFileSync(`${base}.md`, capacityMarkdown(record, ceiling, gateway, background, c));
    process.stdout.write(capacityMarkdown(record, ceiling, gateway, background, c));
    log(`wrote ${base}.json and .md`);
    return gateway.rps > 0 ? 0 : 1;
  } finally {
    if (bare) await bare.stop(5_000);
    await sut.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export function capacityMarkdown(
  r: RunRecord,
  ceiling: Search,
  gateway: Search,
  before: BusySample,
  c: LoadSpec["capacity"],
): string {
  const cap = r.capacity;
  const busiest = Math.max(
    0,
    ...[...ceiling.steps, ...gateway.steps].map((s) => s.busy.otherCores),
  );
  const rows = (label: string, s: Search): string[] =>
    s.steps.map(
      (x) =>
        `| ${label} | ${x.rate}/s | ${x.pass ? "pass" : "fail"} | ${x.achieved.toFixed(0)}/s | ${x.p95Ms.toFixed(2)} ms | ${x.p99Ms.toFixed(2)} ms | ${(x.errorRate * 100).toFixed(2)}% | ${x.busy.otherCores} |`,
    );
  return [
    `# /health/saas capacity: ${r.stack}, ${r.date.slice(0, 10)}`,
    "",
    `Budgets per step (${r.durationS} s each): achieved >= ${r.budgets.minAchievedRatio * 100}% of target, errors < ${r.budgets.errorRate * 100}%, p95 < ${r.budgets.p95Ms} ms. Same driver (vegeta, at most ${c.maxConnections} connections), same cores, one run, bare and gateway steps interleaved; a failed step is run again ${c.retryFailed} time(s) and counts as passed if a retry passes.`,
    `Before the run, other processes kept ${before.otherCores} of ${before.cores} cores busy (load average ${before.loadavg1}).`,
    "",
    "| | capacity | p95 there |",
    "|---|---:|---:|",
    `| gateway /health/saas (real NATS cluster + Redis behind it) | ${cap?.rps}/s | ${cap?.p95Ms.toFixed(2)} ms |`,
    `| bare Node http server, same body (ceiling) | ${cap?.ceilingRps}/s | ${cap?.ceilingP95Ms.toFixed(2)} ms |`,
    `| gateway / ceiling | ${((cap?.ratio ?? 0) * 100).toFixed(1)}% | goal >= ${(cap?.goalRatio ?? 0) * 100}%: ${cap?.goalMet ? "met" : "**not shown**"} |`,
    "",
    busiest > QUIET_OTHER_CORES
      ? `**Not a valid comparison:** other processes used up to ${busiest} of ${before.cores} cores during a step (limit ${QUIET_OTHER_CORES}); the servers got what was left, so both figures measure the machine's other load more than the servers. Rerun on a quiet machine.`
      : `Other processes used at most ${busiest} cores during any step: a valid comparison.`,
    "",
    "## Steps",
    "",
    "| server | target | result | achieved | p95 | p99 | errors | other processes' busy cores |",
    "|---|---:|---|---:|---:|---:|---:|---:|",
    ...rows("bare", ceiling),
    ...rows("gateway", gateway),
    "",
  ].join("\n");
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      log(`failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
