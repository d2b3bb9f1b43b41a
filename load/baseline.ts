// npm run load:baseline [-- --stack dev|prod] [--spec load/spec.json] [--out load/baselines]
//   [--rate N] [--duration S]
// Starts the real NATS cluster, Redis and the gateway, drives /health/saas with vegeta at the
// spec's rate for its duration (after a short unrecorded warm-up), and writes
// <out>/<stack>-<date>.json, .md and .svg. Prints progress every 5 s from the gateway's own
// counters, the calls per second that reached NATS and Redis, and exits 1 when a budget is broken.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../tests/harness/binaries";
import type { StackName } from "../tests/support/stack-files";
import { backgroundBusy, measureBusy } from "./machine";
import { baselineBudgets, perSecond, recordFromVegeta } from "./record";
import { latencySvg, markdownTable } from "./report";
import { parseLoadSpec } from "./spec";
import {
  dependencyCalls,
  GATEWAY_CACHE_MS,
  gatewayAnswered,
  startSystemUnderTest,
} from "./system-under-test";
import { attack, ensureVegeta, report, rows } from "./vegeta";

const WARMUP_S = 5;

export const log = (msg: string): void => {
  process.stderr.write(`[load] ${msg}\n`);
};

export function runOptions() {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", default: "dev" },
      spec: { type: "string", default: join(REPO_ROOT, "load", "spec.json") },
      out: { type: "string", default: join(REPO_ROOT, "load", "baselines") },
      rate: { type: "string" },
      duration: { type: "string" },
    },
  });
  if (values.stack !== "dev" && values.stack !== "prod")
    throw new Error(`--stack = ${JSON.stringify(values.stack)}: must be dev or prod`);
  const stack: StackName = values.stack === "prod" ? "prod" : "dev";
  const spec = parseLoadSpec(JSON.parse(readFileSync(values.spec, "utf8")));
  const int = (name: string, v: string | undefined, d: number): number => {
    if (v === undefined) return d;
    if (!/^\d+$/.test(v) || Number(v) < 1)
      throw new Error(`--${name} = ${JSON.stringify(v)}: must be a positive integer`);
    return Number(v);
  };
  return {
    stack,
    spec,
    out: values.out,
    rate: int("rate", values.rate, spec.rate),
    durationS: int("duration", values.duration, spec.durationS),
  };
}

async function main(): Promise<number> {
  const o = runOptions();
  await ensureVegeta();
  const background = await backgroundBusy();
  log(
    `machine before start: ${background.otherCores} of ${background.cores} cores busy (load average ${background.loadavg1})`,
  );
  log(`starting the ${o.stack} data tier (3 NATS servers, Redis) and the gateway...`);
  const sut = await startSystemUnderTest(o.stack);
  const work = mkdtempSync(join(tmpdir(), "kgents-load-"));
  try {
    const url = `${sut.gateway.url}${o.spec.path}`;
    log(`warm-up: ${WARMUP_S} s at ${o.rate}/s (not recorded)`);
    await attack({
      url,
      rate: o.rate,
      durationS: WARMUP_S,
      timeoutMs: o.spec.timeoutMs,
      output: join(work, "warmup.bin"),
    });

    const calls0 = await dependencyCalls(sut.tier);
    const answered0 = await gatewayAnswered(sut.gateway);
    const busy = measureBusy(() => sut.pids());
    const results = join(work, "results.bin");
    log(`driving ${url} at ${o.rate}/s for ${o.durationS} s with vegeta`);
    const t0 = Date.now();
    await attack({
      url,
      rate: o.rate,
      durationS: o.durationS,
      timeoutMs: o.spec.timeoutMs,
      output: results,
      onProgress: (s) => {
        void gatewayAnswered(sut.gateway).then(
          (a) => {
            const n = a.total - answered0.total;
            log(
              `${s.toFixed(0)}/${o.durationS} s: ${n} answered (${(n / s).toFixed(1)}/s), ${a.non200 - answered0.non200} not 200`,
            );
          },
          () => undefined,
        );
      },
    });
    const seconds = (Date.now() - t0) / 1000;
    const machine = busy.end();
    const calls1 = await dependencyCalls(sut.tier);
    const dependency = {
      cacheMs: GATEWAY_CACHE_MS,
      requestsPerS: o.rate,
      redisPingsPerS: round2((calls1.redisPings - calls0.redisPings) / seconds),
      jetstreamApiCallsPerS: round2(
        (calls1.jetstreamApiCalls - calls0.jetstreamApiCalls) / seconds,
      ),
    };
    log(
      `calls reaching the dependencies: Redis PING ${dependency.redisPingsPerS}/s, JetStream API ${dependency.jetstreamApiCallsPerS}/s ` +
        `while /health/saas got ${o.rate} req/s (cache interval ${dependency.cacheMs} ms)`,
    );

    const date = new Date();
    const record = recordFromVegeta({
      stack: o.stack,
      date,
      tool: "vegeta",
      target: o.spec.path,
      rate: o.rate,
      report: await report(results),
      budgets: baselineBudgets(o.spec),
      context: {
        warmupS: WARMUP_S,
        node: process.version,
        dependencyCalls: dependency,
        machine: { before: background, during: machine },
        spec: { rate: o.spec.rate, durationS: o.spec.durationS },
      },
    });
    const series = perSecond(await rows(results));
    const base = join(o.out, `${o.stack}-${date.toISOString().slice(0, 10)}`);
    mkdirSync(o.out, { recursive: true });
    writeFileSync(`${base}.json`, JSON.stringify(record, null, 2) + "\n");
    writeFileSync(`${base}.md`, markdownTable(record));
    writeFileSync(
      `${base}.svg`,
      latencySvg(
        series,
        `/health/saas at ${o.rate}/s for ${record.durationS} s (${o.stack}, vegeta), ${record.date.slice(0, 10)}`,
      ),
    );
    process.stdout.write(markdownTable(record));
    log(`wrote ${base}.json, .md and .svg`);
    if (!record.budgetsMet) {
      log(`BUDGET BROKEN: ${record.violations.join("; ")}`);
      return 1;
    }
    return 0;
  } finally {
    await sut.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      log(`failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
