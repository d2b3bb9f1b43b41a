// The data tier's PriorityClass (see manifests.ts).
export * from "./manifests";
