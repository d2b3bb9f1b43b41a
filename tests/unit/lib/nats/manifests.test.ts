// The NATS manifests (lib/nats/manifests.ts), built from a valid spec that each test changes in
// one field: chart-grade StatefulSet, headless per-pod routes, credentials wiring, the exporter
// sidecar, and the quorum-keeping PodDisruptionBudget.
import { describe, expect, it } from "vitest";
import {
  NATS_DEFAULTS,
  NATS_NAMES,
  NATS_USERS,
  natsAuthData,
  natsAuthSecret,
  natsClientService,
  natsClientUrl,
  natsConfigMap,
  natsHeadlessService,
  natsPasswordEnv,
  natsPdb,
  natsRoutesData,
  natsRoutesSecret,
  type NatsSpec,
  natsStatefulSet,
} from "../../../../lib/nats";
import { selectorMatches } from "../../../support/k8s";

const SPEC: NatsSpec = { ...NATS_DEFAULTS, namespace: "ns-a", priorityClassName: "prio" };
const with_ = (change: Partial<NatsSpec>): NatsSpec => ({ ...SPEC, ...change });
const podSpec = (s: NatsSpec) => natsStatefulSet(s).spec?.template.spec;
const container = (s: NatsSpec, name: string) => {
  const c = podSpec(s)?.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};

