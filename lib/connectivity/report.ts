// The connectivity report: every (source workload -> destination workload : port/protocol) the
// policies allow, compared with the flow table, and (optionally) with a second analyzer's answers
// to the same queries. Pure: the CLI feeds it objects and prints what it returns.
import type { Flow } from "../flows";
import type { PolicySet, Verdict } from "./policy-engine";
import { decideTraffic, policySet } from "./policy-engine";
import { type PortProbe, intendedBy } from "./intended";
import type { KubeObject } from "./objects";
import { type WorkloadNode, workloadModel } from "./workloads";

export interface Query {
  readonly source: WorkloadNode;
  readonly destination: WorkloadNode;
  readonly probe: PortProbe;
  /** Name of the destination's container port with this number and protocol. */
  readonly portName?: string;
}

export interface Cell {
  readonly query: Query;
  readonly verdict: Verdict;
  /** Flows of the table that intend it; empty when not intended. */
  readonly intendedBy: readonly string[];
}

/** What a second analyzer said about one query. */
export interface SecondAnswer {
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly allowed: boolean;
}

export interface SideDifference {
  readonly side: "egress" | "ingress";
  readonly kind: "unintended" | "missing";
  readonly cell: Cell;
}

export interface Disagreement {
  readonly query: Query;
  readonly ours: SecondAnswer;
  readonly theirs: SecondAnswer;
}

export interface ConnectivityReport {
  readonly title: string;
  readonly workloads: readonly WorkloadNode[];
  readonly probes: readonly PortProbe[];
  readonly policyCount: number;
  readonly cells: readonly Cell[];
  /** Allowed by the policies, intended by no flow. */
  readonly unintended: readonly Cell[];
  /** Intended by a flow, blocked by the policies. */
  readonly missing: readonly Cell[];
  /**
   * The same comparison for each side alone: every flow must be an egress rule at the client and
   * an ingress rule at the server, so a mistake one side hides behind the other still counts.
   * Egress is judged for sources inside the tier, ingress for destinations inside it.
   */
  readonly sides: readonly SideDifference[];
  /** Set when a second analyzer answered: its name and where it disagrees with ours. */
  readonly secondOpinion?: {
    readonly name: string;
    readonly disagreements: readonly Disagreement[];
  };
}

/** A port that no probe set uses: stands for "any other port" (rules without ports). */
export const OTHER_PORT = 65535;

/**
 * The ports worth asking about: every port of the flow table, every port number a policy names
 * (both ends of a range), every container port; each with TCP and UDP; plus one port nobody
 * names, so a rule open on every port shows up.
 */
export function probePorts(
  set: PolicySet,
  flows: readonly Flow[],
  workloads: readonly WorkloadNode[],
): PortProbe[] {
  const numbers = new Set<number>([OTHER_PORT]);
  for (const f of flows) for (const p of f.ports) numbers.add(p.port);
  for (const w of workloads) for (const p of w.ports) numbers.add(p.port);
  for (const { np } of set.policies) {
    for (const rules of [np.ingress, np.egress]) {
      if (!Array.isArray(rules)) continue;
      for (const r of rules as { ports?: unknown }[]) {
        if (!Array.isArray(r.ports)) continue;
        for (const p of r.ports as { port?: unknown; endPort?: number }[]) {
          if (typeof p.port === "number") numbers.add(p.port);
          if (typeof p.endPort === "number") numbers.add(p.endPort);
        }
      }
    }
  }
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted.flatMap((port) => [
    { port, protocol: "TCP" as const },
    { port, protocol: "UDP" as const },
  ]);
}

/** Every query: pairs with at least one end inside the tier, times every probe port. */
export function queriesOf(
  workloads: readonly WorkloadNode[],
  probes: readonly PortProbe[],
): Query[] {
  const out: Query[] = [];
  for (const source of workloads) {
    for (const destination of workloads) {
      if (source.tier === undefined && destination.tier === undefined) continue;
      for (const probe of probes) {
        const named = destination.ports.find(
          (p) => p.port === probe.port && p.protocol === probe.protocol && p.name !== "",
        );
        out.push(
          named
            ? { source, destination, probe, portName: named.name }
            : { source, destination, probe },
        );
      }
    }
  }
  return out;
}

export interface AnalyzeInputs {
  readonly title: string;
  readonly objects: readonly KubeObject[];
  readonly flows: readonly Flow[];
  readonly namespacePrefix: string;
}

