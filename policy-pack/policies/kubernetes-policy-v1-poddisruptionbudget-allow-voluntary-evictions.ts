// Advisory: a PodDisruptionBudget that can never allow an eviction (maxUnavailable 0,
// minAvailable 100% or at least the replica count) blocks every drain.
import { checkPdbAllowsEviction } from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { K8S_DISRUPTIONS, URLS } from "../support/frameworks";
import { quorumFormula } from "../../lib/topology/quorum";

export const pdbAllowsVoluntaryEvictions = definePolicy<CommonConfig>({
  name: "kubernetes-policy-v1-poddisruptionbudget-allow-voluntary-evictions",
  description:
    "A PodDisruptionBudget must leave room for at least one voluntary eviction: not maxUnavailable 0, not minAvailable 100%, not a minAvailable at or above the replicas it covers.",
  enforcementLevel: "advisory",
  severity: "medium",
  framework: K8S_DISRUPTIONS,
  remediationSteps: [
    "1. Prefer maxUnavailable: 1 for small or single-replica workloads.",
    `2. Keep minAvailable below the number of replicas the budget covers (for quorum systems: ${quorumFormula()}).`,
    "3. If a workload truly must never be evicted, say so with an exemption and plan drains by hand.",
  ].join("\n"),
  url: URLS.disruptions,
  tags: ["kubernetes", "availability", "pod-disruption-budget"],
  defaults: { failClosedOnUnknown: false, exemptNamespaces: [] },
  config: {},
  check: checkPdbAllowsEviction,
  reads: ["PodDisruptionBudget", "Workload"],
});
