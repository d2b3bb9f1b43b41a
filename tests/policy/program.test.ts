// The real program under Pulumi mocks, fed to the whole pack: dev and prod pass clean; removing
// the default-deny policies or the NATS budget yields exactly the expected violations.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { flowTable, parseExtraFlow } from "../../lib/flows";
import { networkPolicies } from "../../lib/network-policies";
import { TIER, TIERS, tierNamespace } from "../../lib/topology";
import { type RegisteredResource, runProgram } from "../support/program";
import type { StackName } from "../support/stack-files";
import { type TestResource, runPack } from "../support/crossguard";

const MANDATORY_NETWORK = "kubernetes-core-v1-namespace-require-default-deny-network-policy";
const MANDATORY_PDB = "kubernetes-apps-v1-statefulset-require-pod-disruption-budget";
const JETSTREAM = "kubernetes-apps-v1-statefulset-jetstream-pdb-keeps-quorum";
const TIER_NAMESPACES = TIERS.map((t) => tierNamespace("kgents", t));

const SELECTOR_ADVISORY = "kubernetes-networking-v1-networkpolicy-selector-matches-pods";
const PDB_SELECTOR_ADVISORY = "kubernetes-policy-v1-poddisruptionbudget-selector-matches-pods";
const EVICTION_ADVISORY = "kubernetes-policy-v1-poddisruptionbudget-allow-voluntary-evictions";
const GATEWAY_NS = tierNamespace("kgents", TIER.gateway);

/** The project's pack config (what `--policy-pack-config` passes in CI): it exempts nothing. */
const PACK_CONFIG = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../policy-pack/config/kgents-platform.json"), "utf8"),
) as Record<string, Record<string, unknown>>;

const meta = (r: RegisteredResource) =>
  (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };

/** What CrossGuard would see: the mocks echo inputs as outputs; providers resolved by URN. */
function asStack(rs: readonly RegisteredResource[]): TestResource[] {
  const byUrn = new Map(rs.map((r) => [r.urn, r]));
  return rs.map((r) => {
    const provider = r.provider
      ? byUrn.get(r.provider.split("::").slice(0, -1).join("::"))
      : undefined;
    const t: TestResource = { type: r.type, name: r.name, urn: r.urn, props: r.inputs };
    return provider ? { ...t, provider: provider.inputs } : t;
  });
}

const runs = new Map<StackName, Promise<RegisteredResource[]>>();
const program = (s: StackName) => {
  let p = runs.get(s);
  if (!p) runs.set(s, (p = runProgram(s)));
  return p;
};

