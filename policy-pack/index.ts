// Assembles the CrossGuard pack; the policies live in policies/, the logic in analysis/.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("kgents-platform", {
  description:
    "Default-deny namespaces and disruption budgets for Pulumi Kubernetes programs: mandatory network isolation and StatefulSet PodDisruptionBudgets, advisory budget and selector checks.",
  displayName: "kgents platform: isolation and disruption",
  provider: "kubernetes",
  tags: ["kubernetes", "network-policy", "pod-disruption-budget"],
  policies: [...policies],
});
