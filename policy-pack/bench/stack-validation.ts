// Benchmark: every policy of the pack (resource policies on each resource, then stack policies)
// validating synthetic stacks of 1k, 10k and 50k resources,
// as CrossGuard runs them (properties behind the unknown-checking proxy), in two layouts: one
// namespace per tenant, and every tenant in a single namespace (the case a per-namespace scan
// would make quadratic). Prints medians of several runs, wall-clock and CPU time of this process
// (the CPU figure is the one that does not move when other jobs share the machine), the growth
// exponent (1 = linear, 2 = pairwise), and saves the figures to bench/results/stack-validation.json.
// Exits non-zero if 10k resources take 1 s of CPU or more, or if growth is clearly superlinear.
//
// With `--baseline <git-ref>`, the pack as committed at that ref is extracted (git archive, into
// the git-ignored .local/) and measured side by side in the same run: runs alternate between the
// two packs on the same synthetic stacks, and the result records both medians and their ratio.
//
//   npm run bench:policy                          (from the repository root)
//   npm run bench:policy -- --baseline main
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyResource } from "@pulumi/policy";
import * as prettier from "prettier";
import { execFileSync } from "node:child_process";
import { policyResource, runPolicy } from "../../tests/support/crossguard";
import type { PackPolicy } from "../support/define";
import { policies as currentPolicies } from "../policies";

// BENCH_SIZES=1000,10000 narrows a quick run (the saved file then lacks the other sizes).
const SIZES = process.env.BENCH_SIZES
  ? process.env.BENCH_SIZES.split(",").map(Number)
  : [1_000, 10_000, 50_000];
const RUNS: Record<number, number> = { 1_000: 9, 10_000: 15, 50_000: 5 };
const BUDGET_10K_MS = 1_000;
const MAX_EXPONENT = 1.3;

type Manifest = Record<string, unknown> & {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

function resource(type: string, name: string, props: Manifest): PolicyResource {
  return policyResource({
    type,
    name,
    props,
    urn: `urn:pulumi:bench::synthetic::${type}::${name}`,
  });
}

const nsPeer = (ns: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
});

/**
 * One tenant namespace: 20 resources (namespace, default-deny, DNS egress, 4 allow policies,
 * 2 StatefulSets + budgets, 3 Deployments + 1 budget, 3 Services, 2 ConfigMaps). Every 50th
 * namespace lacks its default-deny policy, so the violation path is exercised too.
 */
