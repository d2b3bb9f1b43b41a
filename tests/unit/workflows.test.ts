// The GitHub workflows (.github/workflows): least-privilege permissions, actions pinned to a
// commit with its version, one operation per stack at a time, credentials and the backend only
// from repository secrets and variables, the same gate as `npm run pr-check`, and the toolchain
// versions the repo pins. actionlint itself runs in `npm run lint:workflows`; here it is shown to
// catch a broken workflow, so a clean run means something.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const NAMES = ["preview", "deploy", "drift", "load"] as const;
type Name = (typeof NAMES)[number];

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  environment?: { name: string } | string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix?: { stack?: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const text = (n: Name) => fs.readFileSync(path.join(DIR, `${n}.yml`), "utf8");
const wf = (n: Name) => YAML.parse(text(n)) as Workflow;
const steps = (n: Name) => Object.values(wf(n).jobs).flatMap((j) => j.steps);
const pinned = (n: Name, key: string) => {
  const env = fs.readFileSync(path.join(ROOT, "tools", "versions.env"), "utf8");
  const m = new RegExp(`^${key}=v?(\\S+)$`, "m").exec(env);
  if (!m) throw new Error(`tools/versions.env has no ${key}`);
  return { workflow: wf(n).env?.[key], repo: m[1] };
};

/**
 * Findings of the credential scan on a workflow's text: every value of a credential-like key must
 * be a `${{ secrets.* }}` expression, a Pulumi backend only a `${{ vars.* }}` / `${{ secrets.* }}`,
 * and no literal that looks like a token, a key, a password in a URL or a backend address.
 */
function credentialFindings(yamlText: string): string[] {
  const out: string[] = [];
  const literal: [RegExp, string][] = [
    [/pul-[0-9a-f]{40}/, "Pulumi access token"],
    [/\bgh[pousr]_[A-Za-z0-9]{30,}/, "GitHub token"],
    [/\bAKIA[0-9A-Z]{16}\b/, "AWS access key"],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "private key"],
    [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:[^\s/@'"]+@/, "password in a URL"],
    [/\b(s3|gs|azblob|file):\/\/\S+/, "Pulumi backend URL"],
    [/https:\/\/(api|app)\.pulumi\.com/, "Pulumi Cloud backend URL"],
    [/client-key-data|client-certificate-data|\btoken:\s+\S{20,}/, "kubeconfig credentials"],
  ];
  for (const [re, what] of literal) if (re.test(yamlText)) out.push(`literal ${what}`);
  const doc = YAML.parse(yamlText) as unknown;
  const credentialKey =
    /TOKEN|PASSWORD|PASSPHRASE|SECRET|CREDENTIAL|PRIVATE|KUBECONFIG_DATA|_KEY$/i;
  const walk = (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        const here = `${where}.${k}`;
        if (typeof x === "string" || typeof x === "number") {
          const s = String(x);
          if (
            credentialKey.test(k) &&
            k !== "github-token" &&
            !/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/.test(s)
          )
            out.push(`${here}: a credential not taken from secrets (${s.slice(0, 12)}…)`);
          if (
            (k === "cloud-url" || k === "PULUMI_BACKEND_URL") &&
            !/^\$\{\{ (vars|secrets)\.[A-Z0-9_]+ \}\}$/.test(s)
          )
            out.push(`${here}: the backend not taken from a repository variable or secret`);
        } else walk(x, here);
      }
  };
  walk(doc, "");
  return out;
}

describe("the workflows", () => {
  it("are the four the delivery flow needs, each a valid YAML document", () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"));
    expect(files.sort()).toEqual(NAMES.map((n) => `${n}.yml`).sort());
    for (const n of NAMES) expect(Object.keys(wf(n).jobs).length).toBeGreaterThan(0);
  });

  it.each(NAMES)(
    "%s: least privilege: read-only contents, write only where a comment is posted",
    (n) => {
      const w = wf(n);
      expect(w.permissions).toEqual({ contents: "read" });
      for (const [id, job] of Object.entries(w.jobs)) {
        const allowed =
          n === "preview" && id === "preview"
            ? { contents: "read", "pull-requests": "write" }
            : { contents: "read" };
        if (job.permissions) expect(job.permissions).toEqual(allowed);
      }
    },
  );

  it.each(NAMES)("%s: every action pinned to a full commit with its version alongside", (n) => {
    const uses = text(n)
      .split("\n")
      .filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses)
      expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it.each(NAMES)("%s: no credential or backend written in the file", (n) => {
    expect(credentialFindings(text(n))).toEqual([]);
  });

  it("the credential scan catches what it is there for", () => {
    const base = text("deploy");
    const doctored = [
      base.replace(
        "${{ secrets.PULUMI_ACCESS_TOKEN }}",
        "pul-" + "0123456789abcdef".repeat(2) + "01234567",
      ),
      base.replace("${{ vars.PULUMI_BACKEND_URL }}", "s3://kgents-state"),
      base.replace("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}", "hunter2"),
      base.replace("${{ secrets.KUBECONFIG_DATA }}", "${{ vars.KUBECONFIG_DATA }}"),
      base + "\n# https://admin:s3cret@db.example.com\n",
    ];
    for (const d of doctored) expect(credentialFindings(d)).not.toEqual([]);
  });

  it("one operation per stack at a time: deploy and drift share the stack's group and never cancel", () => {
    for (const n of ["deploy", "drift"] as const) {
      const jobs = Object.values(wf(n).jobs);
      for (const job of jobs) {
        expect(job.strategy?.matrix?.stack).toContain("prod");
        expect(job.concurrency).toEqual({
          group: "pulumi-stack-${{ matrix.stack }}",
          "cancel-in-progress": false,
        });
        expect(job.environment).toEqual({ name: "${{ matrix.stack }}" });
      }
    }
    expect(wf("preview").concurrency?.group).toMatch(/prod.*pull_request\.number/);
    expect(wf("load").concurrency).toEqual({ group: "load-prod", "cancel-in-progress": false });
  });

  it("preview: pull requests run pr-check's checks, then preview prod with the same policy pack, commented", () => {
    const w = wf("preview");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    const runs = steps("preview").map((s) => s.run ?? "");
    expect(runs).toContain("npm run pr-check -- --skip preview");
    const gate = fs.readFileSync(path.join(ROOT, "scripts", "pr-check.sh"), "utf8");
    const pack = /^POLICY_PACK=(\S+)$/m.exec(gate)?.[1];
    const packConfig = /^POLICY_PACK_CONFIG=(\S+)$/m.exec(gate)?.[1];
    const preview = steps("preview").find((s) => s.with?.command === "preview");
    expect(preview?.uses).toMatch(/^pulumi\/actions@/);
    expect(preview?.with).toMatchObject({
      "stack-name": "${{ env.STACK }}",
      policyPacks: pack,
      policyPackConfigs: packConfig,
      "comment-on-pr": true,
      "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
    });
    expect(w.env?.STACK).toBe("prod");
    expect(fs.existsSync(path.join(ROOT, packConfig ?? "missing"))).toBe(true);
  });

  it("deploy: a push to main runs pulumi up with the policy pack, inside the stack's environment", () => {
    const w = wf("deploy");
    expect(w.on.push).toEqual({ branches: ["main"] });
    const up = steps("deploy").find((s) => s.with?.command === "up");
    expect(up?.with).toMatchObject({
      "stack-name": "${{ matrix.stack }}",
      policyPacks: "policy-pack",
      "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
    });
  });

  it("drift: scheduled preview with refresh that fails on any change, then the live connectivity report", () => {
    const w = wf("drift");
    expect(w.on.schedule).toBeDefined();
    const pre = steps("drift").find((s) => s.with?.command === "preview");
    expect(pre?.with).toMatchObject({ refresh: true, "expect-no-changes": true });
    const conn = steps("drift").find((s) => s.run?.includes("npm run connectivity"));
    expect(conn?.run).toMatch(/--live/);
    expect(conn?.if).toMatch(/!cancelled\(\)|always\(\)/);
  });

  it("load: k6 against the stack output's health URL; the summary uploaded even when thresholds fail", () => {
    const w = wf("load");
    expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const all = steps("load");
    const outputs = all.find((s) => s.id === "stack");
    expect(outputs?.with).toMatchObject({ command: "output", "stack-name": "${{ env.STACK }}" });
    const target = all.find((s) => s.id === "target");
    expect(target?.env?.HEALTH_URL).toBe("${{ steps.stack.outputs.gatewayHealthUrl }}");
    const k6 = all.find((s) => s.run?.includes("k6 run"));
    expect(k6?.run).toContain("load/k6/health-saas.ts");
    expect(k6?.env?.BASE_URL).toBe("${{ steps.target.outputs.base-url }}");
    const upload = all.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.if).toMatch(/!cancelled\(\)|always\(\)/);
    expect(upload?.with?.path).toBe(`${String(k6?.env?.SUMMARY_DIR)}/`);
  });

  it("the versions installed on the runners are the repo's pins", () => {
    for (const n of ["preview", "deploy", "drift", "load"] as const) {
      const p = pinned(n, "PULUMI_VERSION");
      expect(p.workflow).toBe(p.repo);
    }
    for (const n of ["preview", "deploy", "drift"] as const) {
      const k = pinned(n, "PULUMI_KUBERNETES_VERSION");
      expect(k.workflow).toBe(k.repo);
      const node = pinned(n, "NODE_VERSION");
      expect(node.workflow).toBe(node.repo);
    }
    const goMod = fs.readFileSync(path.join(ROOT, "tools", "actionlint", "go.mod"), "utf8");
    expect(wf("preview").env?.GO_VERSION).toBe(/^go (\S+)$/m.exec(goMod)?.[1]);
  });
});

