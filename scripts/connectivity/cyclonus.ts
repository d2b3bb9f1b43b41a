// Asks Cyclonus' policy matcher (our Go driver tools/src/cyclonus, built by
// `scripts/tools.sh cyclonus`) the report's queries about the NetworkPolicies in a manifests
// directory: the independent second opinion on our core.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Query, SecondAnswer } from "../../lib/connectivity/report";
import { REPO_ROOT } from "./stack";

export const CYCLONUS_BIN = join(REPO_ROOT, "bin", "cyclonus-check");

const peer = (w: Query["source"]) => ({
  namespace: w.namespace,
  namespaceLabels: w.namespaceLabels,
  podLabels: w.podLabels,
  ip: w.ip,
});

export function askCyclonus(manifestsDir: string, queries: readonly Query[]): SecondAnswer[] {
  if (!existsSync(CYCLONUS_BIN)) {
    throw new Error(`${CYCLONUS_BIN} is missing: run \`bash scripts/tools.sh cyclonus\``);
  }
  const input = JSON.stringify(
    queries.map((q) => ({
      source: peer(q.source),
      destination: peer(q.destination),
      port: q.probe.port,
      portName: q.portName ?? "",
      protocol: q.probe.protocol,
    })),
  );
  const r = spawnSync(CYCLONUS_BIN, ["--manifests", manifestsDir], {
    input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(
      `cyclonus-check failed (exit ${String(r.status)}): ${r.stderr || r.error?.message}`,
    );
  }
  const out = JSON.parse(r.stdout) as { answers: SecondAnswer[] };
  return out.answers;
}
