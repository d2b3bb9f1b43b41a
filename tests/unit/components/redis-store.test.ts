// RedisStore alone under mocks: its exact children (names, parents), the headless governing
// Service, the password only as a secret, rollout timeouts, and its outputs.
import { beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../../components/redis-store";
import {
  mockSecretValue,
  objectKey,
  plainStrings,
  type ProgramRun,
  runUnderMocks,
  tree,
} from "../../support/program";

const C = "kgents:components:RedisStore::store";

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
    expect(tree(run.resources).sort()).toEqual(
      [
        `${C} <- `,
        `pulumi-nodejs:dynamic/kgents:RandomSecret::store-password <- ${C}`,
        `kubernetes:core/v1:Secret::store-auth <- ${C}`,
        `kubernetes:core/v1:ConfigMap::store-config <- ${C}`,
        `kubernetes:core/v1:Service::store-service <- ${C}`,
        `kubernetes:core/v1:Service::store-headless <- ${C}`,
        `kubernetes:apps/v1:StatefulSet::store-statefulset <- ${C}`,
        `kubernetes:policy/v1:PodDisruptionBudget::store-pdb <- ${C}`,
      ].sort(),
    );
  });

  it("registers the builder's objects, the StatefulSet governed by the headless Service", () => {
    const k8s = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8s.map(objectKey).sort()).toEqual(
      [
        "ConfigMap/ns-t/redis-config",
        "PodDisruptionBudget/ns-t/redis",
        "Secret/ns-t/redis-auth",
        "Service/ns-t/redis",
        "Service/ns-t/redis-headless",
        "StatefulSet/ns-t/redis",
      ].sort(),
    );
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
    for (const r of run.resources)
      for (const s of plainStrings(r.rawInputs)) expect(s, r.name).not.toMatch(/mocksecret/);
  });

  it("outputs the client host and the auth Secret's name", () => {
    expect(run.outputs).toEqual({ host: "redis.ns-t.svc.c.local", authSecretName: "redis-auth" });
  });
});
