// The gateway manifests (lib/gateway/manifests.ts), built from a valid spec that each test
// changes in one field: restricted Guaranteed pods spread over nodes, probes that never look at
// NATS or Redis, credentials only by reference, a grace period that covers the drain, and a PDB
// that matches the pods and lets a drain take one at a time.
import { describe, expect, it } from "vitest";
import {
  GATEWAY_DEFAULTS,
  GATEWAY_NATS_USER,
  GATEWAY_SHUTDOWN,
  gatewayCredentialsData,
  gatewayCredentialsSecret,
  gatewayDeployment,
  gatewayHealthUrl,
  gatewayPdb,
  gatewayService,
  type GatewaySpec,
  gatewayVersion,
} from "../../../../lib/gateway";
import { NATS_CLIENT_USERS } from "../../../../lib/nats";
import { selectorMatches } from "../../../support/k8s";

const SPEC: GatewaySpec = {
  ...GATEWAY_DEFAULTS,
  namespace: "gw-t",
  image: "registry.example/kgents-gateway:1.2.3",
  port: 8080,
  natsNamespace: "agents-t",
  redisNamespace: "triad-t",
};
const with_ = (change: Partial<GatewaySpec>): GatewaySpec => ({ ...SPEC, ...change });
const pod = (s: GatewaySpec) => gatewayDeployment(s).spec?.template;
const container = (s: GatewaySpec) => pod(s)?.spec?.containers[0];
const env = (s: GatewaySpec) =>
  Object.fromEntries((container(s)?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

describe("gateway manifests", () => {
  it("names, namespaces and labels every object as the gateway workload", () => {
    const all = [
      gatewayCredentialsSecret(SPEC),
      gatewayService(SPEC),
      gatewayDeployment(SPEC),
      gatewayPdb(SPEC),
    ];
    expect(all.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      "Secret/gateway-credentials",
      "Service/gateway",
      "Deployment/gateway",
      "PodDisruptionBudget/gateway",
    ]);
    for (const o of all) {
      expect(o.metadata?.namespace).toBe("gw-t");
      expect(o.metadata?.labels).toEqual({
        "app.kubernetes.io/name": "gateway",
        "app.kubernetes.io/instance": "gateway",
        "app.kubernetes.io/component": "gateway",
        "app.kubernetes.io/part-of": "kgents",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/version": "1.2.3",
      });
    }
    // The Secret shell carries no data: the values are the component's (as secrets).
    expect(gatewayCredentialsSecret(SPEC)).not.toHaveProperty("stringData");
    expect(gatewayCredentialsSecret(SPEC)).not.toHaveProperty("data");
  });

  it("selects its pods with one selector: Deployment, Service and PDB alike", () => {
    const labels = pod(SPEC)?.metadata?.labels ?? {};
    const sel = { "app.kubernetes.io/name": "gateway", "app.kubernetes.io/instance": "gateway" };
    expect(gatewayDeployment(SPEC).spec?.selector).toEqual({ matchLabels: sel });
    expect(gatewayService(SPEC).spec?.selector).toEqual(sel);
    expect(gatewayPdb(SPEC).spec?.selector).toEqual({ matchLabels: sel });
    expect(selectorMatches({ matchLabels: sel }, labels)).toBe(true);
  });

  it("runs restricted, Guaranteed pods without a service-account token", () => {
    const spec = pod(SPEC)?.spec;
    expect(spec?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(spec?.automountServiceAccountToken).toBe(false);
    expect(container(SPEC)?.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container(with_({ cpu: "1", memory: "1Gi" }))?.resources).toEqual({
      requests: { cpu: "1", memory: "1Gi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
    expect(env(with_({ memory: "1Gi" })).NODE_OPTIONS).toBe("--max-old-space-size=768");
  });

  it("uses the image from the spec and labels the version by its tag or digest", () => {
    expect(container(SPEC)?.image).toBe("registry.example/kgents-gateway:1.2.3");
    expect(gatewayVersion("host:5000/a/gw:0.1.0")).toBe("0.1.0");
    expect(gatewayVersion(`gw@sha256:${"ab".repeat(32)}`)).toBe("abababababab");
    expect(gatewayVersion("host:5000/gw")).toBe("unknown");
  });

  it("probes /livez and /readyz on the public port, never /health/saas", () => {
    const c = container(SPEC);
    expect(c?.ports).toEqual([
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "metrics", containerPort: 9464, protocol: "TCP" },
    ]);
    expect(c?.livenessProbe?.httpGet).toEqual({ path: "/livez", port: "http" });
    expect(c?.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c?.startupProbe?.httpGet).toEqual({ path: "/livez", port: "http" });
    expect(container(with_({ port: 9000 }))?.ports?.[0]?.containerPort).toBe(9000);
    expect(env(with_({ port: 9000 })).GATEWAY_PORT).toBe("9000");
  });

  it("gives SIGTERM's drain time to finish before the kill", () => {
    const grace = pod(SPEC)?.spec?.terminationGracePeriodSeconds ?? 0;
    const drainS = (GATEWAY_SHUTDOWN.delayMs + GATEWAY_SHUTDOWN.timeoutMs) / 1000;
    expect(grace).toBeGreaterThanOrEqual(drainS + 5);
    expect(env(SPEC).SHUTDOWN_DELAY_MS).toBe(String(GATEWAY_SHUTDOWN.delayMs));
    expect(env(SPEC).SHUTDOWN_TIMEOUT_MS).toBe(String(GATEWAY_SHUTDOWN.timeoutMs));
  });

  it("connects to the NATS and Redis client Services, passwords only by secretKeyRef", () => {
    const e = env(with_({ clusterDomain: "c.local" }));
    expect(e.NATS_URL).toBe("nats://nats.agents-t.svc.c.local:4222");
    expect(e.REDIS_URL).toBe("redis://redis.triad-t.svc.c.local:6379");
    expect(e.NATS_USER).toBe("gateway");
    expect(NATS_CLIENT_USERS).toContain(GATEWAY_NATS_USER);
    expect(e.NATS_PASSWORD).toEqual({
      secretKeyRef: { name: "gateway-credentials", key: "nats-password" },
    });
    expect(e.REDIS_PASSWORD).toEqual({
      secretKeyRef: { name: "gateway-credentials", key: "redis-password" },
    });
    expect(gatewayCredentialsData({ natsPassword: "n", redisPassword: "r" })).toEqual({
      "nats-password": "n",
      "redis-password": "r",
    });
  });

  it("spreads over nodes softly or hard, and rolls without stalling a hard spread", () => {
    const spread = (s: GatewaySpec) => pod(s)?.spec?.topologySpreadConstraints?.[0];
    expect(spread(SPEC)).toMatchObject({
      whenUnsatisfiable: "ScheduleAnyway",
      topologyKey: "kubernetes.io/hostname",
      maxSkew: 1,
    });
    expect(spread(with_({ spreadPolicy: "hard" }))?.whenUnsatisfiable).toBe("DoNotSchedule");
    const rolling = (s: GatewaySpec) => gatewayDeployment(s).spec?.strategy?.rollingUpdate;
    expect(rolling(SPEC)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(rolling(with_({ spreadPolicy: "hard" }))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  it("keeps all pods but one through a drain", () => {
    expect(gatewayDeployment(SPEC).spec?.replicas).toBe(2);
    expect(gatewayPdb(SPEC).spec).toMatchObject({
      minAvailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
    expect(gatewayPdb(with_({ replicas: 5 })).spec?.minAvailable).toBe(4);
    expect(gatewayDeployment(with_({ replicas: 5 })).spec?.replicas).toBe(5);
  });

  it("exposes the public and metrics ports on the Service, and the health URL by its DNS name", () => {
    expect(gatewayService(SPEC).spec?.ports).toEqual([
      { name: "http", port: 8080, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: 9464, targetPort: "metrics", protocol: "TCP" },
    ]);
    expect(pod(SPEC)?.metadata?.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "9464",
    });
    expect(gatewayHealthUrl(with_({ clusterDomain: "c.local" }))).toBe(
      "http://gateway.gw-t.svc.c.local:8080/health/saas",
    );
  });
});
