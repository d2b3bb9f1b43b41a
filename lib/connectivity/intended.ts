// The flow table expanded to the report's grain: which (source workload -> destination workload
// : port/protocol) the flow table intends, and through which flow.
import type { Flow } from "../flows";
import type { Protocol } from "./policy-engine";
import { type WorkloadNode, endpointCovers } from "./workloads";

export interface PortProbe {
  readonly port: number;
  readonly protocol: Protocol;
}

/** The flows of the table that intend this traffic (empty: not intended). */
export function intendedBy(
  flows: readonly Flow[],
  prefix: string,
  src: WorkloadNode,
  dst: WorkloadNode,
  probe: PortProbe,
): string[] {
  return flows
    .filter(
      (f) =>
        f.ports.some((p) => p.port === probe.port && p.protocol === probe.protocol) &&
        endpointCovers(f.to, dst, prefix) &&
        f.from.some((ep) => endpointCovers(ep, src, prefix)),
    )
    .map((f) => f.name);
}
