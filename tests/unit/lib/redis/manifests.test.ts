// The Redis manifests (lib/redis/manifests.ts), built from a valid spec that each test changes
// in one field: a headless governing Service (the pod's stable DNS name), the client Service,
// the StatefulSet, and a PDB that lets a drain move the single replica.
import { describe, expect, it } from "vitest";
import {
  REDIS_DEFAULTS,
  REDIS_NAMES,
  redisAuthData,
  redisAuthSecret,
  redisClientService,
  redisConfigMap,
  redisHeadlessService,
  redisHost,
  redisPdb,
  type RedisSpec,
  redisStatefulSet,
} from "../../../../lib/redis";
import { selectorMatches } from "../../../support/k8s";

const SPEC: RedisSpec = { ...REDIS_DEFAULTS, namespace: "ns-t", priorityClassName: "prio" };
const with_ = (change: Partial<RedisSpec>): RedisSpec => ({ ...SPEC, ...change });

describe("Redis manifests", () => {
  const all = [
    redisConfigMap(SPEC),
    redisAuthSecret(SPEC),
    redisClientService(SPEC),
    redisHeadlessService(SPEC),
    redisStatefulSet(SPEC),
    redisPdb(SPEC),
  ];

  it("names, namespaces and labels every object as the Redis workload", () => {
    expect(all.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      "ConfigMap/redis-config",
      "Secret/redis-auth",
      "Service/redis",
      "Service/redis-headless",
      "StatefulSet/redis",
      "PodDisruptionBudget/redis",
    ]);
    for (const o of all) {
      expect(o.metadata?.namespace).toBe("ns-t");
      expect(o.metadata?.labels).toMatchObject({
        "app.kubernetes.io/name": "redis",
        "app.kubernetes.io/instance": "redis",
        "app.kubernetes.io/component": "idempotency-store",
        "app.kubernetes.io/version": "7.0.15",
      });
    }
  });

  it("governs the StatefulSet with a headless Service that selects its pod", () => {
    const sts = redisStatefulSet(SPEC);
    const headless = redisHeadlessService(SPEC);
    expect(sts.spec?.serviceName).toBe(headless.metadata?.name);
    expect(headless.spec?.clusterIP).toBe("None");
    const podLabels = sts.spec?.template.metadata?.labels ?? {};
    for (const sel of [
      { matchLabels: headless.spec?.selector },
      { matchLabels: redisClientService(SPEC).spec?.selector },
      redisPdb(SPEC).spec?.selector,
      sts.spec?.selector,
    ])
      expect(selectorMatches(sel, podLabels)).toBe(true);
    // Clients keep the ClusterIP service.
    expect(redisClientService(SPEC).spec?.type).toBe("ClusterIP");
    expect(redisHost(SPEC)).toBe("redis.ns-t.svc.cluster.local");
  });

  it("runs one replica with the data tier's PriorityClass, non-root as the image's redis user", () => {
    const sts = redisStatefulSet(SPEC);
    expect(sts.spec?.replicas).toBe(1);
    expect(sts.spec?.template.spec?.priorityClassName).toBe("prio");
    expect(sts.spec?.template.spec?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      fsGroup: 999,
    });
    expect(sts.spec?.template.spec?.topologySpreadConstraints).toBeUndefined();
  });

  it("checks liveness and readiness, and reads the password only from the auth Secret", () => {
    const c = redisStatefulSet(SPEC).spec?.template.spec?.containers[0];
    expect(c?.image).toBe("redis:7.0.15-alpine");
    expect(c?.livenessProbe?.tcpSocket?.port).toBe("redis");
    expect(c?.readinessProbe?.exec?.command?.join(" ")).toContain("ping");
    expect(c?.env).toEqual([
      {
        name: "REDISCLI_AUTH",
        valueFrom: { secretKeyRef: { name: REDIS_NAMES.auth, key: "password" } },
      },
    ]);
    expect(redisAuthData("pw")).toEqual({ password: "pw", "auth.conf": 'requirepass "pw"\n' });
  });

  it("rolls the pod when the config changes (AOF on), not on a CPU change", () => {
    const hash = (s: RedisSpec) =>
      redisStatefulSet(s).spec?.template.metadata?.annotations?.["kgents.io/config-hash"];
    expect(hash(with_({ cpu: "1" }))).toBe(hash(SPEC));
    expect(hash(with_({ appendOnly: true }))).not.toBe(hash(SPEC));
    expect(redisConfigMap(with_({ appendOnly: true })).data?.["redis.conf"]).toMatch(
      /^appendonly yes$/m,
    );
  });

  it("lets a drain move the single replica: maxUnavailable 1, never minAvailable 1", () => {
    expect(redisPdb(SPEC).spec).toMatchObject({ maxUnavailable: 1 });
    expect(redisPdb(SPEC).spec?.minAvailable).toBeUndefined();
  });
});
