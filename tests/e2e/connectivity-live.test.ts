// `npm run connectivity -- dev --live` after a real `pulumi up` on the local cluster: the live
// objects allow exactly the flow table (our core and Cyclonus agree); a policy edited by hand with
// kubectl after the deploy is caught with the exact flow it opens; `pulumi up --refresh` puts
// the program's policy back and the report is clean again. The stack is destroyed on every exit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { must, saveArtifact, sh } from "./support";

const PACK =
  "--policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json";

function liveReport(): { code: number; stdout: string; stderr: string } {
  // The npm script as users run it (builds/links the Cyclonus driver, the project's node).
  const r = sh("npm run --silent connectivity -- dev --live", {}, 300_000);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

describe("connectivity --live on the local cluster", () => {
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    must("bash scripts/local-stack.sh dev");
    must("pulumi destroy --stack dev --yes --skip-preview", {}, 600_000);
    must(`pulumi up --stack dev --yes ${PACK}`, {}, 900_000);
  });

  afterAll(() => {
    sh("pulumi destroy --stack dev --yes --skip-preview", {}, 900_000);
  });

  it("the deployed objects allow exactly the flow table, and Cyclonus agrees", () => {
    const r = liveReport();
    saveArtifact("connectivity-live-dev.md", r.stdout);
    expect(r.stdout).toContain("Connectivity of stack dev (live cluster objects)");
    expect(r.stdout).toContain("**Equal to the flow table.**");
    expect(r.stdout).toMatch(/Agrees with our core on all \d+ queries/);
    expect(r.stdout).toContain(
      "| kgents-agents/nats | kgents-agents/nats | 4222/TCP, 6222/TCP | yes |",
    );
    expect(r.code).toBe(0);
  });

  it("a policy edited with kubectl after the deploy is caught with the exact flow", () => {
    // Someone "just opens NATS for debugging": every namespace may now reach the client port.
    must(
      `kubectl -n kgents-agents patch networkpolicy allow-nats-client-ingress --type=json -p '[{"op":"add","path":"/spec/ingress/0/from/-","value":{"namespaceSelector":{}}}]'`,
    );
    const r = liveReport();
    saveArtifact("connectivity-live-dev-edited.md", r.stdout);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("**DIFFERENT from the flow table.**");
    expect(r.stdout).toContain(
      "| default/stranger -> kgents-agents/nats : 4222/TCP | egress: not isolated; ingress by kgents-agents/allow-nats-client-ingress |",
    );
    expect(r.stdout).toContain(
      "| ingress | allowed, not intended | kgents-observability/pods -> kgents-agents/nats : 4222/TCP | kgents-agents/allow-nats-client-ingress |",
    );
    expect(r.stdout).toMatch(/Agrees with our core on all \d+ queries/);
  });

  it("pulumi up --refresh restores the program's policy and the report is clean again", () => {
    must(`pulumi up --stack dev --yes --refresh ${PACK}`, {}, 900_000);
    const r = liveReport();
    expect(r.stdout).toContain("**Equal to the flow table.**");
    expect(r.code).toBe(0);
  });
});
