// Shared plumbing for the connectivity tests: the stacks' objects (program under mocks), object
// edits for mutations, and the real CLI run on a manifests directory (with Cyclonus).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../../lib/connectivity/objects";
import { type ConnectivityReport, withSecondOpinion } from "../../lib/connectivity/report";
import { askCyclonus } from "../../scripts/connectivity/cyclonus";
import { writeManifests } from "../../scripts/connectivity/manifests";
import { REPO_ROOT } from "../../scripts/connectivity/stack";

/** A deep copy with one NetworkPolicy's spec changed (throws if it does not exist). */
export function editPolicy(
  objects: readonly KubeObject[],
  namespace: string,
  name: string,
  edit: (spec: Record<string, unknown>) => void,
): KubeObject[] {
  let found = false;
  const out = structuredClone(objects) as KubeObject[];
  for (const o of out) {
    if (
      o.kind === "NetworkPolicy" &&
      o.metadata.namespace === namespace &&
      o.metadata.name === name
    ) {
      edit(o.spec as Record<string, unknown>);
      found = true;
    }
  }
  if (!found) throw new Error(`no NetworkPolicy ${namespace}/${name} to edit`);
  return out;
}

export function withoutPolicy(objects: readonly KubeObject[], namespace: string, name: string) {
  const out = objects.filter(
    (o) =>
      !(
        o.kind === "NetworkPolicy" &&
        o.metadata.namespace === namespace &&
        o.metadata.name === name
      ),
  );
  if (out.length !== objects.length - 1) throw new Error(`no NetworkPolicy ${namespace}/${name}`);
  return out;
}

export function policy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec,
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run connectivity -- <stack> --manifests <dir>` on the objects (real Cyclonus). */
export function runCli(
  stack: string,
  objects: readonly KubeObject[],
  extra: string[] = [],
): CliRun {
  const dir = mkdtempSync(join(tmpdir(), "kgents-conn-test-"));
  writeManifests(objects, dir);
  const r = spawnSync(
    "npx",
    ["tsx", "scripts/connectivity.ts", stack, "--manifests", dir, ...extra],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Where Cyclonus, asked the report's queries on the same objects, disagrees with our core. */
export function cyclonusDisagreements(
  objects: readonly KubeObject[],
  r: ConnectivityReport,
): string[] {
  const dir = mkdtempSync(join(tmpdir(), "kgents-conn-cyc-"));
  writeManifests(objects, dir);
  const answers = askCyclonus(
    dir,
    r.cells.map((c) => c.query),
  );
  const d = withSecondOpinion(r, "cyclonus", answers).secondOpinion?.disagreements ?? [];
  return d.map(
    (x) =>
      `${x.query.source.id} -> ${x.query.destination.id} ${x.query.probe.port}/${x.query.probe.protocol}: ours ${JSON.stringify(x.ours)} cyclonus ${JSON.stringify(x.theirs)}`,
  );
}
