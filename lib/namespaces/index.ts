// Namespace manifests of the tiers (see manifests.ts).
export * from "./manifests";
