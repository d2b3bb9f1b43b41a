// Our core (lib/connectivity/policy-engine.ts) against Cyclonus' matcher on public NetworkPolicy
// cases: the Kubernetes documentation's examples and the upstream e2e suite's cases, rewritten
// as our own fixtures (tests/connectivity/fixtures/differential, each naming its source) into the
// upstream e2e world: namespaces x, y, z (label ns=<name>), pods a, b, c (label pod=<name>),
// serving 80 and 81 on TCP, UDP and SCTP (ports named serve-<port>-<proto>). Every pair of pods,
// on every port and protocol, must get the same answer (ingress, egress, overall) from both, and
// each fixture's `# expect:` lines (what its source says) must hold. The value y is quoted in the
// fixtures: YAML 1.1 parsers (kubectl, Go's sigs.k8s.io/yaml) read a bare y as the boolean true.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { asKubeObject } from "../../lib/connectivity/objects";
import { decideTraffic, inCidr, policySet } from "../../lib/connectivity/policy-engine";
import type { Query } from "../../lib/connectivity/report";
import type { WorkloadNode } from "../../lib/connectivity/workloads";
import { askCyclonus } from "../../scripts/connectivity/cyclonus";

const FIXTURES = join(__dirname, "fixtures", "differential");
const NAMESPACES = ["x", "y", "z"];
const PODS = ["a", "b", "c"];
const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
const PORTS = [80, 81];

const world: WorkloadNode[] = NAMESPACES.flatMap((ns, i) =>
  PODS.map((pod, j) => ({
    id: `${ns}/${pod}`,
    name: pod,
    namespace: ns,
    namespaceLabels: { ns, "kubernetes.io/metadata.name": ns },
    podLabels: { pod },
    ip: `10.0.${i + 1}.${j + 1}`,
    origin: "object" as const,
    ports: PORTS.flatMap((port) =>
      PROTOCOLS.map((protocol) => ({
        name: `serve-${port}-${protocol.toLowerCase()}`,
        port,
        protocol,
      })),
    ),
  })),
);

const queries: Query[] = world.flatMap((source) =>
  world.flatMap((destination) =>
    PORTS.flatMap((port) =>
      PROTOCOLS.map((protocol) => ({
        source,
        destination,
        probe: { port, protocol },
        portName: `serve-${port}-${protocol.toLowerCase()}`,
      })),
    ),
  ),
);

const key = (q: Query) =>
  `${q.source.id} -> ${q.destination.id} ${q.probe.port}/${q.probe.protocol}`;

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("differential: our core and Cyclonus on public NetworkPolicy cases", () => {
  it("has at least 20 cases, each naming its source", () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const f of files) {
      expect(readFileSync(join(FIXTURES, f), "utf8")).toMatch(/^# source: \S/);
    }
  });

  it.each(files)("%s", (file) => {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    const objects = parseAllDocuments(text)
      .map((d) => d.toJS() as unknown)
      .filter((d) => d !== null)
      .map((d, i) => asKubeObject(d, `${file} document ${i}`));
    const set = policySet(objects);
    expect(set.policies.length).toBeGreaterThan(0);
    const ours = queries.map((q) =>
      decideTraffic(set, {
        source: q.source,
        destination: q.destination,
        port: q.probe.port,
        protocol: q.probe.protocol,
        ...(q.portName ? { portName: q.portName } : {}),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), "kgents-diff-"));
    copyFileSync(join(FIXTURES, file), join(dir, file));
    const theirs = askCyclonus(dir, queries);
    const differences = queries.flatMap((q, i) => {
      const o = ours[i]!;
      const t = theirs[i]!;
      return o.allowed === t.allowed &&
        o.ingress.allowed === t.ingress &&
        o.egress.allowed === t.egress
        ? []
        : [`${key(q)}: ours ${o.allowed} cyclonus ${t.allowed}`];
    });
    expect(differences).toEqual([]);

    // What the source says, checked on our core (and so on Cyclonus, which agrees).
    const verdict = new Map(queries.map((q, i) => [key(q), ours[i]!.allowed]));
    const expects = [...text.matchAll(/^# expect: (\S+ -> \S+ \d+\/\w+) (allow|deny)$/gm)];
    expect(expects.length).toBeGreaterThan(0);
    for (const [, flow, want] of expects) {
      expect({ flow, allowed: verdict.get(flow!) }).toEqual({ flow, allowed: want === "allow" });
    }
  });
});

describe("policy engine details", () => {
  it("matches IPv4 CIDRs, never IPv6 ones, and rejects bad prefix lengths", () => {
    expect(inCidr("10.0.1.2", "10.0.0.0/16")).toBe(true);
    expect(inCidr("10.1.0.1", "10.0.0.0/16")).toBe(false);
    expect(inCidr("10.0.1.2", "10.0.1.2/32")).toBe(true);
    expect(inCidr("10.0.1.2", "0.0.0.0/0")).toBe(true);
    expect(inCidr("10.0.1.2", "::/0")).toBe(false);
    expect(() => inCidr("10.0.1.2", "10.0.0.0/33")).toThrow(/cidr = "10.0.0.0\/33": prefix length/);
  });

  it("rejects a peer with no selector at all, naming the policy", () => {
    const set = policySet([
      asKubeObject(
        {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "broken", namespace: "x" },
          spec: { podSelector: {}, ingress: [{ from: [{}] }] },
        },
        "inline",
      ),
    ]);
    const [a, b] = world;
    expect(() =>
      decideTraffic(set, { source: a!, destination: b!, port: 80, protocol: "TCP" }),
    ).toThrow(
      /x\/broken: spec.ingress\[0\].from\[0\] has none of podSelector, namespaceSelector, ipBlock/,
    );
  });
});
