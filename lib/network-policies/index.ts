// NetworkPolicy manifests from the flow table (see manifests.ts).
export * from "./manifests";
