// Advisory: PodDisruptionBudget and NetworkPolicy selectors that match no pod template of the
// stack in their namespace: usually a typo or a label renamed on one side only, leaving pods
// unprotected while the stack looks compliant.
import { type Rule } from "../resources";
import { type Selector, describeSelector, selectsEverything } from "../selectors";
import type { StackIndex } from "../stack-index";
import { type Maybe, Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";
import type { NamespaceExemptions } from "./pdb-allows-eviction";
import { type NamespacePods, podsByNamespace } from "./pods";

function noMatch(
  urn: string,
  what: () => string,
  label: string,
  sel: Maybe<Selector>,
  ns: string,
  pods: NamespacePods,
): Finding | undefined {
  if (sel instanceof Unknown) return unknownFinding(urn, what, sel);
  if (sel.kind === "nothing") {
    return { urn, message: `${label} selects no pods: ${sel.reason}.` };
  }
  if (pods.query(sel).length > 0) return undefined;
  if (pods.unknown) return unknownFinding(urn, what, pods.unknown);
  return {
    urn,
    message:
      `${label} ${describeSelector(sel)} matches no pod template in namespace ${ns} ` +
      `(${pods.workloads} workload(s) of the stack there, judged with the labels their controllers add): check the labels on both sides.`,
  };
}

export function checkPdbSelectorMatches(idx: StackIndex, cfg: NamespaceExemptions): Finding[] {
  const exempt = new Set(cfg.exemptNamespaces);
  const pods = podsByNamespace(idx);
  const out: Finding[] = [];
  for (const pdb of idx.pdbs.all) {
    const what = (): string => `that the selector of ${describeRef(pdb)} matches pods`;
    if (pdb.namespace instanceof Unknown) {
      out.push(unknownFinding(pdb.urn, what, pdb.namespace));
      continue;
    }
    if (exempt.has(pdb.namespace)) continue;
    const f = noMatch(
      pdb.urn,
      what,
      `${describeRef(pdb)}: selector`,
      pdb.selector,
      pdb.namespace,
      pods(pdb.namespace, pdb.cluster),
    );
    if (f) out.push(f);
  }
  return out;
}

export function checkNetworkPolicySelectorMatches(
  idx: StackIndex,
  cfg: NamespaceExemptions,
): Finding[] {
  const exempt = new Set(cfg.exemptNamespaces);
  const pods = podsByNamespace(idx);
  const out: Finding[] = [];
  for (const np of idx.networkPolicies.all) {
    const what = (): string => `that the selectors of ${describeRef(np)} match pods`;
    if (np.namespace instanceof Unknown) {
      out.push(unknownFinding(np.urn, what, np.namespace));
      continue;
    }
    const ns = np.namespace;
    if (exempt.has(ns)) continue;
    const here = pods(ns, np.cluster);
    // spec.podSelector: `{}` is meant to cover every pod, present or future; never flagged.
    if (np.podSelector instanceof Unknown || !selectsEverything(np.podSelector)) {
      const f = noMatch(
        np.urn,
        what,
        `${describeRef(np)}: spec.podSelector`,
        np.podSelector,
        ns,
        here,
      );
      if (f) out.push(f);
    }
    // Peers that name pods of this namespace only (podSelector without namespaceSelector/ipBlock).
    for (const rules of [np.ingress, np.egress]) {
      if (rules instanceof Unknown) {
        out.push(unknownFinding(np.urn, what, rules));
        continue;
      }
      for (const r of (rules ?? []) as Maybe<Rule>[]) {
        if (r instanceof Unknown || r.peers instanceof Unknown) {
          out.push(unknownFinding(np.urn, what, r instanceof Unknown ? r : (r.peers as Unknown)));
          continue;
        }
        for (const p of r.peers) {
          if (p instanceof Unknown) {
            out.push(unknownFinding(np.urn, what, p));
            continue;
          }
          if (
            p.podSelector === undefined ||
            p.namespaceSelector !== undefined ||
            p.ipBlock !== undefined
          )
            continue;
          if (!(p.podSelector instanceof Unknown) && selectsEverything(p.podSelector)) continue;
          const f = noMatch(
            np.urn,
            what,
            `${describeRef(np)}: ${p.path}.podSelector`,
            p.podSelector,
            ns,
            here,
          );
          if (f) out.push(f);
        }
      }
    }
  }
  return out;
}
