// RedisStore alone under mocks: its exact children (names, parents), the headless governing
// Service, the password only as a secret, rollout timeouts, and its outputs.
import { beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../../components/redis-store";
import {
  childrenOfComponent,
  mockSecretValue,
  kubernetesObjects,
  plainSecretLeaks,
  type ProgramRun,
  runUnderMocks,
} from "../../support/program";

describe("RedisStore", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runUnderMocks(() => {
      const r = new RedisStore("store", {
        namespace: "ns-t",
        priorityClassName: "prio",
        appendOnly: true,
        clusterDomain: "c.local",
      });
      return { host: r.host, authSecretName: r.authSecretName };
    });
  });

  it("registers exactly its children, named after the component, parented to it", () => {
    expect(childrenOfComponent(run.resources)).toEqual([
      "kubernetes:apps/v1:StatefulSet::store-statefulset",
      "kubernetes:core/v1:ConfigMap::store-config",
      "kubernetes:core/v1:Secret::store-auth",
      "kubernetes:core/v1:Service::store-headless",
      "kubernetes:core/v1:Service::store-service",
      "kubernetes:policy/v1:PodDisruptionBudget::store-pdb",
      "pulumi-nodejs:dynamic/kgents:RandomSecret::store-password",
    ]);
  });

  it("registers the builder's objects, the StatefulSet governed by the headless Service", () => {
    expect(kubernetesObjects(run.resources)).toEqual([
      "ConfigMap/ns-t/redis-config",
      "PodDisruptionBudget/ns-t/redis",
      "Secret/ns-t/redis-auth",
      "Service/ns-t/redis",
      "Service/ns-t/redis-headless",
      "StatefulSet/ns-t/redis",
    ]);
    const k8s = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    const sts = k8s.find((r) => r.type === "kubernetes:apps/v1:StatefulSet");
    expect(sts?.inputs.spec).toMatchObject({ serviceName: "redis-headless", replicas: 1 });
    expect(sts?.customTimeouts).toMatchObject({ create: "5m", update: "5m" });
    const conf = k8s.find((r) => r.name === "store-config")?.inputs.data as Record<string, string>;
    expect(conf["redis.conf"]).toMatch(/^appendonly yes$/m);
  });

  it("puts the generated password in the auth Secret, as a secret only", () => {
    const auth = run.resources.find((r) => r.name === "store-auth");
    expect(auth?.inputs.stringData).toEqual({
      password: mockSecretValue("store-password"),
      "auth.conf": `requirepass "${mockSecretValue("store-password")}"\n`,
    });
    expect(plainSecretLeaks(run.resources)).toEqual([]);
  });

  it("outputs the client host and the auth Secret's name", () => {
    expect(run.outputs).toEqual({ host: "redis.ns-t.svc.c.local", authSecretName: "redis-auth" });
  });
});
