// `npm run render -- <stack> <dir>`: writes every Kubernetes object of a stack as YAML, with no
// cluster running, through the upstream provider's renderYamlToDirectory (lib/cluster-target.ts).
// The program runs from a private copy of the project against a throwaway file backend, so the
// real stack state, the committed stack files and the local cluster are never touched. The
// provider writes Secrets with their values; they land only in that private folder, and what
// reaches <dir> is redacted (lib/redact.ts).
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { redactSecrets } from "../lib/redact";

const ROOT = path.resolve(__dirname, "..");
// Not copied into the private project: state, builds, other checkouts' outputs.
const SKIP = new Set([".git", "node_modules", ".local", "bin", "artifacts", "dist", ".build"]);

function usage(msg: string): never {
  console.error(`render: ${msg}\nusage: npm run render -- <stack> <dir>`);
  process.exit(2);
}

function copyProject(to: string): void {
  for (const entry of fs.readdirSync(ROOT)) {
    if (SKIP.has(entry) || /^Pulumi\..+\.yaml$/.test(entry)) continue;
    fs.cpSync(path.join(ROOT, entry), path.join(to, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(to, "node_modules"));
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) {
    console.error(`render: ${cmd} ${args.join(" ")} failed (${r.status})`);
    console.error((r.stdout ?? "").slice(-6000) + (r.stderr ?? "").slice(-6000));
    process.exit(1);
  }
}

/** Every *.yaml under dir, relative paths, sorted. */
function yamlFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(dir, p));
    else if (e.name.endsWith(".yaml")) out.push(p);
  }
  return out.sort();
}

function main(): void {
  const [stack, outArg] = process.argv.slice(2);
  if (!stack || !outArg) usage("a stack and an output folder are required");
  const stackFile = path.join(ROOT, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) usage(`no stack file Pulumi.${stack}.yaml`);
  const out = path.resolve(outArg);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kgents-render-"));
  fs.chmodSync(work, 0o700);
  try {
    const project = path.join(work, "project");
    const rendered = path.join(work, "rendered");
    fs.mkdirSync(project);
    copyProject(project);
    // The stack's config without its passphrase salt: the throwaway stack gets its own.
    const config = fs
      .readFileSync(stackFile, "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("encryptionsalt:"))
      .join("\n");
    fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), config);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(24).toString("hex"),
      PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
      PULUMI_HOME: path.join(work, "home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      KGENTS_RENDER_DIR: rendered,
      // The provider takes KUBECONFIG as its kubeconfig default, which renderYamlToDirectory refuses.
      KUBECONFIG: undefined,
    };
    fs.mkdirSync(path.join(work, "state"));
    run("pulumi", ["stack", "init", stack, "--non-interactive"], project, env);
    const t0 = Date.now();
    run(
      "pulumi",
      ["up", "--stack", stack, "--yes", "--skip-preview", "--non-interactive"],
      project,
      env,
    );

    const files = yamlFiles(rendered);
    fs.mkdirSync(out, { recursive: true });
    let objects = 0;
    let secrets = 0;
    for (const rel of files) {
      const docs = parseAllDocuments(fs.readFileSync(path.join(rendered, rel), "utf8"));
      const text = docs
        .map((d) => d.toJS() as unknown)
        .filter((o) => o !== null && o !== undefined)
        .map((o) => {
          objects++;
          if ((o as { kind?: string }).kind === "Secret") secrets++;
          return stringify(redactSecrets(o));
        })
        .join("---\n");
      fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
      fs.writeFileSync(path.join(out, rel), text);
    }
    console.log(
      `render: ${stack}: ${objects} objects (${secrets} Secrets, values redacted) in ${files.length} files under ${outArg} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