/** Runs our core over every query and compares with the flow table. */
export function analyze(inputs: AnalyzeInputs): ConnectivityReport {
  const set = policySet(inputs.objects);
  const workloads = workloadModel(inputs);
  const probes = probePorts(set, inputs.flows, workloads);
  const cells: Cell[] = queriesOf(workloads, probes).map((query) => ({
    query,
    verdict: decideTraffic(set, {
      source: query.source,
      destination: query.destination,
      port: query.probe.port,
      protocol: query.probe.protocol,
      ...(query.portName ? { portName: query.portName } : {}),
    }),
    intendedBy: intendedBy(
      inputs.flows,
      inputs.namespacePrefix,
      query.source,
      query.destination,
      query.probe,
    ),
  }));
  return {
    title: inputs.title,
    workloads,
    probes,
    policyCount: set.policies.length,
    cells,
    unintended: cells.filter((c) => c.verdict.allowed && c.intendedBy.length === 0),
    missing: cells.filter((c) => !c.verdict.allowed && c.intendedBy.length > 0),
    sides: sideDifferences(cells),
  };
}

function sideDifferences(cells: readonly Cell[]): SideDifference[] {
  const out: SideDifference[] = [];
  for (const side of ["egress", "ingress"] as const) {
    for (const cell of cells) {
      const judged =
        side === "egress"
          ? cell.query.source.tier !== undefined
          : cell.query.destination.tier !== undefined;
      if (!judged) continue;
      const allowed = cell.verdict[side].allowed;
      const intended = cell.intendedBy.length > 0;
      if (allowed && !intended) out.push({ side, kind: "unintended", cell });
      if (!allowed && intended) out.push({ side, kind: "missing", cell });
    }
  }
  return out;
}

/** Adds a second analyzer's answers (one per cell, same order) and where they differ. */
export function withSecondOpinion(
  report: ConnectivityReport,
  name: string,
  answers: readonly SecondAnswer[],
): ConnectivityReport {
  if (answers.length !== report.cells.length) {
    throw new Error(
      `${name} answered ${answers.length} queries, ${report.cells.length} were asked`,
    );
  }
  const disagreements: Disagreement[] = [];
  report.cells.forEach((c, i) => {
    const theirs = answers[i] as SecondAnswer;
    const ours = {
      ingress: c.verdict.ingress.allowed,
      egress: c.verdict.egress.allowed,
      allowed: c.verdict.allowed,
    };
    if (
      ours.allowed !== theirs.allowed ||
      ours.ingress !== theirs.ingress ||
      ours.egress !== theirs.egress
    ) {
      disagreements.push({ query: c.query, ours, theirs });
    }
  });
  return { ...report, secondOpinion: { name, disagreements } };
}

/** Whether the report shows any difference (the CLI exits non-zero then). */
export function hasDifferences(r: ConnectivityReport): boolean {
  return (
    r.unintended.length > 0 ||
    r.missing.length > 0 ||
    r.sides.length > 0 ||
    (r.secondOpinion?.disagreements.length ?? 0) > 0
  );
}

export function portLabel(p: PortProbe): string {
  return p.port === OTHER_PORT ? `any other port/${p.protocol}` : `${p.port}/${p.protocol}`;
}

/** `src -> dst : port/proto`, the exact offending flow. */
export function flowLabel(q: Query): string {
  return `${q.source.id} -> ${q.destination.id} : ${portLabel(q.probe)}`;
}

function blockedAt(v: Verdict): string {
  const sides = [];
  if (!v.egress.allowed) sides.push("egress of the source");
  if (!v.ingress.allowed) sides.push("ingress of the destination");
  return sides.join(" and ");
}

function allowedVia(v: Verdict): string {
  const side = (d: Verdict["ingress"], what: string): string =>
    d.isolated ? `${what} by ${d.allowedBy.join(", ")}` : `${what}: not isolated`;
  return `${side(v.egress, "egress")}; ${side(v.ingress, "ingress")}`;
}

/** Allowed cells grouped per (source, destination), ports joined. */
export function allowedEdges(
  r: ConnectivityReport,
): { source: WorkloadNode; destination: WorkloadNode; ports: string[]; intended: boolean }[] {
  const edges = new Map<
    string,
    { source: WorkloadNode; destination: WorkloadNode; ports: string[]; intended: boolean }
  >();
  for (const c of r.cells) {
    if (!c.verdict.allowed) continue;
    const k = `${c.query.source.id}\u0000${c.query.destination.id}`;
    let e = edges.get(k);
    if (!e) {
      e = { source: c.query.source, destination: c.query.destination, ports: [], intended: true };
      edges.set(k, e);
    }
    e.ports.push(portLabel(c.query.probe));
    if (c.intendedBy.length === 0) e.intended = false;
  }
  return [...edges.values()];
}