function tenant(i: number, nsName: string, compact: boolean): PolicyResource[] {
  const ns = compact ? "shared" : nsName;
  const p = `t${i}`;
  const labels = (app: string) => ({
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/instance": p,
  });
  const out: PolicyResource[] = [];
  if (!compact || i === 0) {
    out.push(
      resource("kubernetes:core/v1:Namespace", ns, {
        metadata: { name: ns, labels: { tenant: p } },
      }),
    );
    if (i % 50 !== 49) {
      out.push(
        resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${p}-default-deny`, {
          metadata: { name: "default-deny", namespace: ns },
          spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        }),
      );
    }
    out.push(
      resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${p}-allow-dns`, {
        metadata: { name: "allow-dns", namespace: ns },
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [
                {
                  ...nsPeer("kube-system"),
                  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
              ],
              ports: [
                { port: 53, protocol: "UDP" },
                { port: 53, protocol: "TCP" },
              ],
            },
          ],
        },
      }),
    );
  } else {
    out.push(
      resource("kubernetes:core/v1:ConfigMap", `${p}-extra-a`, {
        metadata: { name: `${p}-extra-a`, namespace: ns },
        data: { a: "1" },
      }),
    );
    out.push(
      resource("kubernetes:core/v1:ConfigMap", `${p}-extra-b`, {
        metadata: { name: `${p}-extra-b`, namespace: ns },
        data: { b: "1" },
      }),
    );
    out.push(
      resource("kubernetes:core/v1:ConfigMap", `${p}-extra-c`, {
        metadata: { name: `${p}-extra-c`, namespace: ns },
        data: { c: "1" },
      }),
    );
  }
  for (const [k, app] of ["db", "cache"].entries()) {
    out.push(
      resource("kubernetes:apps/v1:StatefulSet", `${p}-${app}`, {
        metadata: { name: app, namespace: ns },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels(app) },
          template: {
            metadata: { labels: { ...labels(app), "app.kubernetes.io/version": "1.0" } },
            spec: { containers: [{ name: app, image: k === 0 ? "postgres:16" : "redis:7" }] },
          },
        },
      }),
      resource("kubernetes:policy/v1:PodDisruptionBudget", `${p}-${app}-pdb`, {
        metadata: { name: app, namespace: ns },
        spec: { minAvailable: 2, selector: { matchLabels: labels(app) } },
      }),
    );
  }
  for (const app of ["api", "worker", "web"]) {
    out.push(
      resource("kubernetes:apps/v1:Deployment", `${p}-${app}`, {
        metadata: { name: app, namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels(app) },
          template: {
            metadata: { labels: labels(app) },
            spec: { containers: [{ name: app, image: `example/${app}:1` }] },
          },
        },
      }),
      resource("kubernetes:core/v1:Service", `${p}-${app}-svc`, {
        metadata: { name: app, namespace: ns },
        spec: { selector: labels(app), ports: [{ port: 80 }] },
      }),
    );
  }
  out.push(
    resource("kubernetes:policy/v1:PodDisruptionBudget", `${p}-api-pdb`, {
      metadata: { name: "api", namespace: ns },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels("api") } },
    }),
  );
  for (const [from, to, port] of [
    ["web", "api", 8080],
    ["api", "db", 5432],
    ["api", "cache", 6379],
    ["worker", "db", 5432],
  ] as const) {
    out.push(
      resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${p}-allow-${from}-${to}`, {
        metadata: { name: `allow-${from}-${to}`, namespace: ns },
        spec: {
          podSelector: { matchLabels: labels(to) },
          policyTypes: ["Ingress"],
          ingress: [
            {
              from: [{ ...nsPeer(ns), podSelector: { matchLabels: labels(from) } }],
              ports: [{ port, protocol: "TCP" }],
            },
          ],
        },
      }),
    );
  }
  out.push(
    resource("kubernetes:core/v1:ConfigMap", `${p}-config`, {
      metadata: { name: "config", namespace: ns },
      data: { "app.yaml": "log: info\n" },
    }),
  );
  return out;
}

/** A stack of exactly `n` resources: one namespace per tenant, or all tenants in one namespace. */
export function stack(n: number, compact: boolean): PolicyResource[] {
  const out: PolicyResource[] = [];
  for (let i = 0; out.length < n; i++) out.push(...tenant(i, `tenant-${i}`, compact));
  return out.slice(0, n);
}

/**
 * Every policy of a pack over the stack, as the engine runs them (resource policies on each
 * resource, then the stack policy; each policy gets a list of its own); returns the violations.
 */
async function validate(
  resources: PolicyResource[],
  policies: readonly PackPolicy[],
): Promise<number> {
  let n = 0;
  for (const p of policies) n += (await runPolicy(p, [...resources])).violations.length;
  return n;
}

const collectGarbage: () => void =
  typeof globalThis.gc === "function" ? () => globalThis.gc?.() : () => undefined;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface Figure {
  resources: number;
  layout: "namespace-per-tenant" | "single-namespace";
  runs: number;
  /** Wall-clock milliseconds. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** CPU milliseconds (user + system) of this process. */
  medianCpuMs: number;
  usPerResource: number;
  violations: number;
  /** With a baseline: median over rounds of this pack's CPU / the baseline's in the same round. */
  pairedRatio?: number;
}

interface Samples {
  times: number[];
  cpu: number[];
  violations: number;
}

/** Runs each pack on the same stack, alternating run by run so both see the same load. */
async function measure(
  n: number,
  compact: boolean,
  packs: readonly (readonly PackPolicy[])[],
): Promise<Figure[]> {
  const resources = stack(n, compact);
  const samples: Samples[] = [];
  for (const pack of packs) {
    samples.push({ times: [], cpu: [], violations: await validate(resources, pack) }); // warm-up
  }
  for (let r = 0; r < (RUNS[n] ?? 5); r++) {
    for (const [i, pack] of packs.entries()) {
      const s = samples[i] as Samples;
      // Collect first (when node runs with --expose-gc, as `npm run bench:policy` does): with
      // packs alternating, the garbage one pack leaves would otherwise be collected on the
      // other's clock.
      collectGarbage();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await validate(resources, pack);
      s.times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      s.cpu.push((c.user + c.system) / 1000);
    }
  }
  const figs = samples.map((s) => figure(n, compact, s));
  const [cur, base] = samples;
  if (cur && base && figs[0]) {
    // Rounds run the two packs back to back: the median of the per-round ratios is less moved by
    // the machine's drift over the run than the ratio of the two medians.
    figs[0].pairedRatio =
      Math.round(median(cur.cpu.map((c, i) => c / (base.cpu[i] as number))) * 100) / 100;
  }
  return figs;
}

function figure(n: number, compact: boolean, s: Samples): Figure {
  const { times, cpu, violations } = s;
  const med = median(times);
  const medCpu = median(cpu);
  return {
    resources: n,
    layout: compact ? "single-namespace" : "namespace-per-tenant",
    runs: times.length,
    medianMs: Math.round(med * 10) / 10,
    minMs: Math.round(Math.min(...times) * 10) / 10,
    maxMs: Math.round(Math.max(...times) * 10) / 10,
    medianCpuMs: Math.round(medCpu * 10) / 10,
    usPerResource: Math.round((medCpu * 1000) / n) / 1000,
    violations,
  };
}

function exponent(figs: Figure[]): number {
  const a = figs[0] as Figure;
  const b = figs[figs.length - 1] as Figure;
  const e = Math.log(b.medianCpuMs / a.medianCpuMs) / Math.log(b.resources / a.resources);
  return Math.round(e * 100) / 100;
}

/** The pack as committed at `ref`, extracted under .local/ and loaded. */
async function baselinePack(ref: string): Promise<readonly PackPolicy[]> {
  const root = path.resolve(__dirname, "..", "..");
  const commit = execFileSync("git", ["rev-parse", "--short", ref], {
    cwd: root,
    encoding: "utf8",
  }).trim();
  const dir = path.join(root, ".local", "bench-baseline", commit);
  if (!fs.existsSync(path.join(dir, "lib"))) {
    fs.mkdirSync(dir, { recursive: true });
    const tar = execFileSync("git", ["archive", "--format=tar", commit, "policy-pack", "lib"], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
    });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
  }
  const mod = (await import(path.join(dir, "policy-pack", "policies", "index.ts"))) as {
    policies: readonly PackPolicy[];
  };
  console.log(`baseline: policy-pack at ${ref} (${commit})`);
  return mod.policies;
}

function line(label: string, f: Figure): string {
  return (
    `${label.padEnd(9)} ${f.layout.padEnd(21)} ${String(f.resources).padStart(6)} resources: ` +
    `median ${f.medianCpuMs.toFixed(1).padStart(7)} ms CPU, ${f.medianMs.toFixed(1)} ms wall ` +
    `(wall min ${f.minMs.toFixed(1)}, max ${f.maxMs.toFixed(1)}; ${f.runs} runs), ` +
    `${(f.usPerResource * 1000).toFixed(1)} µs CPU/resource, ${f.violations} violations`
  );
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY; // "10000:single" etc., for profiling one size
  if (only) {
    const [n, layout] = only.split(":");
    const resources = stack(Number(n), layout === "single");
    for (let i = 0; i < 5; i++) {
      const row: string[] = [];
      const pack = process.env.BENCH_PACK
        ? await baselinePack(process.env.BENCH_PACK)
        : currentPolicies;
      for (const p of pack) {
        const c0 = process.cpuUsage();
        await validate(resources, [p]);
        const c = process.cpuUsage(c0);
        row.push(
          `${p.name.split("-").slice(-3).join("-")} ${((c.user + c.system) / 1000).toFixed(0)}`,
        );
      }
      console.log(`${only}: ${row.join(", ")} ms CPU`);
    }
    return;
  }
  const at = process.argv.indexOf("--baseline");
  const ref = at >= 0 ? process.argv[at + 1] : undefined;
  if (at >= 0 && !ref) throw new Error("--baseline needs a git ref (e.g. main)");
  const packs: (readonly PackPolicy[])[] = [currentPolicies];
  if (ref) packs.push(await baselinePack(ref));
  const figures: Figure[] = [];
  const baseline: Figure[] = [];
  for (const compact of [false, true]) {
    for (const n of SIZES) {
      const [f, b] = await measure(n, compact, packs);
      if (!f) continue;
      figures.push(f);
      console.log(line("current", f));
      if (b) {
        baseline.push(b);
        console.log(line("baseline", b));
        console.log(
          `${"".padEnd(9)} ratio current/baseline CPU: ${(f.medianCpuMs / b.medianCpuMs).toFixed(2)} (of the medians), ${f.pairedRatio?.toFixed(2)} (median of the ${f.runs} rounds' ratios)`,
        );
      }
    }
  }
  const perTenant = figures.filter((f) => f.layout === "namespace-per-tenant");
  const single = figures.filter((f) => f.layout === "single-namespace");
  const growth = {
    "namespace-per-tenant": exponent(perTenant),
    "single-namespace": exponent(single),
  };
  const tenK = figures.filter((f) => f.resources === 10_000);
  const tenKCpu = Math.max(...tenK.map((f) => f.medianCpuMs));
  const tenKWall = Math.max(...tenK.map((f) => f.medianMs));
  const load = os.loadavg().map((l) => Math.round(l * 10) / 10);
  console.log(
    `growth exponent 1k→50k, CPU (1 = linear, 2 = pairwise): per-tenant ${growth["namespace-per-tenant"]}, single namespace ${growth["single-namespace"]}`,
  );
  console.log(
    `10k resources: ${tenKCpu} ms CPU, ${tenKWall} ms wall (budget ${BUDGET_10K_MS} ms CPU); ` +
      `load average ${load.join(" ")} on ${os.cpus().length} CPUs`,
  );
  const result = {
    benchmark: "stack validation, all policies of the pack",
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpu: os.cpus()[0]?.model ?? "unknown",
      cpus: os.cpus().length,
      loadAverage: load,
    },
    policies: currentPolicies.map((p) => p.name),
    figures,
    ...(ref
      ? {
          baseline: {
            ref,
            figures: baseline,
            cpuRatio10k: Object.fromEntries(
              figures
                .filter((f) => f.resources === 10_000)
                .map((f) => {
                  const b = baseline.find(
                    (x) => x.resources === f.resources && x.layout === f.layout,
                  );
                  return [
                    f.layout,
                    b
                      ? {
                          ofMedians: Math.round((f.medianCpuMs / b.medianCpuMs) * 100) / 100,
                          pairedRounds: f.pairedRatio ?? null,
                        }
                      : null,
                  ];
                }),
            ),
          },
        }
      : {}),

    growthExponent: growth,
    budget: {
      resources: 10_000,
      cpuMs: BUDGET_10K_MS,
      worstMedianCpuMs: tenKCpu,
      worstMedianWallMs: tenKWall,
      ok: tenKCpu < BUDGET_10K_MS,
    },
  };
  const out = path.join(__dirname, "results", "stack-validation.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Written as the repository's formatter would, so `prettier --check` stays clean.
  const options = (await prettier.resolveConfig(out)) ?? {};
  fs.writeFileSync(
    out,
    await prettier.format(JSON.stringify(result), { ...options, parser: "json" }),
  );
  console.log(`saved ${path.relative(process.cwd(), out)}`);
  const worstGrowth = Math.max(growth["namespace-per-tenant"], growth["single-namespace"]);
  if (tenKCpu >= BUDGET_10K_MS || worstGrowth > MAX_EXPONENT) {
    console.error(
      `FAIL: 10k median ${tenKCpu} ms CPU (budget ${BUDGET_10K_MS}), growth exponent ${worstGrowth} (max ${MAX_EXPONENT})`,
    );
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
