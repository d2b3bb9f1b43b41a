// Gateway alone under mocks: its exact children (names, parents), the credentials copied into
// its namespace as secrets only, rollout timeouts, and
// its health URL output.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "../../../components/gateway";
import {
  childrenOfComponent,
  kubernetesObjects,
  plainSecretLeaks,
  type ProgramRun,
  runUnderMocks,
} from "../../support/program";

describe("Gateway", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runUnderMocks(() => {
      const g = new Gateway("gw", {
        namespace: "gw-t",
        image: "kgents-gateway:9.9.9",
        port: 8443,
        natsNamespace: "agents-t",
        redisNamespace: "triad-t",
        natsPassword: pulumi.secret("mocksecretnatsgw"),
        redisPassword: pulumi.secret("mocksecretredis"),
        replicas: 3,
        clusterDomain: "c.local",
        rolloutTimeoutMinutes: 7,
      });
      return { healthUrl: g.healthUrl };
    });
  });

  it("registers exactly its children, named after the component, parented to it", () => {
    expect(childrenOfComponent(run.resources)).toEqual([
      "kubernetes:apps/v1:Deployment::gw-deployment",
      "kubernetes:core/v1:Secret::gw-credentials",
      "kubernetes:core/v1:Service::gw-service",
      "kubernetes:policy/v1:PodDisruptionBudget::gw-pdb",
    ]);
    expect(kubernetesObjects(run.resources)).toEqual([
      "Deployment/gw-t/gateway",
      "PodDisruptionBudget/gw-t/gateway",
      "Secret/gw-t/gateway-credentials",
      "Service/gw-t/gateway",
    ]);
  });

  it("registers the builder's Deployment and PDB with the args given", () => {
    const dep = run.resources.find((r) => r.name === "gw-deployment");
    const spec = dep?.inputs.spec as {
      replicas: number;
      template: { spec: { containers: { image: string; ports: { containerPort: number }[] }[] } };
    };
    expect(spec.replicas).toBe(3);
    expect(spec.template.spec.containers[0]?.image).toBe("kgents-gateway:9.9.9");
    expect(spec.template.spec.containers[0]?.ports[0]?.containerPort).toBe(8443);
    expect(dep?.customTimeouts).toMatchObject({ create: "7m", update: "7m" });
    expect(run.resources.find((r) => r.name === "gw-pdb")?.inputs.spec).toMatchObject({
      minAvailable: 2,
    });
  });

  it("copies the NATS and Redis passwords into its own Secret, as secrets only", () => {
    const secret = run.resources.find((r) => r.name === "gw-credentials");
    expect(secret?.inputs.stringData).toEqual({
      "nats-password": "mocksecretnatsgw",
      "redis-password": "mocksecretredis",
    });
    expect(plainSecretLeaks(run.resources)).toEqual([]);
  });

  it("outputs the in-cluster URL of /health/saas", () => {
    expect(run.outputs).toEqual({
      healthUrl: "http://gateway.gw-t.svc.c.local:8443/health/saas",
    });
  });
});
