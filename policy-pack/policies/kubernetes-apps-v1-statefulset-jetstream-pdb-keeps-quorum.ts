// Advisory: the PodDisruptionBudget of a NATS JetStream StatefulSet must keep a Raft quorum.
import { type JetStreamQuorumConfig, checkJetStreamQuorum } from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { NATS_JETSTREAM, URLS } from "../support/frameworks";
import { quorumFormula } from "../../lib/topology/quorum";

type Config = CommonConfig & JetStreamQuorumConfig;

export const jetStreamPdbKeepsQuorum = definePolicy<Config>({
  name: "kubernetes-apps-v1-statefulset-jetstream-pdb-keeps-quorum",
  description: `The PodDisruptionBudget of a NATS JetStream StatefulSet of n servers must keep at least ${quorumFormula()} available, or a drain can stop replicated streams from accepting writes.`,
  enforcementLevel: "advisory",
  severity: "high",
  framework: NATS_JETSTREAM,
  remediationSteps: [
    `1. Set the budget's minAvailable to ${quorumFormula()} (2 of 3, 3 of 5), or maxUnavailable to n minus that.`,
    "2. Keep the budget's selector on the StatefulSet's stable selector labels.",
  ].join("\n"),
  url: URLS.jetstream,
  tags: ["kubernetes", "availability", "nats", "jetstream"],
  defaults: { failClosedOnUnknown: false, exemptNamespaces: [] },
  config: {
    images: {
      type: "array",
      items: { type: "string" },
      uniqueItems: true,
      default: ["nats", "nats-server"],
      description:
        "Image names (without registry, path or tag) of NATS servers. A StatefulSet counts as JetStream when such a container runs with -js/--jetstream or mounts a ConfigMap/Secret with a `jetstream` block.",
    },
    assumeJetStream: {
      type: "boolean",
      default: false,
      description:
        "Treat every NATS server StatefulSet as JetStream without looking for the setting.",
    },
  },
  check: checkJetStreamQuorum,
  reads: ["Workload", "PodDisruptionBudget", "ConfigMap", "Secret"],
});
