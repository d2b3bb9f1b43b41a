// Benchmark: wall times of `pulumi preview` / `up` / no-change preview / `destroy` on the dev and
// prod stacks against the local cluster, several rounds side by side in one run; prints medians
// and saves every sample to bench/results/deploy.json. Usage: npm run bench:deploy [-- rounds]
import * as fs from "node:fs";
import * as path from "node:path";
import { median, must, ROOT, KUBECONFIG } from "../tests/e2e/support";

const rounds = Number(process.argv[2] ?? 3);
const pack =
  "--policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json";
const samples: Record<string, number[]> = {};
const time = (label: string, cmd: string, env: Record<string, string> = {}) => {
  const r = must(cmd, env, 900_000);
  (samples[label] ??= []).push(r.ms / 1000);
  console.log(`${label.padEnd(28)} ${(r.ms / 1000).toFixed(1)} s`);
};

const clusterStart =
  must("bash scripts/cluster.sh down && bash scripts/cluster.sh up", {}, 600_000).ms / 1000;
console.log(`cluster start (down, then up) ${clusterStart.toFixed(1)} s`);

const stacks = {
  dev: {
    flags: `--stack dev --config-file ${must("bash scripts/local-stack.sh dev").stdout.trim()}`,
    env: {},
  },
  prod: {
    flags: `--stack prod --config-file ${must("bash scripts/local-stack.sh prod").stdout.trim()}`,
    env: { KGENTS_KUBECONFIG: KUBECONFIG, KGENTS_KUBE_CONTEXT: "" },
  },
};
for (const [name, s] of Object.entries(stacks)) {
  must(`pulumi state unprotect --stack ${name} --all --yes || true`);
  must(`pulumi destroy ${s.flags} --yes --skip-preview`, s.env, 900_000);
}
// dev and prod share namespace names, so each round deploys one stack after the other.
for (let i = 0; i < rounds; i++) {
  for (const [name, s] of Object.entries(stacks)) {
    time(`${name} preview (empty stack)`, `pulumi preview ${s.flags} ${pack}`, s.env);
    // Static local PVs left Released by the last destroy become Available again (as in the e2e suites).
    must("bash scripts/cluster.sh up", {}, 600_000);
    time(`${name} up`, `pulumi up ${s.flags} --yes --skip-preview ${pack}`, s.env);
    time(
      `${name} preview (no changes)`,
      `pulumi preview ${s.flags} --expect-no-changes ${pack}`,
      s.env,
    );
    must(`pulumi state unprotect --stack ${name} --all --yes`);
    time(`${name} destroy`, `pulumi destroy ${s.flags} --yes --skip-preview`, s.env);
  }
}

const summary = Object.fromEntries(
  Object.entries(samples).map(([k, v]) => [
    k,
    { median_s: Number(median(v).toFixed(1)), samples_s: v.map((x) => Number(x.toFixed(1))) },
  ]),
);
console.log("\nmedians over", rounds, "rounds:");
for (const [k, v] of Object.entries(summary)) console.log(`  ${k.padEnd(28)} ${v.median_s} s`);
const out = path.join(ROOT, "bench", "results", "deploy.json");
fs.writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), rounds, clusterStart_s: Number(clusterStart.toFixed(1)), results: summary }, null, 2)}\n`,
);
console.log(`saved ${path.relative(ROOT, out)}`);
