// NatsCluster alone under mocks: its exact children (names, parents), the manifests it registers,
// credentials that travel only as secrets, rollout timeouts, and its outputs.
import { beforeAll, describe, expect, it } from "vitest";
import { NatsCluster } from "../../../components/nats-cluster";
import { NATS_DEFAULTS, natsStatefulSet } from "../../../lib/nats";
import {
  childrenOfComponent,
  mockSecretValue,
  kubernetesObjects,
  plainSecretLeaks,
  type ProgramRun,
  runUnderMocks,
} from "../../support/program";

describe("NatsCluster", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runUnderMocks(() => {
      const n = new NatsCluster("msg", {
        namespace: "ns-a",
        priorityClassName: "prio",
        replicas: 5,
        rolloutTimeoutMinutes: 7,
      });
      return { clientUrl: n.clientUrl, authSecretName: n.authSecretName };
    });
  });

  it("registers exactly its children, named after the component, parented to it", () => {
    expect(childrenOfComponent(run.resources)).toEqual([
      "kubernetes:apps/v1:StatefulSet::msg-statefulset",
      "kubernetes:core/v1:ConfigMap::msg-config",
      "kubernetes:core/v1:Secret::msg-auth",
      "kubernetes:core/v1:Secret::msg-routes",
      "kubernetes:core/v1:Service::msg-client",
      "kubernetes:core/v1:Service::msg-headless",
      "kubernetes:policy/v1:PodDisruptionBudget::msg-pdb",
      "pulumi-nodejs:dynamic/kgents:RandomSecret::msg-agents-password",
      "pulumi-nodejs:dynamic/kgents:RandomSecret::msg-gateway-password",
      "pulumi-nodejs:dynamic/kgents:RandomSecret::msg-route-password",
    ]);
  });

  it("registers the builder's objects under the workload's names", () => {
    expect(kubernetesObjects(run.resources)).toEqual([
      "ConfigMap/ns-a/nats-config",
      "PodDisruptionBudget/ns-a/nats",
      "Secret/ns-a/nats-auth",
      "Secret/ns-a/nats-routes",
      "Service/ns-a/nats",
      "Service/ns-a/nats-headless",
      "StatefulSet/ns-a/nats",
    ]);
    const k8s = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    const sts = k8s.find((r) => r.type === "kubernetes:apps/v1:StatefulSet");
    const built = natsStatefulSet({
      ...NATS_DEFAULTS,
      namespace: "ns-a",
      priorityClassName: "prio",
      replicas: 5,
    });
    expect(sts?.inputs.spec).toEqual(JSON.parse(JSON.stringify(built.spec)));
    expect(sts?.customTimeouts).toMatchObject({ create: "7m", update: "7m" });
    const pdb = k8s.find((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
    expect(pdb?.inputs.spec).toMatchObject({ minAvailable: 3 });
  });

  it("fills the Secrets with generated passwords, as secrets only", () => {
    const routes = run.resources.find((r) => r.name === "msg-routes");
    const pw = mockSecretValue("msg-route-password");
    expect(JSON.stringify(routes?.inputs)).toContain(`route:${pw}@nats-4.nats-headless.ns-a`);
    expect(plainSecretLeaks(run.resources)).toEqual([]);
  });

  it("outputs the client URL and the auth Secret's name", () => {
    expect(run.outputs).toEqual({
      clientUrl: "nats://nats.ns-a.svc.cluster.local:4222",
      authSecretName: "nats-auth",
    });
  });
});
