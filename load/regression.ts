// npm run load:compare -- <run.json> [--baseline <file>] [--stack dev] [--factor F]
// Fails (exit 1) when a run's p95 is more than `p95Factor` × the committed baseline's p95 (a
// baseline p95 under `p95FloorMs` counts as the floor: sub-millisecond noise is not a regression).
// Reads the local runner's JSON, the k6 script's handleSummary JSON and k6's raw summary export.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../tests/harness/binaries";
import { parseLoadSpec } from "./spec";

export interface Comparable {
  readonly source: "record" | "k6-summary-data" | "k6-summary-export";
  readonly p95Ms: number;
}

/** The p95 of any of the three formats; throws naming the file's shape when none matches. */
export function readP95(doc: unknown, what: string): Comparable {
  const d = doc as Record<string, unknown> | null;
  const num = (v: unknown): number | undefined =>
    typeof v === "number" && Number.isFinite(v) ? v : undefined;
  const rec = num((d?.latencyMs as Record<string, unknown> | undefined)?.p95);
  if (rec !== undefined) return { source: "record", p95Ms: rec };
  const dur = (d?.metrics as Record<string, Record<string, unknown>> | undefined)
    ?.http_req_duration;
  // handleSummary's data: metrics.http_req_duration.values["p(95)"]
  const fromValues = num((dur?.values as Record<string, unknown> | undefined)?.["p(95)"]);
  if (fromValues !== undefined) return { source: "k6-summary-data", p95Ms: fromValues };
  // `k6 run --summary-export`: metrics.http_req_duration["p(95)"]
  const fromExport = num(dur?.["p(95)"]);
  if (fromExport !== undefined) return { source: "k6-summary-export", p95Ms: fromExport };
  throw new Error(
    `${what}: no p95 found (expected latencyMs.p95, metrics.http_req_duration.values["p(95)"] or metrics.http_req_duration["p(95)"])`,
  );
}

export interface Verdict {
  readonly ok: boolean;
  readonly runP95Ms: number;
  readonly baselineP95Ms: number;
  readonly limitMs: number;
  readonly factor: number;
  readonly message: string;
}

export function compareP95(
  run: number,
  baseline: number,
  factor: number,
  floorMs: number,
): Verdict {
  if (!(factor > 1)) throw new Error(`factor = ${factor}: must be > 1`);
  const limitMs = Math.max(baseline, floorMs) * factor;
  const ok = run <= limitMs;
  const growth = baseline > 0 ? run / baseline : Infinity;
  return {
    ok,
    runP95Ms: run,
    baselineP95Ms: baseline,
    limitMs,
    factor,
    message: `p95 ${run.toFixed(3)} ms vs baseline ${baseline.toFixed(3)} ms (×${growth.toFixed(2)}); limit ${limitMs.toFixed(3)} ms = ${factor} × max(baseline, ${floorMs} ms floor): ${ok ? "ok" : "REGRESSION"}`,
  };
}

/** Newest committed baseline of a stack (`<stack>-YYYY-MM-DD.json`, capacity files excluded). */
export function latestBaseline(dir: string, stack: string): string {
  const re = new RegExp(`^${stack}-\\d{4}-\\d{2}-\\d{2}\\.json$`);
  const files = readdirSync(dir)
    .filter((f) => re.test(f))
    .sort();
  const last = files[files.length - 1];
  if (!last) throw new Error(`no baseline ${stack}-YYYY-MM-DD.json in ${dir}`);
  return join(dir, last);
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      baseline: { type: "string" },
      stack: { type: "string", default: "dev" },
      factor: { type: "string" },
      spec: { type: "string", default: join(REPO_ROOT, "load", "spec.json") },
    },
  });
  const runFile = positionals[0];
  if (!runFile)
    throw new Error(
      "usage: npm run load:compare -- <run.json> [--baseline file] [--stack dev] [--factor F]",
    );
  const spec = parseLoadSpec(JSON.parse(readFileSync(values.spec, "utf8")));
  const factor = values.factor === undefined ? spec.regression.p95Factor : Number(values.factor);
  if (!(factor > 1))
    throw new Error(`--factor = ${JSON.stringify(values.factor)}: must be a number > 1`);
  const baselineFile =
    values.baseline ?? latestBaseline(join(REPO_ROOT, "load", "baselines"), values.stack);
  const run = readP95(JSON.parse(readFileSync(runFile, "utf8")), runFile);
  const base = readP95(JSON.parse(readFileSync(baselineFile, "utf8")), baselineFile);
  const v = compareP95(run.p95Ms, base.p95Ms, factor, spec.regression.p95FloorMs);
  process.stdout.write(`${runFile} (${run.source}) against ${baselineFile}: ${v.message}\n`);
  return v.ok ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exit(main());
  } catch (e) {
    process.stderr.write(`load:compare: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}