/** The report as Markdown: workloads, allowed flows, differences, second opinion. */
export function renderMarkdown(r: ConnectivityReport): string {
  const lines: string[] = [];
  const ok = !hasDifferences(r);
  lines.push(`# ${r.title}`, "");
  lines.push(
    `${ok ? "**Equal to the flow table.**" : "**DIFFERENT from the flow table.**"} ` +
      `${r.policyCount} NetworkPolicies, ${r.workloads.length} workloads, ` +
      `${r.probes.length} port probes, ${r.cells.length} queries; ` +
      `${r.unintended.length} allowed but not intended, ${r.missing.length} intended but blocked, ` +
      `${r.sides.length} per-side differences` +
      (r.secondOpinion
        ? `; ${r.secondOpinion.name} disagrees on ${r.secondOpinion.disagreements.length}.`
        : "."),
    "",
  );
  lines.push(
    "## Workloads",
    "",
    "| workload | tier | from | labels | note |",
    "|---|---|---|---|---|",
  );
  for (const w of r.workloads) {
    const labels =
      Object.entries(w.podLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ") || "(none)";
    lines.push(
      `| ${w.id} | ${w.tier ?? "outside"} | ${w.origin === "object" ? "manifest" : "modelled"} | ${labels} | ${w.note ?? ""} |`,
    );
  }
  lines.push(
    "",
    "Modelled workloads exist today only as a namespace or as a peer of the flow table; they carry",
    "only the labels the flow table gives them. Pairs where both ends are outside the tier are not",
    "asked. Port probes: every port of the flow table, of the policies and of the containers, each",
    `with TCP and UDP, plus ${OTHER_PORT} for "any other port".`,
    "",
  );
  lines.push("## Allowed flows", "", "| from | to | ports | intended |", "|---|---|---|---|");
  for (const e of allowedEdges(r)) {
    lines.push(
      `| ${e.source.id} | ${e.destination.id} | ${e.ports.join(", ")} | ${e.intended ? "yes" : "**NO**"} |`,
    );
  }
  lines.push("", `## Allowed but not intended (${r.unintended.length})`, "");
  if (r.unintended.length === 0) lines.push("None.");
  else {
    lines.push("| flow | allowed through |", "|---|---|");
    for (const c of r.unintended)
      lines.push(`| ${flowLabel(c.query)} | ${allowedVia(c.verdict)} |`);
  }
  lines.push("", `## Intended but blocked (${r.missing.length})`, "");
  if (r.missing.length === 0) lines.push("None.");
  else {
    lines.push("| flow | flow table | blocked at |", "|---|---|---|");
    for (const c of r.missing) {
      lines.push(
        `| ${flowLabel(c.query)} | ${c.intendedBy.join(", ")} | ${blockedAt(c.verdict)} |`,
      );
    }
  }
  lines.push(
    "",
    `## Per side: egress at the client, ingress at the server (${r.sides.length})`,
    "",
  );
  if (r.sides.length === 0) {
    lines.push("Each side alone allows exactly the flow table: no flow relies on the other side.");
  } else {
    lines.push("| side | difference | flow | policies |", "|---|---|---|---|");
    for (const d of r.sides) {
      const v = d.cell.verdict[d.side];
      lines.push(
        `| ${d.side} | ${d.kind === "unintended" ? "allowed, not intended" : "intended, blocked"} | ${flowLabel(d.cell.query)} | ${v.allowedBy.join(", ") || (v.isolated ? "(isolated, no rule matches)" : "(not isolated)")} |`,
      );
    }
  }
  if (r.secondOpinion) {
    const d = r.secondOpinion.disagreements;
    lines.push("", `## Second opinion: ${r.secondOpinion.name}`, "");
    if (d.length === 0) {
      lines.push(
        `Agrees with our core on all ${r.cells.length} queries (ingress, egress, overall).`,
      );
    } else {
      lines.push("| flow | ours (in/eg/all) | theirs (in/eg/all) |", "|---|---|---|");
      const yn = (a: SecondAnswer): string =>
        [a.ingress, a.egress, a.allowed].map((b) => (b ? "allow" : "deny")).join("/");
      for (const x of d) lines.push(`| ${flowLabel(x.query)} | ${yn(x.ours)} | ${yn(x.theirs)} |`);
    }
  }
  return lines.join("\n") + "\n";
}
