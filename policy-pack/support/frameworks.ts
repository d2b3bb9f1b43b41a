// Compliance frameworks and upstream guidance the policies implement, cited in their metadata.
import type { PolicyComplianceFramework } from "@pulumi/policy";
import { quorumFormula } from "../../lib/topology/quorum";

/** CIS Kubernetes Benchmark 5.3.2: every namespace has NetworkPolicies (default-deny). */
export const CIS_5_3_2: PolicyComplianceFramework = {
  name: "CIS Kubernetes Benchmark",
  version: "1.9.0",
  reference: "5.3.2",
  specification: "Ensure that all Namespaces have Network Policies defined",
};

/** NSA/CISA Kubernetes Hardening Guidance, network separation section. */
export const NSA_CISA_NETWORK: PolicyComplianceFramework = {
  name: "NSA/CISA Kubernetes Hardening Guidance",
  version: "1.2",
  reference: "Network separation and hardening: Network policies",
  specification:
    "Use a default policy that denies all ingress and egress traffic, then allow only the traffic that is needed; select peers by labels that cannot be forged",
};

/** Upstream Kubernetes guidance on voluntary disruptions (not a compliance framework). */
export const K8S_DISRUPTIONS: PolicyComplianceFramework = {
  name: "Kubernetes upstream guidance",
  version: "policy/v1",
  reference: "Disruptions: Pod disruption budgets",
  specification:
    "Give replicated applications a PodDisruptionBudget matching their pods, one that still lets voluntary evictions proceed",
};

/** NATS JetStream clustering guidance (not a compliance framework). */
export const NATS_JETSTREAM: PolicyComplianceFramework = {
  name: "NATS JetStream clustering guidance",
  version: "2.x",
  reference: "JetStream clustering: Raft quorum",
  specification: `A JetStream cluster and its replicated streams need a quorum of ${quorumFormula()} servers to accept writes`,
};

export const URLS = {
  defaultDeny:
    "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
  networkPolicies: "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
  namespaceNameLabel:
    "https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name",
  pdb: "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
  disruptions: "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
  jetstream:
    "https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering",
} as const;
