// The quorum of a Raft group of n peers (JetStream's meta group and R-n streams): a drain may
// take servers only while this many stay up. The one definition, read by the config
// validation, the NATS disruption budget and the policy pack.

/** The formula as people read it, for messages: `floor(n/2)+1`, or with n filled in. */
export function quorumFormula(n: number | "n" = "n"): string {
  return `floor(${n}/2)+1`;
}

export function quorum(n: number): number {
  return Math.floor(n / 2) + 1;
}
