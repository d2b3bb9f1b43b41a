// The real program under mocks, for both stacks, with config from the real stack files:
// the exact objects, isolation, disruption budgets, pod security and secret handling.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { selectorMatches } from "../support/k8s";
import {
  mockSecretValue,
  plainStrings,
  type ProgramRun,
  type RegisteredResource,
  runStack,
} from "../support/program";
import { STACKS, type StackName } from "../support/stack-files";

const NS = {
  agents: "kgents-agents",
  triad: "kgents-triad",
  gateway: "kgents-gateway",
  observability: "kgents-observability",
};

/** The Kubernetes objects every stack must hold: kind, namespace, name. */
const EXPECTED_OBJECTS: readonly string[] = [
  `Namespace//${NS.agents}`,
  `Namespace//${NS.triad}`,
  `Namespace//${NS.gateway}`,
  `Namespace//${NS.observability}`,
  ...Object.values(NS).map((ns) => `NetworkPolicy/${ns}/default-deny`),
  ...Object.values(NS).map((ns) => `NetworkPolicy/${ns}/allow-dns-egress`),
  `NetworkPolicy/${NS.agents}/allow-nats-client-ingress`,
  `NetworkPolicy/${NS.gateway}/allow-nats-client-egress`,
  `NetworkPolicy/${NS.agents}/allow-nats-client-egress`,
  `NetworkPolicy/${NS.agents}/allow-nats-route-ingress`,
  `NetworkPolicy/${NS.agents}/allow-nats-route-egress`,
  `NetworkPolicy/${NS.agents}/allow-nats-monitor-ingress`,
  `NetworkPolicy/${NS.observability}/allow-nats-monitor-egress`,
  `NetworkPolicy/${NS.triad}/allow-redis-client-ingress`,
  `NetworkPolicy/${NS.agents}/allow-redis-client-egress`,
  `NetworkPolicy/${NS.gateway}/allow-redis-client-egress`,
  `NetworkPolicy/${NS.triad}/allow-redis-client-egress`,
  `NetworkPolicy/${NS.gateway}/allow-gateway-public-ingress`,
  `NetworkPolicy/${NS.gateway}/allow-gateway-metrics-ingress`,
  `NetworkPolicy/${NS.observability}/allow-gateway-metrics-egress`,
  `Secret/${NS.gateway}/gateway-credentials`,
  `Service/${NS.gateway}/gateway`,
  `Deployment/${NS.gateway}/gateway`,
  `PodDisruptionBudget/${NS.gateway}/gateway`,
  `ConfigMap/${NS.agents}/nats-config`,
  `Secret/${NS.agents}/nats-auth`,
  `Secret/${NS.agents}/nats-routes`,
  `Service/${NS.agents}/nats`,
  `Service/${NS.agents}/nats-headless`,
  `StatefulSet/${NS.agents}/nats`,
  `PodDisruptionBudget/${NS.agents}/nats`,
  `ConfigMap/${NS.triad}/redis-config`,
  `Secret/${NS.triad}/redis-auth`,
  `Service/${NS.triad}/redis`,
  `Service/${NS.triad}/redis-headless`,
  `PriorityClass//kgents-data`,
  `StatefulSet/${NS.triad}/redis`,
  `PodDisruptionBudget/${NS.triad}/redis`,
];

/** The design's flow table: ports per flow, written out independently of lib/flows.ts. */
const FLOW_PORTS: Record<string, string[]> = {
  "nats-client": ["TCP/4222"],
  "nats-route": ["TCP/6222"],
  "nats-monitor": ["TCP/7777", "TCP/8222"],
  "redis-client": ["TCP/6379"],
  dns: ["TCP/53", "UDP/53"],
  "gateway-public": ["TCP/8080"],
  "gateway-metrics": ["TCP/9464"],
};

type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
};

/** Kinds whose pods the program runs. */
const WORKLOAD_KINDS = ["StatefulSet", "Deployment"];

const kindOf = (r: RegisteredResource) => r.type.split(":").pop() ?? "";
const isK8s = (r: RegisteredResource) => r.type.startsWith("kubernetes:");
const obj = (r: RegisteredResource) => r.inputs as unknown as Obj;
const key = (r: RegisteredResource) =>
  `${kindOf(r)}/${obj(r).metadata.namespace ?? ""}/${obj(r).metadata.name}`;

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    securityContext: Record<string, unknown>;
    containers: {
      name: string;
      securityContext: Record<string, unknown>;
      resources: Record<string, unknown>;
    }[];
    automountServiceAccountToken?: boolean;
  };
}
const template = (r: RegisteredResource) => (obj(r).spec as { template: PodTemplate }).template;

