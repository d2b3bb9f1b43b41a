// NATS: nats.conf rendering (conf.ts) and the cluster's Kubernetes manifests (manifests.ts).
export * from "./conf";
export * from "./manifests";
