// Advisory: a JetStream StatefulSet of n servers needs a quorum of them up for its Raft
// groups (meta and R-n streams) to accept writes; its PodDisruptionBudget must keep that many.
import { describeBudget, keptAvailable, quorum } from "../disruption";
import { type JetStreamDetection, isJetStream } from "../jetstream";
import type { PdbObj } from "../resources";
import { SelectorIndex } from "../selectors";
import type { StackIndex } from "../stack-index";
import { Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";
import { quorumFormula } from "../../../lib/topology/quorum";

export interface JetStreamQuorumConfig extends JetStreamDetection {
  readonly exemptNamespaces: readonly string[];
}

function budgetText(p: PdbObj): string {
  if (p.maxUnavailable !== undefined && !(p.maxUnavailable instanceof Unknown)) {
    return `maxUnavailable ${describeBudget(p.maxUnavailable)}`;
  }
  if (p.minAvailable !== undefined && !(p.minAvailable instanceof Unknown)) {
    return `minAvailable ${describeBudget(p.minAvailable)}`;
  }
  return "no minAvailable or maxUnavailable";
}

export function checkJetStreamQuorum(idx: StackIndex, cfg: JetStreamQuorumConfig): Finding[] {
  const out: Finding[] = [];
  const exempt = new Set(cfg.exemptNamespaces);
  const perNs = new Map<string, SelectorIndex<PdbObj>>();
  for (const sts of idx.workloads.all) {
    if (sts.workloadKind !== "StatefulSet") continue;
    const what = (): string => `that the budget of ${describeRef(sts)} keeps a JetStream quorum`;
    const js = isJetStream(sts, idx, cfg);
    if (js instanceof Unknown) {
      out.push(unknownFinding(sts.urn, what, js));
      continue;
    }
    if (!js) continue;
    for (const v of [sts.namespace, sts.replicas, sts.podLabels]) {
      if (v instanceof Unknown) {
        out.push(unknownFinding(sts.urn, what, v));
        break;
      }
    }
    if (
      sts.namespace instanceof Unknown ||
      sts.podLabels instanceof Unknown ||
      typeof sts.replicas !== "number"
    ) {
      continue;
    }
    const ns = sts.namespace;
    const n = sts.replicas;
    if (exempt.has(ns) || n < 2) continue;
    const scope = `${sts.cluster}\u0000${ns}`;
    let index = perNs.get(scope);
    if (!index) {
      index = new SelectorIndex<PdbObj>();
      for (const p of idx.pdbs.in(ns, sts.cluster))
        if (!(p.selector instanceof Unknown)) index.add(p.selector, p);
      perNs.set(scope, index);
    }
    const budgets = index.query(sts.podLabels);
    // No budget at all is the mandatory StatefulSet policy's finding, not this one's.
    if (budgets.length === 0) continue;
    const q = quorum(n);
    let best: { pdb: PdbObj; kept: number } | undefined;
    let unknown: Unknown | undefined;
    for (const p of budgets) {
      if (p.minAvailable instanceof Unknown) unknown ??= p.minAvailable;
      if (p.maxUnavailable instanceof Unknown) unknown ??= p.maxUnavailable;
      const kept = keptAvailable(p, n) ?? 0;
      if (!best || kept > best.kept) best = { pdb: p, kept };
    }
    if (!best || best.kept >= q) continue;
    if (unknown) {
      out.push(unknownFinding(sts.urn, what, unknown));
      continue;
    }
    out.push({
      urn: sts.urn,
      message:
        `JetStream ${describeRef(sts)} runs ${n} servers and needs ${q} up to keep quorum, but ` +
        `${describeRef(best.pdb)} (${budgetText(best.pdb)}) keeps only ${best.kept} available: a ` +
        `drain may take ${n - best.kept} servers at once and R${n} streams stop accepting writes. ` +
        `Set minAvailable: ${q} (${quorumFormula()}).`,
    });
  }
  return out;
}