describe("actionlint (npm run lint:workflows)", () => {
  const actionlint = path.join(ROOT, "bin", "actionlint");
  beforeAll(() => {
    const r = spawnSync("bash", ["scripts/tools.sh", "actionlint"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`scripts/tools.sh actionlint failed:\n${r.stderr}`);
  }, 900_000);

  it("is the pinned release", () => {
    const r = spawnSync(actionlint, ["--version"], { encoding: "utf8" });
    expect(r.stdout.split("\n")[0]).toBe(
      /^ACTIONLINT_VERSION=(\S+)$/m.exec(
        fs.readFileSync(path.join(ROOT, "tools", "versions.env"), "utf8"),
      )?.[1],
    );
  });

  it("passes on every workflow and fails on a broken one, naming the problem", () => {
    const clean = spawnSync(
      actionlint,
      ["-color=false", ...NAMES.map((n) => path.join(DIR, `${n}.yml`))],
      {
        encoding: "utf8",
      },
    );
    expect(clean.stdout + clean.stderr).toBe("");
    expect(clean.status).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kgents-actionlint-"));
    try {
      const broken = path.join(dir, "broken.yml");
      // `secret.` (not `secrets.`) is an unknown context.
      fs.writeFileSync(
        broken,
        text("deploy").replace(
          "${{ secrets.PULUMI_ACCESS_TOKEN }}",
          "${{ secret.PULUMI_ACCESS_TOKEN }}",
        ),
      );
      const r = spawnSync(actionlint, ["-color=false", broken], { encoding: "utf8" });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/undefined variable "secret"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