describe.each(["dev", "prod"] as const)("the %s stack under the pack", (stack) => {
  it("declares the four tier namespaces, default-deny in each, and the three budgets", async () => {
    const rs = await program(stack);
    const ns = rs.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => meta(r).name);
    expect(ns.sort()).toEqual([...TIER_NAMESPACES].sort());
    const denies = rs.filter(
      (r) =>
        r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
        meta(r).name === "default-deny",
    );
    expect(denies.map((r) => meta(r).namespace).sort()).toEqual([...TIER_NAMESPACES].sort());
    const pdbs = rs.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
    expect(pdbs.map((r) => `${meta(r).namespace}/${meta(r).name}`).sort()).toEqual([
      "kgents-agents/nats",
      "kgents-gateway/gateway",
      "kgents-triad/redis",
    ]);
  });

  it("passes every policy, mandatory and advisory, with nothing unknown", async () => {
    const result = await runPack(asStack(await program(stack)), PACK_CONFIG);
    expect(result.violations).toEqual([]);
    expect(result.cantRun).toEqual([]);
  });

  it("passes without any pack config too: no exemption, the gateway's policies select its pods", async () => {
    expect(PACK_CONFIG).toEqual({});
    const { violations, cantRun } = await runPack(asStack(await program(stack)));
    expect(violations).toEqual([]);
    expect(cantRun).toEqual([]);
  });

  it("without the gateway Deployment: its budget and every policy naming its pods are flagged", async () => {
    const all = await program(stack);
    const rs = all.filter((r) => r.type !== "kubernetes:apps/v1:Deployment");
    expect(rs.length).toBe(all.length - 1);
    const urnOf = (type: string, ns: string, name: string) =>
      rs.find((r) => r.type === type && meta(r).namespace === ns && meta(r).name === name)?.urn;
    const np = (ns: string, name: string) =>
      urnOf("kubernetes:networking.k8s.io/v1:NetworkPolicy", ns, name);
    const { violations } = await runPack(asStack(rs), PACK_CONFIG);
    expect(violations.map((v) => [v.policy, v.enforcementLevel, v.urn]).sort()).toEqual(
      [
        [
          PDB_SELECTOR_ADVISORY,
          "advisory",
          urnOf("kubernetes:policy/v1:PodDisruptionBudget", GATEWAY_NS, "gateway"),
        ],
        ...[
          "allow-gateway-public-ingress",
          "allow-gateway-metrics-ingress",
          "allow-nats-client-egress",
          "allow-redis-client-egress",
        ].map((n) => [SELECTOR_ADVISORY, "advisory", np(GATEWAY_NS, n)]),
      ].sort(),
    );
  });

  it("with the gateway budget at its replica count: exactly the eviction advisory on it", async () => {
    const rs = (await program(stack)).map((r) =>
      r.type === "kubernetes:policy/v1:PodDisruptionBudget" && meta(r).name === "gateway"
        ? {
            ...r,
            inputs: {
              ...r.inputs,
              spec: { ...(r.inputs.spec as object), minAvailable: stack === "prod" ? 3 : 2 },
            },
          }
        : r,
    );
    const pdb = rs.find(
      (r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget" && meta(r).name === "gateway",
    );
    const { violations } = await runPack(asStack(rs), PACK_CONFIG);
    expect(violations.map((v) => [v.policy, v.enforcementLevel, v.urn])).toEqual([
      [EVICTION_ADVISORY, "advisory", pdb?.urn],
    ]);
  });

  it("without the default-deny policies: exactly one Ingress violation per namespace", async () => {
    const rs = (await program(stack)).filter(
      (r) =>
        !(
          r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
          meta(r).name === "default-deny"
        ),
    );
    const { violations, cantRun } = await runPack(asStack(rs), PACK_CONFIG);
    const nsUrn = (name: string) =>
      rs.find((r) => r.type === "kubernetes:core/v1:Namespace" && meta(r).name === name)?.urn;
    // Egress stays isolated: each namespace's DNS egress policy selects every pod with
    // policyTypes [Egress]. Ingress is only isolated for the server pods, not the namespace.
    expect(violations.map((v) => [v.policy, v.enforcementLevel, v.urn])).toEqual(
      TIER_NAMESPACES.map((n) => [MANDATORY_NETWORK, "mandatory", nsUrn(n)]),
    );
    for (const [i, n] of TIER_NAMESPACES.entries()) {
      expect(violations[i]?.message).toContain(
        `Namespace ${n} is not isolated for Ingress traffic`,
      );
    }
    expect(cantRun).toEqual([]);
  });

  it("without the NATS budget: exactly one violation, on the NATS StatefulSet", async () => {
    const all = await program(stack);
    const rs = all.filter(
      (r) => !(r.type === "kubernetes:policy/v1:PodDisruptionBudget" && meta(r).name === "nats"),
    );
    expect(rs.length).toBe(all.length - 1);
    const nats = rs.find(
      (r) => r.type === "kubernetes:apps/v1:StatefulSet" && meta(r).name === "nats",
    );
    const { violations } = await runPack(asStack(rs), PACK_CONFIG);
    expect(violations.map((v) => [v.policy, v.enforcementLevel, v.urn])).toEqual([
      [MANDATORY_PDB, "mandatory", nats?.urn],
    ]);
    expect(violations[0]?.message).toContain(
      "StatefulSet kgents-agents/nats (3 replicas) has no PodDisruptionBudget in namespace kgents-agents",
    );
  });

  it("with the NATS budget lowered to minAvailable 1: exactly the JetStream quorum advisory", async () => {
    const rs = (await program(stack)).map((r) =>
      r.type === "kubernetes:policy/v1:PodDisruptionBudget" && meta(r).name === "nats"
        ? { ...r, inputs: { ...r.inputs, spec: { ...(r.inputs.spec as object), minAvailable: 1 } } }
        : r,
    );
    const nats = rs.find(
      (r) => r.type === "kubernetes:apps/v1:StatefulSet" && meta(r).name === "nats",
    );
    const { violations } = await runPack(asStack(rs), PACK_CONFIG);
    expect(violations.map((v) => [v.policy, v.enforcementLevel, v.urn])).toEqual([
      [JETSTREAM, "advisory", nats?.urn],
    ]);
  });
});

describe("the flow table's rendered NetworkPolicies", () => {
  const namespaces = (prefix: string): TestResource[] =>
    TIERS.map((t) => ({
      type: "kubernetes:core/v1:Namespace",
      name: tierNamespace(prefix, t),
      props: { metadata: { name: tierNamespace(prefix, t) } },
    }));
  const policiesOf = (prefix: string, extra: string[] = []): TestResource[] =>
    networkPolicies(
      flowTable({
        ingressNamespace: "ingress-nginx",
        gatewayPort: 8080,
        extraFlows: extra.map((e) => {
          const f = parseExtraFlow(e);
          if (typeof f === "string") throw new Error(f);
          return f;
        }),
      }),
      prefix,
    ).map(({ manifest: m }) => ({
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      name: `${m.metadata?.namespace}-${m.metadata?.name}`,
      props: { metadata: m.metadata, spec: m.spec },
    }));

  it.each([
    ["kgents", []],
    ["acme", ["observability->triad/redis:9121/TCP", "gateway->agents:8080/TCP"]],
  ] as const)(
    "satisfy the default-deny and immutable-label policies for prefix %s with extra flows %j",
    async (prefix, extra) => {
      const { violations, cantRun } = await runPack(
        [...namespaces(prefix), ...policiesOf(prefix, [...extra])],
        PACK_CONFIG,
      );
      // Without workloads only the "selector matches pods" advisory can speak; nothing else may.
      expect(violations.filter((v) => v.policy !== SELECTOR_ADVISORY)).toEqual([]);
      expect(cantRun).toEqual([]);
    },
  );
});
