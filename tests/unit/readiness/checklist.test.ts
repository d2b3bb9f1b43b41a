// lib/readiness/checklist: the launch items, the exit rule (any HIGH item not PASS blocks) and the
// document written to docs/production-checklist.md.
import { describe, expect, it } from "vitest";
import {
  blockingFailures,
  type ChecklistRun,
  completeVerdicts,
  ITEM_IDS,
  LAUNCH_ITEMS,
  renderChecklist,
  type Verdict,
} from "../../../lib/readiness/checklist";

const pass = (id: Verdict["id"]): Verdict => ({
  id,
  status: "PASS",
  summary: `${id} proven`,
  commands: [`kubectl get something ${id}`],
  evidence: [{ caption: "evidence", text: `NAME  ${id}\n` }],
});

const run = (verdicts: Verdict[]): ChecklistRun => ({
  stack: "prod",
  date: "2026-12-01T01:00:00.000Z",
  commit: "0123456789abcdef0123456789abcdef01234567",
  cluster: "context `kgents`, API server https://127.0.0.1:6443",
  command: "npm run readiness -- --stack prod",
  verdicts,
});

const allPass = () =>
  LAUNCH_ITEMS.map((i) =>
    i.id === "log-aggregation"
      ? { ...pass(i.id), status: "DEFERRED" as const, summary: "after launch" }
      : pass(i.id),
  );

describe("the launch items", () => {
  it("are the plan's blocking items, HIGH, and log aggregation deferrable", () => {
    expect(LAUNCH_ITEMS.map((i) => i.id)).toEqual([...ITEM_IDS]);
    expect(LAUNCH_ITEMS.filter((i) => i.severity === "HIGH").map((i) => i.id)).toEqual([
      "nats-network-policies",
      "redis-network-policies",
      "default-allow-audit",
      "nats-pdb",
      "nats-drain",
      "load-baseline",
    ]);
  });
});

describe("blockingFailures", () => {
  it("none when every HIGH item passes (a deferred MEDIUM item does not block)", () => {
    expect(blockingFailures(run(allPass()))).toEqual([]);
  });

  it("a HIGH item that fails, or that nobody judged, blocks", () => {
    const v = allPass().map((x) => (x.id === "nats-drain" ? { ...x, status: "FAIL" as const } : x));
    expect(blockingFailures(run(v)).map((i) => i.id)).toEqual(["nats-drain"]);
    const missing = allPass().filter((x) => x.id !== "load-baseline");
    expect(blockingFailures(run(missing)).map((i) => i.id)).toEqual(["load-baseline"]);
    // DEFERRED is not a pass for a HIGH item.
    const deferred = allPass().map((x) =>
      x.id === "nats-pdb" ? { ...x, status: "DEFERRED" as const } : x,
    );
    expect(blockingFailures(run(deferred)).map((i) => i.id)).toEqual(["nats-pdb"]);
  });

  it("completeVerdicts fills an unjudged item with a FAIL that says so", () => {
    const v = completeVerdicts([pass("nats-pdb")]);
    expect(v.map((x) => x.id)).toEqual([...ITEM_IDS]);
    expect(v.find((x) => x.id === "load-baseline")).toMatchObject({
      status: "FAIL",
      summary: "not checked in this run",
    });
  });
});

describe("renderChecklist", () => {
  it("heads with stack, cluster, date, commit and the result, then one row and one section per item", () => {
    const md = renderChecklist(run(allPass()));
    expect(md).toContain("- Stack: `prod`");
    expect(md).toContain("- Date: 2026-12-01T01:00:00.000Z");
    expect(md).toContain("- Commit: `0123456789abcdef0123456789abcdef01234567`");
    expect(md).toContain("- Result: **every HIGH item PASSES**");
    for (const id of ITEM_IDS) expect(md).toContain(`\n## ${id}\n`);
    expect(md).toMatch(/\| 6 \| \[Load baseline[^\n]*\| HIGH \| \*\*PASS\*\* \|/);
    expect(md).toMatch(
      /\| 7 \| \[Log aggregation\]\(#log-aggregation\) \| MEDIUM \| \*\*DEFERRED\*\* \| after launch \|/,
    );
    expect(md).toContain("- `kubectl get something nats-pdb`");
    expect(md).toContain("```text\nNAME  nats-pdb\n```");
  });

  it("names the failing HIGH items in the result line", () => {
    const v = allPass().map((x) =>
      x.id === "default-allow-audit"
        ? { ...x, status: "FAIL" as const, summary: "kgents-agents: no default-deny | for ingress" }
        : x,
    );
    const md = renderChecklist(run(v));
    expect(md).toContain("- Result: **1 HIGH item(s) FAIL**: default-allow-audit");
    // A pipe in a summary must not break the table.
    expect(md).toContain("no default-deny \\| for ingress");
  });

  it("keeps evidence verbatim even when it contains a code fence", () => {
    const v = [{ ...pass("nats-pdb"), evidence: [{ caption: "c", text: "a\n```\nb" }] }];
    expect(renderChecklist(run(v))).toContain("````text\na\n```\nb\n````");
  });
});
