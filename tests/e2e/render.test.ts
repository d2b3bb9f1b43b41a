// `npm run render -- <stack> <dir>` with no cluster running: the upstream provider's
// renderYamlToDirectory writes every object of the stack — the same set the program registers
// under mocks — and no Secret value reaches the files.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { REDACTED, REDACTED_B64 } from "../../lib/redact";
import { runStack } from "../support/program";
import { STACKS } from "../support/stack-files";
import { must, saveArtifact } from "./support";

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

function readRendered(dir: string): K8sObject[] {
  const out: K8sObject[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".yaml"))
        for (const doc of parseAllDocuments(fs.readFileSync(p, "utf8"))) {
          const o = doc.toJS() as K8sObject | null;
          if (o) out.push(o);
        }
    }
  };
  walk(dir);
  return out;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe.each(STACKS)("npm run render -- %s <dir>", (stack) => {
  it("writes every object the program registers, with every Secret value redacted, without a cluster", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kgents-render-${stack}-`));
    dirs.push(dir);
    // No cluster: an unroutable kubeconfig target would fail any contact; render must not try.
    const r = must(`npm run --silent render -- ${stack} ${dir}`, {
      KUBECONFIG: path.join(dir, "no-such-kubeconfig"),
      KGENTS_KUBECONFIG: path.join(dir, "no-such-kubeconfig"),
    });
    saveArtifact(`render-${stack}.txt`, r.stdout + r.stderr);
    const rendered = readRendered(dir);

    const run = await runStack(stack);
    expect(run.error).toBeUndefined();
    const expected = run.resources
      .filter((x) => x.type.startsWith("kubernetes:"))
      .map((x) => key({ ...(x.inputs as unknown as K8sObject), kind: x.type.split(":").pop()! }));
    expect(rendered.map(key).sort()).toEqual(expected.sort());

    const secrets = rendered.filter((o) => o.kind === "Secret");
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) {
      for (const v of Object.values(s.data ?? {})) expect(v).toBe(REDACTED_B64);
      for (const v of Object.values(s.stringData ?? {})) expect(v).toBe(REDACTED);
      expect(
        s.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"],
      ).toBeUndefined();
    }
    expect(r.stdout).toMatch(new RegExp(`render: ${stack}: ${rendered.length} objects`));
  });
});