describe.each(STACKS)("stack %s", (stack: StackName) => {
  let run: ProgramRun;
  let k8s: RegisteredResource[];
  const find = (kind: string, ns: string, name: string) => {
    const r = k8s.find((x) => key(x) === `${kind}/${ns}/${name}`);
    if (!r) throw new Error(`missing ${kind}/${ns}/${name}`);
    return r;
  };

  beforeAll(async () => {
    run = await runStack(stack);
    if (run.error) throw run.error;
    k8s = run.resources.filter(isK8s);
  });

  it("deploys exactly the expected Kubernetes objects (kinds, namespaces, names)", () => {
    expect(k8s.map(key).sort()).toEqual([...EXPECTED_OBJECTS].sort());
  });

  it("sends every Kubernetes object through the stack's explicit provider", () => {
    const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(providers.map((p) => p.name)).toEqual([`kgents-${stack}`]);
    for (const r of k8s) expect(r.provider, key(r)).toMatch(new RegExp(`::kgents-${stack}::`));
  });

  it("labels every tier namespace and enforces the restricted Pod Security Standard", () => {
    for (const [tier, ns] of Object.entries(NS)) {
      expect(obj(find("Namespace", "", ns)).metadata.labels).toMatchObject({
        "kgents.io/tier": tier,
        "app.kubernetes.io/part-of": "kgents",
        "pod-security.kubernetes.io/enforce": "restricted",
      });
    }
  });

  it("isolates every managed namespace with a default-deny policy for both directions", () => {
    for (const ns of Object.values(NS)) {
      const spec = obj(find("NetworkPolicy", ns, "default-deny")).spec as Record<string, unknown>;
      expect(spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    }
  });

  it("allows exactly the flow table's ports per flow, peers selected by the immutable namespace name", () => {
    const seen: Record<string, Set<string>> = {};
    for (const r of k8s.filter((x) => kindOf(x) === "NetworkPolicy" && x.name.includes("allow-"))) {
      const flow = obj(r).metadata.annotations?.["kgents.io/flow"] ?? "(none)";
      const spec = obj(r).spec as {
        ingress?: {
          from: { namespaceSelector?: Record<string, unknown> }[];
          ports: { port: number; protocol: string }[];
        }[];
        egress?: {
          to: { namespaceSelector?: Record<string, unknown> }[];
          ports: { port: number; protocol: string }[];
        }[];
      };
      const rules = [
        ...(spec.ingress ?? []).map((x) => ({ peers: x.from, ports: x.ports })),
        ...(spec.egress ?? []).map((x) => ({ peers: x.to, ports: x.ports })),
      ];
      expect(rules.length, key(r)).toBe(1);
      for (const rule of rules) {
        const ports = rule.ports.map((p) => `${p.protocol}/${p.port}`).sort();
        expect(ports, `${key(r)} (${flow})`).toEqual(FLOW_PORTS[flow]);
        (seen[flow] ??= new Set()).add(ports.join(","));
        for (const peer of rule.peers)
          expect(JSON.stringify(peer.namespaceSelector)).toContain("kubernetes.io/metadata.name");
      }
    }
    expect(Object.keys(seen).sort()).toEqual(Object.keys(FLOW_PORTS).sort());
  });

  it("gives every workload a PDB in its namespace whose selector matches the pod template", () => {
    const sets = k8s.filter((r) => WORKLOAD_KINDS.includes(kindOf(r)));
    expect(sets.map(key).sort()).toEqual([
      `Deployment/${NS.gateway}/gateway`,
      `StatefulSet/${NS.agents}/nats`,
      `StatefulSet/${NS.triad}/redis`,
    ]);
    for (const sts of sets) {
      const podLabels = template(sts).metadata.labels;
      const pdbs = k8s.filter(
        (r) =>
          kindOf(r) === "PodDisruptionBudget" &&
          obj(r).metadata.namespace === obj(sts).metadata.namespace &&
          selectorMatches((obj(r).spec as { selector: object }).selector, podLabels),
      );
      expect(pdbs.map(key), key(sts)).toHaveLength(1);
    }
  });

  it("keeps a NATS quorum through a drain: 3 replicas, PDB minAvailable 2", () => {
    expect(obj(find("StatefulSet", NS.agents, "nats")).spec).toMatchObject({
      replicas: 3,
      podManagementPolicy: "Parallel",
    });
    expect(obj(find("PodDisruptionBudget", NS.agents, "nats")).spec).toMatchObject({
      minAvailable: 2,
    });
  });

  it("governs every StatefulSet with a headless Service of its namespace that selects its pods", () => {
    for (const sts of k8s.filter((r) => kindOf(r) === "StatefulSet")) {
      const ns = obj(sts).metadata.namespace ?? "";
      const spec = obj(sts).spec as { serviceName: string };
      const svc = obj(find("Service", ns, spec.serviceName)).spec as {
        clusterIP?: string;
        selector: Record<string, string>;
      };
      expect(svc.clusterIP, key(sts)).toBe("None");
      expect(selectorMatches({ matchLabels: svc.selector }, template(sts).metadata.labels)).toBe(
        true,
      );
    }
  });

  it("gives every data pod the PriorityClass the program owns", () => {
    const classes = k8s
      .filter((r) => kindOf(r) === "PriorityClass")
      .map((r) => obj(r).metadata.name);
    expect(classes).toEqual(["kgents-data"]);
    for (const sts of k8s.filter((r) => kindOf(r) === "StatefulSet"))
      expect(
        (template(sts).spec as { priorityClassName?: string }).priorityClassName,
        key(sts),
      ).toBe("kgents-data");
  });

  it("checks the liveness of every container", () => {
    for (const sts of k8s.filter((r) => WORKLOAD_KINDS.includes(kindOf(r))))
      for (const c of template(sts).spec.containers)
        expect(
          (c as { livenessProbe?: unknown }).livenessProbe,
          `${key(sts)} ${c.name}`,
        ).toBeDefined();
  });

  it("selects each workload's pods with one label contract: policies select what StatefulSets select", () => {
    const policies = k8s.filter((r) => kindOf(r) === "NetworkPolicy");
    for (const sts of k8s.filter((r) => kindOf(r) === "StatefulSet")) {
      const ns = obj(sts).metadata.namespace;
      const selector = (obj(sts).spec as { selector: unknown }).selector;
      const server = policies.find(
        (p) => obj(p).metadata.namespace === ns && obj(p).metadata.name.endsWith("-client-ingress"),
      );
      expect(
        server && (obj(server).spec as { podSelector: unknown }).podSelector,
        key(sts),
      ).toEqual(selector);
    }
  });

  it("runs the gateway as the design says: its policies select its pods, which alone reach NATS and Redis", () => {
    const dep = find("Deployment", NS.gateway, "gateway");
    const selector = (obj(dep).spec as { selector: unknown }).selector;
    const podLabels = template(dep).metadata.labels;
    const policy = (ns: string, name: string) =>
      obj(find("NetworkPolicy", ns, name)).spec as {
        podSelector: { matchLabels?: Record<string, string> };
        ingress?: { from: { namespaceSelector: unknown; podSelector?: unknown }[] }[];
      };
    for (const name of [
      "allow-gateway-public-ingress",
      "allow-gateway-metrics-ingress",
      "allow-nats-client-egress",
      "allow-redis-client-egress",
    ]) {
      expect(policy(NS.gateway, name).podSelector, name).toEqual(selector);
      expect(selectorMatches(policy(NS.gateway, name).podSelector, podLabels), name).toBe(true);
    }
    // On the server side the gateway peer names the gateway's pods, not its whole namespace.
    for (const [ns, name] of [
      [NS.agents, "allow-nats-client-ingress"],
      [NS.triad, "allow-redis-client-ingress"],
    ] as const) {
      const peers = policy(ns, name).ingress?.[0]?.from ?? [];
      const gw = peers.find((p) => JSON.stringify(p.namespaceSelector).includes(NS.gateway));
      expect(gw, name).toEqual({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS.gateway } },
        podSelector: selector,
      });
    }
    expect(policy(NS.gateway, "allow-gateway-public-ingress").ingress?.[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
    ]);
    expect(policy(NS.gateway, "allow-gateway-metrics-ingress").ingress?.[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS.observability } } },
    ]);
  });

  it("lets a drain take one gateway pod at a time, and never blocks it", () => {
    const replicas = (obj(find("Deployment", NS.gateway, "gateway")).spec as { replicas: number })
      .replicas;
    expect(replicas).toBe(stack === "prod" ? 3 : 2);
    expect(obj(find("PodDisruptionBudget", NS.gateway, "gateway")).spec).toMatchObject({
      minAvailable: replicas - 1,
    });
  });

  it("gives the gateway copies of the NATS gateway user's and Redis' generated passwords", () => {
    const copy = find("Secret", NS.gateway, "gateway-credentials");
    expect(copy.inputs.stringData).toEqual({
      "nats-password": mockSecretValue("nats-gateway-password"),
      "redis-password": mockSecretValue("redis-password"),
    });
    const env = (
      template(find("Deployment", NS.gateway, "gateway")).spec.containers[0] as unknown as {
        env: { name: string; value?: string; valueFrom?: unknown }[];
      }
    ).env;
    for (const v of ["NATS_PASSWORD", "REDIS_PASSWORD"])
      expect(env.find((e) => e.name === v)?.valueFrom, v).toMatchObject({
        secretKeyRef: { name: "gateway-credentials" },
      });
  });

  it("waits for StatefulSet rollouts within the stack's timeout, and protects prod's data", () => {
    const minutes = stack === "prod" ? "10m" : "5m";
    const sets = k8s.filter((r) => kindOf(r) === "StatefulSet");
    expect(sets).toHaveLength(2);
    for (const r of sets) {
      expect(r.customTimeouts, key(r)).toEqual({ create: minutes, update: minutes, delete: "" });
      expect(r.protect, key(r)).toBe(stack === "prod");
    }
    // Namespaces and policies are never protected: only the data-bearing components are.
    for (const r of k8s.filter((x) => ["Namespace", "NetworkPolicy"].includes(kindOf(x))))
      expect(r.protect).toBe(false);
  });

  it("runs every pod non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp", () => {
    const workloads = k8s.filter((r) => WORKLOAD_KINDS.includes(kindOf(r)));
    expect(workloads).toHaveLength(3);
    for (const sts of workloads) {
      const t = template(sts);
      expect(t.spec.securityContext, key(sts)).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(t.spec.automountServiceAccountToken).toBe(false);
      for (const c of t.spec.containers) {
        expect(c.securityContext, `${key(sts)} ${c.name}`).toEqual({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        });
        const res = c.resources as { requests: unknown; limits: unknown };
        expect(res.requests, `${c.name} requests = limits`).toEqual(res.limits);
      }
    }
  });

  it("never puts a generated secret value in a plain (non-secret) input", () => {
    const secrets = run.resources
      .filter((r) => r.type.endsWith(":RandomSecret"))
      .map((r) => mockSecretValue(r.name));
    expect(secrets).toHaveLength(4);
    for (const r of run.resources) {
      const plain = plainStrings(r.rawInputs).join("\n");
      for (const s of secrets)
        expect(plain.includes(s), `${r.type} ${r.name} leaks ${s}`).toBe(false);
    }
    // ...while the Secrets do carry them (as secrets).
    const natsAuth = JSON.stringify(find("Secret", NS.agents, "nats-auth").inputs);
    expect(natsAuth).toContain(mockSecretValue("nats-route-password"));
  });

  it("exports namespaces, the NATS URL, the Redis host, the health URL and the secret references as secrets", () => {
    expect(run.outputs).toMatchObject({
      namespaces: NS,
      gatewayHealthUrl: "http://gateway.kgents-gateway.svc.cluster.local:8080/health/saas",
      natsClientUrl: "nats://nats.kgents-agents.svc.cluster.local:4222",
      redisHost: "redis.kgents-triad.svc.cluster.local",
      natsCredentialsSecret: "kgents-agents/nats-auth",
      redisCredentialsSecret: "kgents-triad/redis-auth",
    });
    expect(run.secretOutputs.sort()).toEqual(["natsCredentialsSecret", "redisCredentialsSecret"]);
    expect(Object.keys(run.outputs)).toContain("gatewayHealthUrl");
  });
});

