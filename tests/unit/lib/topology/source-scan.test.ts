// The vocabulary lives in lib/topology only: this scans the program and the policy pack for
// copies of a port number, a tier name, a label or annotation key, or the quorum formula.
// Tests are not scanned (they write expectations out independently on purpose).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ANNOTATION,
  HOSTNAME_TOPOLOGY_KEY,
  KUBE_DNS,
  LABEL,
  NAMESPACE_NAME_LABEL,
  namespaceLabels,
  TIER_LABEL,
  TIERS,
  WORKLOADS,
} from "../../../../lib/topology";
import { ROOT } from "../../../support/stack-files";

const SCANNED = [
  "index.ts",
  "components",
  "lib",
  "policy-pack/index.ts",
  "policy-pack/analysis",
  "policy-pack/policies",
  "policy-pack/support",
];
const TOPOLOGY = path.join("lib", "topology");

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const entry of SCANNED) {
    const abs = path.join(ROOT, entry);
    if (fs.statSync(abs).isFile()) out.push(entry);
    else
      for (const f of fs.readdirSync(abs, { recursive: true, encoding: "utf8" }))
        if (f.endsWith(".ts")) out.push(path.join(entry, f));
  }
  return out.filter((f) => !f.startsWith(TOPOLOGY + path.sep));
}

/** Code without comments (URLs in strings survive: `//` inside quotes is kept). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\/\/.*$/, "").replace(/\s\/\/\s.*$/, ""))
    .join("\n");
}

const ports = [
  ...new Set([...Object.values(WORKLOADS).flatMap((w) => Object.values(w.ports)), KUBE_DNS.port]),
];
const labelKeys = [
  ...Object.values(LABEL),
  ...Object.values(ANNOTATION),
  ...Object.keys(namespaceLabels("agents", {})),
  ...Object.keys(KUBE_DNS.podLabels),
  TIER_LABEL,
  NAMESPACE_NAME_LABEL,
  HOSTNAME_TOPOLOGY_KEY,
];
const quoted = (s: string) =>
  new RegExp(`["'\`]${s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}["'\`]`);

/** Each rule: what it forbids and how to find it in code. */
const RULES: [string, RegExp][] = [
  ...ports.map((p): [string, RegExp] => [`port ${p}`, new RegExp(`(?<![\\w.])${p}(?![\\w.])`)]),
  ...TIERS.map((t): [string, RegExp] => [`tier name "${t}"`, quoted(t)]),
  ...labelKeys.map((k): [string, RegExp] => [`label key ${k}`, quoted(k)]),
  ["quorum formula", /\/\s*2\s*\)\s*\+\s*1|floor\(n\/2\)\+1/],
];

describe("lib/topology is the only home of the shared vocabulary", () => {
  const files = sourceFiles();

  it("scans the program and the policy pack", () => {
    expect(files).toContain("index.ts");
    expect(files).toContain(path.join("components", "nats-cluster.ts"));
    expect(files).toContain(path.join("lib", "nats", "manifests.ts"));
    expect(files).toContain(path.join("policy-pack", "analysis", "disruption.ts"));
    expect(files.some((f) => f.startsWith(TOPOLOGY))).toBe(false);
  });

  it("finds no port number, tier name, label key or quorum formula outside lib/topology", () => {
    const found: string[] = [];
    for (const f of files) {
      const lines = code(fs.readFileSync(path.join(ROOT, f), "utf8")).split("\n");
      lines.forEach((line, i) => {
        for (const [what, re] of RULES)
          if (re.test(line)) found.push(`${f}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it("would catch a copy (the rules match the vocabulary they guard)", () => {
    const probe = (line: string) => RULES.filter(([, re]) => re.test(line)).map(([w]) => w);
    expect(probe("const p = 4222;")).toEqual(["port 4222"]);
    expect(probe('tierNamespace(prefix, "agents")')).toEqual(['tier name "agents"']);
    expect(probe('{ "app.kubernetes.io/name": "nats" }')).toEqual([
      "label key app.kubernetes.io/name",
    ]);
    expect(probe("Math.floor(n / 2) + 1")).toEqual(["quorum formula"]);
    expect(probe("const x = 42220; const v = 1.4222;")).toEqual([]);
  });
});
