// Every StatefulSet above a replica threshold needs exactly one working PodDisruptionBudget in
// its own namespace of its own cluster, judged against the pods the StatefulSet really creates
// (template labels plus the controller's `statefulset.kubernetes.io/pod-name`,
// `apps.kubernetes.io/pod-index`, `controller-revision-hash`):
// - every pod is selected by a budget, and by one only (the eviction API refuses to evict a pod
//   that two budgets select, so a drain hangs);
// - the budget protects something (keeps at least one of two or more pods; sets minAvailable or
//   maxUnavailable) and does not block every eviction.
//
// `pdbResourceFindings` is what a budget shows on its own (minAvailable 0, maxUnavailable 100%,
// neither field), run as a resource policy too.
import { quorumFormula } from "../../../lib/topology/quorum";
import { blocksAllEvictions, describeBudget, keptAvailable } from "../disruption";
import { type PdbObj, namesOrdinals, podNames, podShapes } from "../resources";
import { SelectorIndex, describeLabels, describeSelector, matches } from "../selectors";
import type { StackIndex } from "../stack-index";
import { scopeKey } from "../stack-index";
import { Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";
import { impostorFinding } from "./default-deny";
import { type NamespacePods, podsByNamespace } from "./pods";
import { opaqueFindings } from "./unreadable";

export interface RequirePdbConfig {
  /** StatefulSets with at least this many replicas need a budget. */
  readonly minReplicas: number;
  readonly exemptNamespaces: readonly string[];
  /** `namespace/name` of StatefulSets left alone. */
  readonly exemptStatefulSets: readonly string[];
  /** Pulumi names (`type::name`) of resources whose objects the pack cannot read, accepted. */
  readonly acknowledgedUnreadable: readonly string[];
}

/** Why a budget protects nothing whatever it covers, or undefined. */
export function protectsNothing(pdb: PdbObj): string | undefined {
  const mu = pdb.maxUnavailable;
  const ma = pdb.minAvailable;
  if (mu instanceof Unknown || ma instanceof Unknown) return undefined;
  if (mu === undefined && ma === undefined) {
    return "it sets neither minAvailable nor maxUnavailable, so the disruption controller keeps no pod";
  }
  if (mu !== undefined && mu.kind === "percent" && mu.value >= 100) {
    return `maxUnavailable ${describeBudget(mu)} lets every pod go at once`;
  }
  if (mu === undefined && ma !== undefined && ma.value === 0) {
    return `minAvailable ${describeBudget(ma)} keeps no pod`;
  }
  return undefined;
}

/** What one budget shows on its own; `idx` holds just that resource. */
export function pdbResourceFindings(idx: StackIndex, cfg: RequirePdbConfig): Finding[] {
  const exempt = new Set(cfg.exemptNamespaces);
  const out: Finding[] = opaqueFindings(idx, cfg.acknowledgedUnreadable, "resource");
  for (const pdb of idx.pdbs.all) {
    if (typeof pdb.namespace === "string" && exempt.has(pdb.namespace)) continue;
    for (const v of [pdb.minAvailable, pdb.maxUnavailable]) {
      if (v instanceof Unknown) {
        out.push(unknownFinding(pdb.urn, `that ${describeRef(pdb)} protects its pods`, v));
        break;
      }
    }
    const why = protectsNothing(pdb);
    if (why) {
      out.push({
        urn: pdb.urn,
        message: `${describeRef(pdb)} protects nothing: ${why}. Set minAvailable to ${quorumFormula()} for a quorum, or maxUnavailable: 1.`,
      });
    }
  }
  return out;
}

interface Scope {
  index: SelectorIndex<PdbObj>;
  unknown?: Unknown;
  /** Pods of every workload of the scope, to count what each budget covers. */
  pods: NamespacePods;
  /** Pods each budget covers (undefined: a count is unknown), computed once per budget. */
  expected: Map<PdbObj, number | undefined>;
  /** Some budget here names StatefulSet ordinals: judge each pod on its own. */
  perOrdinal: boolean;
}

export function checkRequirePdb(idx: StackIndex, cfg: RequirePdbConfig): Finding[] {
  const out: Finding[] = [];
  const exemptNs = new Set(cfg.exemptNamespaces);
  const exemptSts = new Set(cfg.exemptStatefulSets);
  const pdbs = idx.pdbs;

  for (const r of idx.impostors) {
    if (/:(StatefulSet|PodDisruptionBudget)(Patch)?$/.test(r.type)) out.push(impostorFinding(r));
  }
  out.push(...opaqueFindings(idx, cfg.acknowledgedUnreadable, "stack"));
  for (const p of pdbs.all) {
    if (!p.externalPatch || (typeof p.namespace === "string" && exemptNs.has(p.namespace)))
      continue;
    out.push({
      urn: p.urn,
      message:
        `${describeRef(p)} patches a PodDisruptionBudget this stack does not declare: its selector ` +
        `and budget may be set elsewhere, so the pack cannot tell which pods it covers or whether it ` +
        `overlaps this stack's budgets. Declare the budget in the stack.`,
    });
  }

  const scopes = new Map<string, Scope>();
  const pods = podsByNamespace(idx);
  const scopeOf = (cluster: string, ns: string): Scope => {
    const k = scopeKey(cluster, ns);
    let e = scopes.get(k);
    if (!e) {
      const here = pdbs.in(ns, cluster);
      e = {
        index: new SelectorIndex<PdbObj>(),
        pods: pods(ns, cluster),
        expected: new Map(),
        perOrdinal: here.some((p) => namesOrdinals(p.selector)),
      };
      for (const p of here) {
        if (p.selector instanceof Unknown) e.unknown ??= p.selector;
        else e.index.add(p.selector, p);
      }
      scopes.set(k, e);
    }
    return e;
  };
  const floatingPdb = pdbs.unknownNamespace[0]?.namespace;

  for (const sts of idx.workloads.all) {
    if (sts.workloadKind !== "StatefulSet") continue;
    const what = (): string => `that ${describeRef(sts)} has a working PodDisruptionBudget`;
    if (sts.namespace instanceof Unknown) {
      out.push(unknownFinding(sts.urn, what, sts.namespace));
      continue;
    }
    const ns = sts.namespace;
    if (exemptNs.has(ns)) continue;
    if (!(sts.name instanceof Unknown) && exemptSts.has(`${ns}/${sts.name}`)) continue;
    if (typeof sts.replicas === "number" && sts.replicas < cfg.minReplicas) continue;
    if (sts.externalPatch) {
      out.push({
        urn: sts.urn,
        message:
          `${describeRef(sts)} patches a StatefulSet this stack does not declare: its pods and ` +
          `their budget are invisible to the pack. Declare the StatefulSet in the stack, or exempt ` +
          `it with exemptStatefulSets.`,
      });
      continue;
    }
    const shapes = podShapes(sts, scopeOf(sts.cluster, ns).perOrdinal);
    if (shapes instanceof Unknown) {
      out.push(unknownFinding(sts.urn, what, shapes));
      continue;
    }
    const scope = scopeOf(sts.cluster, ns);
    const perPod = shapes.map((s) => ({ pod: s, budgets: scope.index.query(s.labels) }));
    const covered = perPod.filter((p) => p.budgets.length > 0);
    const u = scope.unknown ?? (floatingPdb instanceof Unknown ? floatingPdb : undefined);
    const replicasText = `${shapes.reduce((a, s) => a + (s.count ?? 0), 0)} replicas`;
    const templateLabels = sts.podLabels instanceof Unknown ? {} : sts.podLabels;
    if (covered.length === 0) {
      if (u) {
        out.push(unknownFinding(sts.urn, what, u));
        continue;
      }
      const hints: string[] = [];
      for (const p of pdbs.in(ns, sts.cluster).slice(0, 3)) {
        if (p.selector instanceof Unknown) continue;
        hints.push(
          matches(p.selector, templateLabels)
            ? `${describeRef(p)} selects ${describeSelector(p.selector)}, which the template satisfies but no pod does once the controller adds its labels`
            : `${describeRef(p)} selects ${describeSelector(p.selector)}, which these labels do not satisfy`,
        );
      }
      for (const p of pdbs.all) {
        if (hints.length >= 4) break;
        if (p.selector instanceof Unknown || !matches(p.selector, templateLabels)) continue;
        if (p.namespace === ns && p.cluster === sts.cluster) continue;
        hints.push(
          p.cluster !== sts.cluster && p.namespace === ns
            ? `${describeRef(p)} would match but goes to another cluster (another provider)`
            : `${describeRef(p)} would match but a budget only covers pods of its own namespace`,
        );
      }
      out.push({
        urn: sts.urn,
        message:
          `${describeRef(sts)} (${replicasText}) has no PodDisruptionBudget in namespace ${ns} ` +
          `whose selector matches its pods ${describeLabels(templateLabels)}: a node drain may ` +
          `evict all of its pods at once.` +
          (hints.length > 0 ? ` ${hints.join("; ")}.` : ""),
      });
      continue;
    }
    const problems: string[] = [];
    const uncovered = perPod.filter((p) => p.budgets.length === 0);
    if (uncovered.length > 0) {
      problems.push(
        `no budget selects pod(s) ${uncovered.flatMap((p) => podNames(p.pod)).join(", ")} (only ${covered.length} of ${perPod.length} are covered)`,
      );
    }
    const overlapping = perPod.filter((p) => p.budgets.length > 1);
    if (overlapping.length > 0) {
      const names = [...new Set(overlapping.flatMap((p) => p.budgets.map(describeRef)))];
      problems.push(
        `pod(s) ${overlapping.flatMap((p) => podNames(p.pod)).join(", ")} are selected by ${names.join(" and ")}: ` +
          `the eviction API refuses to evict a pod that several budgets select, so a drain hangs`,
      );
    }
    let unknownBudget: Unknown | undefined;
    for (const b of new Set(covered.flatMap((p) => p.budgets))) {
      if (b.minAvailable instanceof Unknown || b.maxUnavailable instanceof Unknown) {
        unknownBudget ??=
          b.minAvailable instanceof Unknown ? b.minAvailable : (b.maxUnavailable as Unknown);
        continue;
      }
      const nothing = protectsNothing(b);
      if (nothing) {
        problems.push(`${describeRef(b)} protects nothing: ${nothing}`);
        continue;
      }
      // Pods this budget covers across every workload of the namespace.
      let expected: number | undefined;
      if (scope.expected.has(b)) expected = scope.expected.get(b);
      else {
        expected = 0;
        if (!(b.selector instanceof Unknown)) {
          for (const pod of scope.pods.query(b.selector)) {
            expected =
              pod.count === undefined || expected === undefined ? undefined : expected + pod.count;
          }
        }
        scope.expected.set(b, expected);
      }
      if (expected === undefined) continue;
      const kept = keptAvailable(b, expected);
      if (kept !== undefined && kept === 0 && expected >= 2) {
        problems.push(
          `${describeRef(b)} keeps 0 of the ${expected} pods it covers available: it protects nothing`,
        );
        continue;
      }
      const blocks = blocksAllEvictions(b, expected);
      if (blocks) problems.push(`${describeRef(b)} can never allow an eviction: ${blocks}`);
    }
    if (problems.length === 0) {
      if (unknownBudget) out.push(unknownFinding(sts.urn, what, unknownBudget));
      else if (u) out.push(unknownFinding(sts.urn, what, u));
      continue;
    }
    out.push({
      urn: sts.urn,
      message:
        `${describeRef(sts)} (${replicasText}) has no working PodDisruptionBudget: ` +
        `${problems.join("; ")}. Give it exactly one budget selecting its stable selector labels, ` +
        `with minAvailable below its replicas (${quorumFormula()} for a quorum) or maxUnavailable: 1.`,
    });
  }
  return out;
}