describe("dev and prod differ in size and durability, not in security", () => {
  const runs: Partial<Record<StackName, ProgramRun>> = {};
  beforeAll(async () => {
    for (const s of STACKS) runs[s] = await runStack(s);
  });
  const sts = (s: StackName, name: string) =>
    runs[s]!.resources.find((r) => kindOf(r) === "StatefulSet" && obj(r).metadata.name === name)!;
  const configMap = (s: StackName, name: string) =>
    (
      runs[s]!.resources.find((r) => kindOf(r) === "ConfigMap" && obj(r).metadata.name === name)!
        .inputs as { data: Record<string, string> }
    ).data;

  it("prod runs the NATS exporter sidecar, dev does not", () => {
    expect(template(sts("dev", "nats")).spec.containers.map((c) => c.name)).toEqual(["nats"]);
    expect(template(sts("prod", "nats")).spec.containers.map((c) => c.name)).toEqual([
      "nats",
      "exporter",
    ]);
  });

  it("prod spreads NATS hard across nodes, dev softly", () => {
    const spread = (s: StackName) =>
      (
        template(sts(s, "nats")).spec as unknown as {
          topologySpreadConstraints: { whenUnsatisfiable: string; topologyKey: string }[];
        }
      ).topologySpreadConstraints[0];
    expect(spread("prod")).toMatchObject({
      whenUnsatisfiable: "DoNotSchedule",
      topologyKey: "kubernetes.io/hostname",
    });
    expect(spread("dev")).toMatchObject({ whenUnsatisfiable: "ScheduleAnyway" });
  });

  it("prod turns AOF on and sizes memory up; dev keeps AOF off", () => {
    expect(configMap("prod", "redis-config")["redis.conf"]).toMatch(/^appendonly yes$/m);
    expect(configMap("dev", "redis-config")["redis.conf"]).toMatch(/^appendonly no$/m);
    expect(configMap("prod", "redis-config")["redis.conf"]).toMatch(/^maxmemory 805306368$/m); // 75% of 1Gi
    expect(configMap("dev", "redis-config")["redis.conf"]).toMatch(/^maxmemory 201326592$/m); // 75% of 256Mi
  });

  it("sets GOMEMLIMIT to 80% of the NATS memory limit", () => {
    const env = (s: StackName) =>
      (
        template(sts(s, "nats")).spec.containers[0] as unknown as {
          env: { name: string; value?: string }[];
        }
      ).env.find((e) => e.name === "GOMEMLIMIT")?.value;
    expect(env("dev")).toBe("409MiB");
    expect(env("prod")).toBe("1638MiB");
  });

  it("has the same security everywhere: policies, pod security and secrets are identical in shape", () => {
    const security = (s: StackName) =>
      runs[s]!.resources.filter((r) => ["NetworkPolicy", "Namespace", "Secret"].includes(kindOf(r)))
        .map((r) =>
          JSON.stringify({ k: key(r), spec: obj(r).spec, labels: obj(r).metadata.labels }),
        )
        .sort();
    expect(security("prod")).toEqual(security("dev"));
  });
});