describe("NATS manifests", () => {
  const all = [
    natsConfigMap(SPEC),
    natsAuthSecret(SPEC),
    natsRoutesSecret(SPEC),
    natsHeadlessService(SPEC),
    natsClientService(SPEC),
    natsStatefulSet(SPEC),
    natsPdb(SPEC),
  ];

  it("names, namespaces and labels every object as the NATS workload", () => {
    expect(all.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      "ConfigMap/nats-config",
      "Secret/nats-auth",
      "Secret/nats-routes",
      "Service/nats-headless",
      "Service/nats",
      "StatefulSet/nats",
      "PodDisruptionBudget/nats",
    ]);
    for (const o of all) {
      expect(o.metadata?.namespace).toBe("ns-a");
      expect(o.metadata?.labels).toEqual({
        "app.kubernetes.io/name": "nats",
        "app.kubernetes.io/instance": "nats",
        "app.kubernetes.io/component": "messaging",
        "app.kubernetes.io/part-of": "kgents",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/version": "2.14.9",
      });
    }
  });

  it("selects the pod template with one selector: StatefulSet, services, PDB, spread", () => {
    const sts = natsStatefulSet(SPEC);
    const podLabels = sts.spec?.template.metadata?.labels ?? {};
    const selectors = [
      sts.spec?.selector,
      { matchLabels: natsHeadlessService(SPEC).spec?.selector },
      { matchLabels: natsClientService(SPEC).spec?.selector },
      natsPdb(SPEC).spec?.selector,
      sts.spec?.template.spec?.topologySpreadConstraints?.[0]?.labelSelector,
    ];
    for (const s of selectors) {
      expect(s).toEqual({
        matchLabels: { "app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": "nats" },
      });
      expect(selectorMatches(s, podLabels)).toBe(true);
    }
  });

  it("runs as the official chart: parallel pods, headless service published before ready, probes, lame duck", () => {
    const sts = natsStatefulSet(SPEC);
    expect(sts.spec?.serviceName).toBe(natsHeadlessService(SPEC).metadata?.name);
    expect(natsHeadlessService(SPEC).spec).toMatchObject({
      clusterIP: "None",
      publishNotReadyAddresses: true,
    });
    expect(sts.spec?.podManagementPolicy).toBe("Parallel");
    expect(podSpec(SPEC)?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    const nats = container(SPEC, "nats");
    expect(nats.image).toBe("nats:2.14.9-alpine");
    expect(nats.startupProbe?.httpGet?.path).toBe("/healthz");
    expect(nats.readinessProbe?.httpGet?.path).toBe("/healthz?js-server-only=true");
    expect(nats.livenessProbe?.httpGet?.path).toBe("/healthz?js-enabled-only=true");
    expect(nats.lifecycle?.preStop?.exec?.command).toEqual([
      "nats-server",
      "--signal",
      "ldm=/var/run/nats/nats.pid",
    ]);
    expect(nats.ports?.map((p) => `${p.name}:${p.containerPort}`)).toEqual([
      "client:4222",
      "cluster:6222",
      "monitor:8222",
    ]);
  });

  it("gives the pods the data tier's PriorityClass", () => {
    expect(podSpec(SPEC)?.priorityClassName).toBe("prio");
    expect(podSpec(with_({ priorityClassName: "other" }))?.priorityClassName).toBe("other");
  });

  it("spreads softly or hard across nodes", () => {
    const when = (s: NatsSpec) => podSpec(s)?.topologySpreadConstraints?.[0]?.whenUnsatisfiable;
    expect(when(SPEC)).toBe("ScheduleAnyway");
    expect(when(with_({ spreadPolicy: "hard" }))).toBe("DoNotSchedule");
  });

  it("sizes the claim template, names a storage class only when set", () => {
    const claim = (s: NatsSpec) => natsStatefulSet(s).spec?.volumeClaimTemplates?.[0]?.spec;
    expect(claim(SPEC)).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "10Gi" } },
    });
    expect(claim(with_({ storage: "50Gi", storageClass: "fast" }))).toMatchObject({
      storageClassName: "fast",
      resources: { requests: { storage: "50Gi" } },
    });
  });

  it("rolls the pods when the config changes, not otherwise", () => {
    const hash = (s: NatsSpec) =>
      natsStatefulSet(s).spec?.template.metadata?.annotations?.["kgents.io/config-hash"];
    expect(hash(SPEC)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(with_({ cpu: "1" }))).toBe(hash(SPEC));
    expect(hash(with_({ memory: "1Gi" }))).not.toBe(hash(SPEC));
  });

  it("feeds every user's password from the auth Secret's matching key", () => {
    const data = natsAuthData({ agents: "a", gateway: "g", route: "r" });
    expect(data).toEqual({
      "agents-password": "a",
      "gateway-password": "g",
      "route-password": "r",
    });
    const env = container(SPEC, "nats").env ?? [];
    for (const u of NATS_USERS) {
      const e = env.find((x) => x.name === natsPasswordEnv(u));
      expect(e?.valueFrom?.secretKeyRef?.name).toBe(NATS_NAMES.auth);
      expect(Object.keys(data)).toContain(e?.valueFrom?.secretKeyRef?.key);
    }
    expect(env.find((x) => x.name === "GOMEMLIMIT")?.value).toBe("409MiB");
  });

  it("routes to every pod by its headless DNS name, one per replica", () => {
    const routes = natsRoutesData(with_({ replicas: 5 }), "pw")["routes.conf"] ?? "";
    for (const i of [0, 1, 2, 3, 4])
      expect(routes).toContain(
        `"nats://route:pw@nats-${i}.nats-headless.ns-a.svc.cluster.local:6222"`,
      );
    expect(routes.match(/nats:\/\//g)).toHaveLength(5);
    expect(natsClientUrl(SPEC)).toBe("nats://nats.ns-a.svc.cluster.local:4222");
  });

  it("adds the exporter sidecar only when asked, with a liveness probe and scrape annotations", () => {
    expect(podSpec(SPEC)?.containers.map((c) => c.name)).toEqual(["nats"]);
    const s = with_({ exporter: true });
    const exporter = container(s, "exporter");
    expect(exporter.image).toBe("natsio/prometheus-nats-exporter:0.17.3");
    expect(exporter.livenessProbe?.tcpSocket?.port).toBe("metrics");
    expect(exporter.ports).toEqual([{ name: "metrics", containerPort: 7777, protocol: "TCP" }]);
    expect(natsStatefulSet(s).spec?.template.metadata?.annotations).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "7777",
    });
  });

  it("keeps the JetStream quorum in its PDB unless told otherwise", () => {
    const min = (s: NatsSpec) => natsPdb(s).spec?.minAvailable;
    expect([3, 5, 7].map((n) => min(with_({ replicas: n })))).toEqual([2, 3, 4]);
    expect(min(with_({ minAvailable: 3 }))).toBe(3);
    expect(natsPdb(SPEC).spec?.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
  });

  it("keeps secrets out of the ConfigMap and the Secret shells", () => {
    expect(natsConfigMap(SPEC).data?.["nats.conf"]).not.toMatch(/password:\s*"/);
    expect(natsAuthSecret(SPEC)).not.toHaveProperty("stringData");
    expect(natsRoutesSecret(SPEC)).not.toHaveProperty("stringData");
  });
});
