// `npm run connectivity -- <stack> [--live] [--manifests DIR] [--out DIR]`
//
// Proves that the stack's NetworkPolicies allow exactly the flow table: every (source workload ->
// destination workload : port/protocol) is decided by our core (lib/connectivity, on the policy
// pack's analysis core) and by Cyclonus' matcher, then compared with the flow table. Prints the
// report (Markdown) and exits 1 on any difference: allowed but not intended, intended but
// blocked, or the two analyzers disagreeing. Exit 2: bad input or a tool failure.
//
// Objects: by default the stack is rendered (`npm run render -- <stack> <tmp>`, no cluster);
// --manifests reads an existing directory of YAML instead; --live reads the running cluster of
// the stack (kubeconfig/kubeContext of the stack, KGENTS_KUBECONFIG / KGENTS_KUBE_CONTEXT
// override them as for the program). --out DIR writes <stack>.md and <stack>.svg there.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { flowTable } from "../lib/flows";
import { TIERS, tierNamespace } from "../lib/topology";
import {
  analyze,
  hasDifferences,
  renderMarkdown,
  withSecondOpinion,
} from "../lib/connectivity/report";
import { renderSvg } from "../lib/connectivity/svg";
import { askCyclonus } from "./connectivity/cyclonus";
import { liveObjects } from "./connectivity/live";
import { readManifests, writeManifests } from "./connectivity/manifests";
import { REPO_ROOT, loadStackConfig } from "./connectivity/stack";

interface Args {
  stack: string;
  live: boolean;
  manifests?: string;
  out?: string;
}

const USAGE = "usage: npm run connectivity -- <stack> [--live | --manifests DIR] [--out DIR]";

function parseArgs(argv: string[]): Args {
  let stack: string | undefined;
  let live = false;
  let manifests: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--live") live = true;
    else if (a === "--manifests" || a === "--out") {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--"))
        throw new Error(`${a} needs a directory\n${USAGE}`);
      if (a === "--manifests") manifests = resolve(v);
      else out = resolve(v);
    } else if (a.startsWith("--")) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (stack === undefined) stack = a;
    else throw new Error(`unexpected argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  if (stack === undefined) throw new Error(USAGE);
  if (live && manifests) throw new Error(`--live and --manifests exclude each other\n${USAGE}`);
  return { stack, live, ...(manifests ? { manifests } : {}), ...(out ? { out } : {}) };
}

function render(stack: string, dir: string): void {
  const r = spawnSync("npm", ["run", "--silent", "render", "--", stack, dir], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "inherit", "pipe"],
  });
  if (r.status !== 0) {
    throw new Error(
      `npm run render -- ${stack} ${dir} failed (exit ${String(r.status)}): ${r.stderr}`,
    );
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const cfg = loadStackConfig(args.stack);
  const flows = flowTable({
    ingressNamespace: cfg.ingressNamespace,
    gatewayPort: cfg.gatewayPort,
    extraFlows: cfg.extraFlows,
  });
  const work = mkdtempSync(join(tmpdir(), "kgents-connectivity-"));
  try {
    let dir: string;
    let objects;
    let origin: string;
    if (args.live) {
      const kubeconfig = process.env.KGENTS_KUBECONFIG ?? cfg.kubeconfig;
      const context = process.env.KGENTS_KUBE_CONTEXT ?? cfg.kubeContext;
      objects = await liveObjects(
        { kubeconfig: kubeconfig ? resolve(REPO_ROOT, kubeconfig) : "", context },
        TIERS.map((t) => tierNamespace(cfg.namespacePrefix, t)),
      );
      // Cyclonus reads the very objects our core reads.
      dir = join(work, "live");
      writeManifests(objects, dir);
      origin = "live cluster objects";
    } else if (args.manifests) {
      dir = args.manifests;
      objects = readManifests(dir);
      // the folder's own name only: reports may be checked in, machine paths must not be
      origin = `manifests folder ${basename(args.manifests)}`;
    } else {
      dir = join(work, "rendered");
      render(args.stack, dir);
      objects = readManifests(dir);
      origin = "rendered objects (npm run render)";
    }
    const ours = analyze({
      title: `Connectivity of stack ${args.stack} (${origin})`,
      objects,
      flows,
      namespacePrefix: cfg.namespacePrefix,
    });
    const report = withSecondOpinion(
      ours,
      "Cyclonus v0.5.6 (pkg/matcher)",
      askCyclonus(
        dir,
        ours.cells.map((c) => c.query),
      ),
    );
    const md = renderMarkdown(report);
    process.stdout.write(md);
    if (args.out) {
      mkdirSync(args.out, { recursive: true });
      const suffix = args.live ? "-live" : "";
      writeFileSync(join(args.out, `${args.stack}${suffix}.md`), md);
      writeFileSync(join(args.out, `${args.stack}${suffix}.svg`), renderSvg(report));
    }
    return hasDifferences(report) ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`connectivity: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
