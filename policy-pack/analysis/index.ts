// The pack's pure analysis core: no Pulumi imports, usable on plain objects.
export * from "./unknown";
export * from "./selectors";
export * from "./cidr";
export * from "./resources";
export * from "./stack-index";
export * from "./isolation";
export * from "./disruption";
export * from "./jetstream";
export * from "./checks";
