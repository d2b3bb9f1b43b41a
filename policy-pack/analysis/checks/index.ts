// The checks, one per policy, each a pure function of the stack index and its config.
export { type Finding, describeRef } from "./common";
export {
  type DefaultDenyConfig,
  checkDefaultDeny,
  defaultDenyResourceFindings,
} from "./default-deny";
export {
  type RequirePdbConfig,
  checkRequirePdb,
  pdbResourceFindings,
  protectsNothing,
} from "./require-pdb";
export { opaqueFindings } from "./unreadable";
export { type NamespaceExemptions, checkPdbAllowsEviction } from "./pdb-allows-eviction";
export { checkNetworkPolicySelectorMatches, checkPdbSelectorMatches } from "./selector-matches";
export { type JetStreamQuorumConfig, checkJetStreamQuorum } from "./jetstream-quorum";
export {
  type ImmutableLabelConfig,
  checkImmutableNamespaceLabel,
} from "./immutable-namespace-label";
