// Tier namespaces (lib/namespaces): one per tier, named `<prefix>-<tier>`, labelled with the
// tier and enforcing the restricted Pod Security Standard.
import { describe, expect, it } from "vitest";
import { tierNamespaces } from "../../../../lib/namespaces";

describe("tier namespaces", () => {
  it("makes one restricted namespace per tier", () => {
    const ns = tierNamespaces("acme");
    expect(ns.map((n) => `${n.tier}:${n.manifest.metadata?.name}`)).toEqual([
      "agents:acme-agents",
      "triad:acme-triad",
      "gateway:acme-gateway",
      "observability:acme-observability",
    ]);
    expect(ns[1]?.manifest.metadata?.labels).toEqual({
      "kgents.io/tier": "triad",
      "app.kubernetes.io/part-of": "kgents",
      "app.kubernetes.io/managed-by": "pulumi",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });
});
