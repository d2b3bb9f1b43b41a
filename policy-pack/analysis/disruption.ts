// PodDisruptionBudget arithmetic, as the disruption controller computes it: percentages scale
// against the expected pod count and round UP (minAvailable 50% of 3 = 2; maxUnavailable 10%
// of 1 = 1). With every pod healthy, a budget allows `expected - minAvailable` evictions, or
// `maxUnavailable` of them.
import type { IntOrPercent, PdbObj, WorkloadObj } from "./resources";
// The platform's own quorum rule (lib/topology is Pulumi-free, like this core).
import { quorum } from "../../lib/topology/quorum";
import { matches } from "./selectors";
import { Unknown } from "./unknown";

export function scaled(v: IntOrPercent, expected: number): number {
  return v.kind === "int" ? v.value : Math.ceil((v.value * expected) / 100);
}

export function describeBudget(v: IntOrPercent): string {
  return v.kind === "int" ? String(v.value) : `${v.value}%`;
}

/**
 * Pods the budget keeps available when `expected` pods exist and all are healthy, or `undefined`
 * when the budget sets neither field (it then protects nothing) or either is unknown.
 */
export function keptAvailable(pdb: PdbObj, expected: number): number | undefined {
  if (pdb.maxUnavailable instanceof Unknown || pdb.minAvailable instanceof Unknown)
    return undefined;
  if (pdb.maxUnavailable !== undefined) {
    return Math.max(0, expected - scaled(pdb.maxUnavailable, expected));
  }
  if (pdb.minAvailable !== undefined) return scaled(pdb.minAvailable, expected);
  return undefined;
}

/**
 * Why the budget can never allow a voluntary eviction, or undefined if it can.
 * `expected` is the number of pods it covers, when known (undefined for DaemonSets).
 */
export function blocksAllEvictions(pdb: PdbObj, expected: number | undefined): string | undefined {
  const mu = pdb.maxUnavailable;
  const ma = pdb.minAvailable;
  if (mu instanceof Unknown || ma instanceof Unknown) return undefined;
  if (mu !== undefined) {
    if (mu.value === 0) return `maxUnavailable is ${describeBudget(mu)}`;
    return undefined;
  }
  if (ma === undefined) return undefined;
  if (ma.kind === "percent" && ma.value >= 100) return `minAvailable is ${describeBudget(ma)}`;
  if (expected === undefined || expected === 0) return undefined;
  const keep = scaled(ma, expected);
  if (keep >= expected) {
    const scaledNote = ma.kind === "percent" ? ` (${keep} of ${expected})` : "";
    return `minAvailable ${describeBudget(ma)}${scaledNote} is not below the ${expected} pod(s) it covers`;
  }
  return undefined;
}

/** Whether the PDB (same namespace assumed) selects the workload's pods. */
export function pdbCovers(pdb: PdbObj, w: WorkloadObj): boolean {
  if (pdb.selector instanceof Unknown || w.podLabels instanceof Unknown) return false;
  return matches(pdb.selector, w.podLabels);
}

/** Quorum of a Raft group of n peers (JetStream meta and R-n streams). */
export { quorum };
