// Every policy of the pack, mandatory ones first.
import type { PackPolicy } from "../support/define";
import { requirePodDisruptionBudget } from "./kubernetes-apps-v1-statefulset-require-pod-disruption-budget";
import { jetStreamPdbKeepsQuorum } from "./kubernetes-apps-v1-statefulset-jetstream-pdb-keeps-quorum";
import { requireDefaultDenyNetworkPolicy } from "./kubernetes-core-v1-namespace-require-default-deny-network-policy";
import { namespaceSelectorImmutableLabel } from "./kubernetes-networking-v1-networkpolicy-namespace-selector-immutable-label";
import { networkPolicySelectorMatchesPods } from "./kubernetes-networking-v1-networkpolicy-selector-matches-pods";
import { pdbAllowsVoluntaryEvictions } from "./kubernetes-policy-v1-poddisruptionbudget-allow-voluntary-evictions";
import { pdbSelectorMatchesPods } from "./kubernetes-policy-v1-poddisruptionbudget-selector-matches-pods";

export const policies: readonly PackPolicy[] = [
  requireDefaultDenyNetworkPolicy,
  requirePodDisruptionBudget,
  pdbAllowsVoluntaryEvictions,
  pdbSelectorMatchesPods,
  networkPolicySelectorMatchesPods,
  jetStreamPdbKeepsQuorum,
  namespaceSelectorImmutableLabel,
];