describe("durability settings reach the servers, and a lazy sync is warned about at pulumi up", () => {
  const natsConf = (run: ProgramRun): string => {
    const cm = run.resources.find(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "nats-config",
    );
    return String((cm?.inputs.data as Record<string, unknown> | undefined)?.["nats.conf"]);
  };
  const redisConf = (run: ProgramRun): string => {
    const cm = run.resources.find(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "redis-config",
    );
    return String((cm?.inputs.data as Record<string, unknown> | undefined)?.["redis.conf"]);
  };
  const syncWarnings = (spy: MockInstance): string[] =>
    spy.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("natsSyncInterval"));

  it.each(STACKS)("%s: sync_interval always, no warning", async (stack) => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue(undefined);
    try {
      const run = await runStack(stack);
      expect(natsConf(run)).toContain('sync_interval: "always"');
      expect(redisConf(run)).toContain(`appendfsync ${stack === "prod" ? "always" : "everysec"}`);
      expect(syncWarnings(warn)).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it("natsSyncInterval 2m: rendered, and warned about once", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue(undefined);
    try {
      const run = await runStack("prod", { "kgents:natsSyncInterval": "2m" });
      expect(run.error).toBeUndefined();
      expect(natsConf(run)).toContain('sync_interval: "2m"');
      expect(syncWarnings(warn)).toEqual([
        "kgents:natsSyncInterval = 2m: JetStream acknowledges writes before they are on disk; a power loss of a quorum of servers loses up to 2m of acknowledged messages (see README, Durability)",
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
