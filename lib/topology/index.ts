// The shared vocabulary of the platform tier: tiers and namespaces, workloads and their ports,
// the label contract and the quorum rule. Defined here and nowhere else (a unit test scans the
// source for copies). Pure data, no Pulumi imports.
export * from "./labels";
export * from "./quorum";
export * from "./tiers";
export * from "./workloads";
