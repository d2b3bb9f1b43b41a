// The local load driver: vegeta (MIT, built from its Go module by scripts/tools.sh vegeta), an
// open-model constant-rate generator like k6's constant-arrival-rate. One attack writes its binary
// results to a file; `vegeta report` gives the figures and `vegeta encode` the per-request rows
// for the latency-over-time picture. Nothing is parsed while the attack runs, so the runner takes
// no CPU from the driver or the server under test.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../tests/harness/binaries";

const run = promisify(execFile);

export const VEGETA_BIN = join(REPO_ROOT, "bin", "vegeta");

/** Builds or relinks vegeta (warm: about a second). */
export async function ensureVegeta(): Promise<string> {
  await run("bash", ["scripts/tools.sh", "vegeta"], { cwd: REPO_ROOT, timeout: 15 * 60_000 });
  if (!existsSync(VEGETA_BIN))
    throw new Error(`scripts/tools.sh vegeta did not produce ${VEGETA_BIN}`);
  return VEGETA_BIN;
}

export interface AttackOptions {
  readonly url: string;
  readonly rate: number;
  readonly durationS: number;
  readonly timeoutMs: number;
  /** Binary results file written by the attack. */
  readonly output: string;
  /** Caps vegeta's workers and connections to the target (unbounded when absent). */
  readonly maxConnections?: number;
  /** Called about every `progressEveryS` seconds with the elapsed seconds. */
  readonly onProgress?: (elapsedS: number) => void;
  readonly progressEveryS?: number;
}

/** Runs one attack to completion; rejects with vegeta's stderr if it fails. */
export async function attack(o: AttackOptions): Promise<void> {
  const args = [
    "attack",
    `-rate=${o.rate}/1s`,
    `-duration=${o.durationS}s`,
    `-timeout=${o.timeoutMs}ms`,
    // Bodies are not needed (the gateway's status code says healthy or not) and cost memory.
    "-max-body=0",
    "-keepalive=true",
    `-output=${o.output}`,
    ...(o.maxConnections === undefined
      ? []
      : [`-max-workers=${o.maxConnections}`, `-max-connections=${o.maxConnections}`]),
  ];
  const child = spawn(VEGETA_BIN, args, { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  child.stdin.end(`GET ${o.url}\n`);
  const t0 = Date.now();
  const every = (o.progressEveryS ?? 5) * 1000;
  const timer = o.onProgress
    ? setInterval(() => o.onProgress?.((Date.now() - t0) / 1000), every)
    : undefined;
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`vegeta attack exited ${code}: ${stderr}`);
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** `vegeta report -type=json` as vegeta writes it (durations in ns). */
export interface VegetaReport {
  readonly latencies: {
    readonly total: number;
    readonly mean: number;
    readonly "50th": number;
    readonly "90th": number;
    readonly "95th": number;
    readonly "99th": number;
    readonly max: number;
    readonly min: number;
  };
  readonly duration: number;
  readonly wait: number;
  readonly requests: number;
  /** Requests sent per second. */
  readonly rate: number;
  /** Successful responses per second, over duration + wait. */
  readonly throughput: number;
  /** Share of responses with a code in [200, 400). */
  readonly success: number;
  readonly status_codes: Readonly<Record<string, number>>;
  readonly errors: readonly string[] | null;
}

export async function report(resultsFile: string): Promise<VegetaReport> {
  const { stdout } = await run(VEGETA_BIN, ["report", "-type=json", resultsFile], {
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout) as VegetaReport;
}

/** One request as `vegeta encode --to=csv` writes it (the columns used here). */
export interface ResultRow {
  /** Unix time of the request, ms. */
  readonly atMs: number;
  readonly code: number;
  readonly latencyMs: number;
}

export async function rows(resultsFile: string): Promise<ResultRow[]> {
  const { stdout } = await run(VEGETA_BIN, ["encode", "--to=csv", resultsFile], {
    maxBuffer: 1 << 30,
  });
  return parseCsvRows(stdout);
}

/** Parses vegeta's CSV (no header; columns: timestamp ns, code, latency ns, ...). */
export function parseCsvRows(csv: string): ResultRow[] {
  const out: ResultRow[] = [];
  for (const line of csv.split("\n")) {
    if (!line) continue;
    const [ts, code, lat] = line.split(",", 3);
    out.push({ atMs: Number(ts) / 1e6, code: Number(code), latencyMs: Number(lat) / 1e6 });
  }
  return out;
}
