// The real-server harness: a NATS JetStream cluster and a Redis, both on loopback and fed the
// configuration the program generates. Used by tests/servers and by plain scripts (no vitest).
export * from "./binaries";
export * from "./nats-cluster";
export * from "./ports";
export * from "./process";
export * from "./redis-server";

export * from "./jetstream";
export * from "./data-tier";
export * from "./faultfs";
export * from "./netns";
export * from "./fault-cluster";
