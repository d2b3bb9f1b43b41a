// Advisory: a PodDisruptionBudget that can never allow a voluntary eviction blocks every node
// drain and cluster upgrade until someone deletes it.
import { blocksAllEvictions } from "../disruption";
import type { PdbObj } from "../resources";
import type { StackIndex } from "../stack-index";
import { Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";
import { podsByNamespace } from "./pods";

export interface NamespaceExemptions {
  readonly exemptNamespaces: readonly string[];
}

function checkOne(pdb: PdbObj, pods: ReturnType<typeof podsByNamespace>): Finding | undefined {
  const what = (): string => `that ${describeRef(pdb)} allows evictions`;
  for (const v of [pdb.namespace, pdb.selector, pdb.minAvailable, pdb.maxUnavailable]) {
    if (v instanceof Unknown) return unknownFinding(pdb.urn, what, v);
  }
  const ns = pdb.namespace as string;
  const selector = pdb.selector as Exclude<PdbObj["selector"], Unknown>;
  const here = pods(ns, pdb.cluster);
  const unknown = here.unknown;
  const coveredPods = here.query(selector);
  // Pods the budget counts: known for replica-counted workloads, not for DaemonSets or Jobs.
  let expected: number | undefined = coveredPods.length === 0 ? undefined : 0;
  for (const p of coveredPods) {
    if (p.workload.replicas instanceof Unknown) {
      return unknownFinding(pdb.urn, what, p.workload.replicas);
    }
    if (p.count === undefined || expected === undefined) expected = undefined;
    else expected += p.count;
  }
  const covered = [...new Set(coveredPods.map((p) => p.workload))];
  const why = blocksAllEvictions(pdb, expected);
  if (!why) return undefined;
  // A pod template with unknown labels might be covered too and change the count.
  if (unknown && expected !== undefined) return unknownFinding(pdb.urn, what, unknown);
  const who = covered.length > 0 ? ` (covers ${covered.map(describeRef).join(", ")})` : "";
  return {
    urn: pdb.urn,
    message:
      `${describeRef(pdb)} can never allow a voluntary eviction: ${why}${who}. Node drains and ` +
      `cluster upgrades will wait on its pods forever; use maxUnavailable: 1 (or a minAvailable ` +
      `below the replica count).`,
  };
}

export function checkPdbAllowsEviction(idx: StackIndex, cfg: NamespaceExemptions): Finding[] {
  const exempt = new Set(cfg.exemptNamespaces);
  const pods = podsByNamespace(idx);
  const out: Finding[] = [];
  for (const pdb of idx.pdbs.all) {
    if (typeof pdb.namespace === "string" && exempt.has(pdb.namespace)) continue;
    const f = checkOne(pdb, pods);
    if (f) out.push(f);
  }
  return out;
}
