// Redis: redis.conf rendering (conf.ts) and the store's Kubernetes manifests (manifests.ts).
export * from "./conf";
export * from "./manifests";
