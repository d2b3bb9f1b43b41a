// The gateway: its Kubernetes manifests (manifests.ts).
export * from "./manifests";
