// The production checklist: the launch plan's blocking items, what a verdict on one holds (status,
// the command that proved it, its evidence), and the Markdown written to
// docs/production-checklist.md. Pure: `npm run readiness` (scripts/readiness.ts) gathers the
// evidence and hands it here.

export type Severity = "HIGH" | "MEDIUM";
/** DEFERRED: decided not to block the launch, with the reason recorded; never a pass. */
export type Status = "PASS" | "FAIL" | "DEFERRED";

export interface ChecklistItem {
  readonly id: ItemId;
  readonly title: string;
  readonly severity: Severity;
  /** What the launch plan fears if this item is wrong. */
  readonly risk: string;
}

export const ITEM_IDS = [
  "nats-network-policies",
  "redis-network-policies",
  "default-allow-audit",
  "nats-pdb",
  "nats-drain",
  "load-baseline",
  "log-aggregation",
] as const;
export type ItemId = (typeof ITEM_IDS)[number];

/** The launch plan's blocking items, in the order the checklist lists them. */
export const LAUNCH_ITEMS: readonly ChecklistItem[] = [
  {
    id: "nats-network-policies",
    title: "Network policies for NATS (kgents-agents)",
    severity: "HIGH",
    risk: "any pod in the cluster can reach the message bus and its cluster routes",
  },
  {
    id: "redis-network-policies",
    title: "Network policies for Redis (kgents-triad)",
    severity: "HIGH",
    risk: "any pod in the cluster can reach the idempotency store",
  },
  {
    id: "default-allow-audit",
    title: "Default-allow audit: no tier namespace admits traffic the flow table does not name",
    severity: "HIGH",
    risk: "a namespace without default-deny, or a rule wider than its flow, silently opens the tier",
  },
  {
    id: "nats-pdb",
    title: "NATS PodDisruptionBudget keeps the JetStream quorum",
    severity: "HIGH",
    risk: "a node drain takes two NATS servers at once and JetStream stops accepting writes",
  },
  {
    id: "nats-drain",
    title: "A drain of NATS: one eviction accepted, the next refused",
    severity: "HIGH",
    risk: "the budget exists but the eviction API does not honour it",
  },
  {
    id: "load-baseline",
    title: "Load baseline of /health/saas within its budget",
    severity: "HIGH",
    risk: "unknown capacity limits",
  },
  {
    id: "log-aggregation",
    title: "Log aggregation",
    severity: "MEDIUM",
    risk: "incidents are investigated pod by pod",
  },
];

/** What one check found: the verdict, how to reproduce it, and what it saw. */
export interface Verdict {
  readonly id: ItemId;
  readonly status: Status;
  /** One line: why this status. */
  readonly summary: string;
  /** The commands (or API calls) that produced the evidence, as a reader would run them. */
  readonly commands: readonly string[];
  /** Evidence blocks, each a caption and verbatim text. */
  readonly evidence: readonly { readonly caption: string; readonly text: string }[];
}

export interface ChecklistRun {
  readonly stack: string;
  /** ISO date-time of the run. */
  readonly date: string;
  /** `git rev-parse HEAD` (+ "-dirty" when the work tree had changes). */
  readonly commit: string;
  /** The cluster as a reader may see it (context and API server, never a file path). */
  readonly cluster: string;
  /** The command line that produced the document. */
  readonly command: string;
  readonly verdicts: readonly Verdict[];
}

export function item(id: ItemId): ChecklistItem {
  const found = LAUNCH_ITEMS.find((i) => i.id === id);
  if (!found) throw new Error(`unknown checklist item ${id}`);
  return found;
}

/** HIGH items that did not pass: any of them makes the run fail (exit 1). */
export function blockingFailures(run: ChecklistRun): ChecklistItem[] {
  return LAUNCH_ITEMS.filter((i) => {
    if (i.severity !== "HIGH") return false;
    const v = run.verdicts.find((x) => x.id === i.id);
    // A HIGH item without a verdict was not proven: it blocks like a failure.
    return v === undefined || v.status !== "PASS";
  });
}

/** Verdicts in checklist order; an item nobody judged is a FAIL that says so. */
export function completeVerdicts(verdicts: readonly Verdict[]): Verdict[] {
  return LAUNCH_ITEMS.map(
    (i) =>
      verdicts.find((v) => v.id === i.id) ?? {
        id: i.id,
        status: "FAIL",
        summary: "not checked in this run",
        commands: [],
        evidence: [],
      },
  );
}

const FENCE = "```";

function fenced(text: string): string {
  // A fence longer than any backtick run inside keeps the evidence verbatim.
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = longest >= 3 ? "`".repeat(longest + 1) : FENCE;
  return `${fence}text\n${text.replace(/\s+$/, "")}\n${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The checklist document (docs/production-checklist.md). */
export function renderChecklist(run: ChecklistRun): string {
  const verdicts = completeVerdicts(run.verdicts);
  const blocking = blockingFailures({ ...run, verdicts });
  const lines: string[] = [
    "# Production checklist",
    "",
    `Generated by \`${run.command}\` — do not edit by hand; rerun the command.`,
    "",
    `- Stack: \`${run.stack}\``,
    `- Cluster: ${run.cluster}`,
    `- Date: ${run.date}`,
    `- Commit: \`${run.commit}\``,
    `- Result: ${
      blocking.length === 0
        ? "**every HIGH item PASSES**"
        : `**${blocking.length} HIGH item(s) FAIL**: ${blocking.map((i) => i.id).join(", ")}`
    }`,
    "",
    "| # | item | severity | status | why |",
    "|---|------|----------|--------|-----|",
  ];
  verdicts.forEach((v, n) => {
    const i = item(v.id);
    lines.push(
      `| ${n + 1} | [${cell(i.title)}](#${v.id}) | ${i.severity} | **${v.status}** | ${cell(v.summary)} |`,
    );
  });
  for (const v of verdicts) {
    const i = item(v.id);
    lines.push(
      "",
      `## ${v.id}`,
      "",
      `**${i.title}** — ${i.severity} — **${v.status}**: ${v.summary}`,
      "",
      `Risk if wrong: ${i.risk}.`,
    );
    if (v.commands.length > 0) {
      lines.push("", "Proved by:", "");
      for (const c of v.commands) lines.push(`- \`${c}\``);
    }
    for (const e of v.evidence) lines.push("", `${e.caption}:`, "", fenced(e.text));
  }
  return lines.join("\n") + "\n";
}
