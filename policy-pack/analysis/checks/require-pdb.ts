// Every StatefulSet above a replica threshold needs a PodDisruptionBudget in its own namespace
// whose selector matches its pod template labels.
import type { PdbObj } from "../resources";
import { SelectorIndex, describeLabels, describeSelector, matches } from "../selectors";
import type { StackIndex } from "../stack-index";
import { Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";

export interface RequirePdbConfig {
  /** StatefulSets with at least this many replicas need a budget. */
  readonly minReplicas: number;
  readonly exemptNamespaces: readonly string[];
  /** `namespace/name` of StatefulSets left alone. */
  readonly exemptStatefulSets: readonly string[];
}

export function checkRequirePdb(idx: StackIndex, cfg: RequirePdbConfig): Finding[] {
  const out: Finding[] = [];
  const exemptNs = new Set(cfg.exemptNamespaces);
  const exemptSts = new Set(cfg.exemptStatefulSets);
  const pdbs = idx.pdbs;
  const perNs = new Map<string, { index: SelectorIndex<PdbObj>; unknown?: Unknown }>();
  const inNamespace = (ns: string): { index: SelectorIndex<PdbObj>; unknown?: Unknown } => {
    let e = perNs.get(ns);
    if (!e) {
      e = { index: new SelectorIndex<PdbObj>() };
      for (const p of pdbs.in(ns)) {
        if (p.selector instanceof Unknown) e.unknown ??= p.selector;
        else e.index.add(p.selector, p);
      }
      perNs.set(ns, e);
    }
    return e;
  };
  let global: SelectorIndex<PdbObj> | undefined;
  const elsewhere = (labels: Record<string, string>, ns: string): string[] => {
    if (!global) {
      global = new SelectorIndex<PdbObj>();
      for (const p of pdbs.all) if (!(p.selector instanceof Unknown)) global.add(p.selector, p);
    }
    return global
      .query(labels)
      .filter((p) => p.namespace !== ns)
      .map(describeRef);
  };
  const floatingPdb = pdbs.unknownNamespace[0]?.namespace;

  for (const sts of idx.workloads.all) {
    if (sts.workloadKind !== "StatefulSet") continue;
    const what = (): string => `that ${describeRef(sts)} has a matching PodDisruptionBudget`;
    if (sts.namespace instanceof Unknown) {
      out.push(unknownFinding(sts.urn, what, sts.namespace));
      continue;
    }
    const ns = sts.namespace;
    if (exemptNs.has(ns)) continue;
    if (!(sts.name instanceof Unknown) && exemptSts.has(`${ns}/${sts.name}`)) continue;
    if (typeof sts.replicas === "number" && sts.replicas < cfg.minReplicas) continue;
    if (sts.podLabels instanceof Unknown) {
      out.push(unknownFinding(sts.urn, what, sts.podLabels));
      continue;
    }
    const { index, unknown } = inNamespace(ns);
    if (index.query(sts.podLabels).length > 0) continue;
    const u =
      unknown ??
      (sts.replicas instanceof Unknown ? sts.replicas : undefined) ??
      (floatingPdb instanceof Unknown ? floatingPdb : undefined);
    if (u) {
      out.push(unknownFinding(sts.urn, what, u));
      continue;
    }
    const hints: string[] = [];
    for (const p of pdbs.in(ns).slice(0, 3)) {
      if (p.selector instanceof Unknown || matches(p.selector, sts.podLabels)) continue;
      hints.push(
        `${describeRef(p)} selects ${describeSelector(p.selector)}, which these labels do not satisfy`,
      );
    }
    const other = elsewhere(sts.podLabels, ns);
    if (other.length > 0) {
      hints.push(
        `${other.slice(0, 3).join(", ")} would match but a budget only covers pods of its own namespace`,
      );
    }
    out.push({
      urn: sts.urn,
      message:
        `${describeRef(sts)} (${typeof sts.replicas === "number" ? sts.replicas : "?"} replicas) has no PodDisruptionBudget in namespace ` +
        `${ns} whose selector matches its pod template labels ${describeLabels(sts.podLabels)}: ` +
        `a node drain may evict all of its pods at once.` +
        (hints.length > 0 ? ` ${hints.join("; ")}.` : ""),
    });
  }
  return out;
}
