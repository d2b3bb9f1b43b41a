// A directory of YAML manifests, in and out: what `npm run render` writes, what the Cyclonus
// driver reads, and what --live dumps so both analyzers read the same objects.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { type KubeObject, asKubeObject } from "../../lib/connectivity/objects";

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Every object of every YAML file under `dir` (multi-document files, `List` kinds expanded). */
export function readManifests(dir: string): KubeObject[] {
  const files = yamlFiles(dir);
  if (files.length === 0) throw new Error(`manifests = ${dir}: no .yaml or .yml file there`);
  const out: KubeObject[] = [];
  for (const f of files) {
    parseAllDocuments(readFileSync(f, "utf8")).forEach((doc, i) => {
      if (doc.errors.length > 0) {
        throw new Error(`${f} document ${i}: ${doc.errors[0]?.message ?? "invalid YAML"}`);
      }
      const value = doc.toJS() as unknown;
      if (value === null || value === undefined) return;
      const v = value as { kind?: unknown; items?: unknown };
      if (typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items)) {
        v.items.forEach((it, j) => out.push(asKubeObject(it, `${f} document ${i} item ${j}`)));
      } else out.push(asKubeObject(value, `${f} document ${i}`));
    });
  }
  return out;
}

/**
 * Writes objects as one multi-document YAML file (`objects.yaml`) in `dir`, YAML 1.1-safe: Go's
 * YAML reader (and kubectl) would read a bare `y`, `on` or `no` as a boolean, so such strings
 * are quoted.
 */
export function writeManifests(objects: readonly KubeObject[], dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "objects.yaml");
  writeFileSync(file, objects.map((o) => stringify(o, { version: "1.1" })).join("---\n"));
  return file;
}
