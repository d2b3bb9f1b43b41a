// Turns a builder's manifest (a plain @kubernetes/client-node object) into the args of the
// matching Pulumi resource. The two type families describe the same JSON; they differ only in
// fields the API server sets (timestamps typed `Date` in client-node), which builders never set.
export function args<T>(manifest: object): T {
  return manifest as T;
}
