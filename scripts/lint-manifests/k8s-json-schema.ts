// JSON schemas for kubeconform, generated offline from the Kubernetes OpenAPI v2 spec
// (api/openapi-spec/swagger.json of the k8s.io/kubernetes module the toolchain pins), in the
// "standalone-strict" layout kubeconform reads: <out>/v<version>-standalone-strict/<kind>-<group>-<version>.json.
//
// Our own port of the approach of kubeconform's scripts/openapi2jsonschema.py (which is Python,
// needs PyYAML and targets CRDs): every $ref inlined (standalone), `additionalProperties: false`
// on every object that lists properties (strict: a misspelt field is an error, as kubectl's
// validation makes it), `int-or-string` as oneOf string/integer, and Quantity as oneOf
// string/number (the API server accepts `cpu: 1`). apiVersion and kind are pinned to the
// schema's own group-version-kind. A recursive $ref (only JSONSchemaProps, in CRDs) is left open.
//
//   tsx scripts/lint-manifests/k8s-json-schema.ts <swagger.json> <out-dir> <k8s-version> <manifests-dir>...
//
// Only the kinds the manifests use are written (a full standalone set is hundreds of MB).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readManifests } from "../connectivity/manifests";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const REF = "#/definitions/";

function inline(defs: Record<string, Schema>, node: Json, stack: string[]): Json {
  if (Array.isArray(node)) return node.map((n) => inline(defs, n, stack));
  if (node === null || typeof node !== "object") return node;
  const ref = node.$ref;
  if (typeof ref === "string") {
    const name = ref.startsWith(REF) ? ref.slice(REF.length) : undefined;
    const target = name === undefined ? undefined : defs[name];
    if (name === undefined || target === undefined) throw new Error(`unresolvable $ref ${ref}`);
    if (stack.includes(name)) return { description: `recursive ${name}: not checked` };
    const { $ref: _drop, ...rest } = node;
    void _drop;
    return { ...(inline(defs, target, [...stack, name]) as Schema), ...rest };
  }
  if (node.format === "int-or-string") {
    const { format: _f, type: _t, ...rest } = node;
    void _f;
    void _t;
    return { ...rest, oneOf: [{ type: "string" }, { type: "integer" }] };
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    // property names are data, not schema keywords: recurse into their schemas only
    out[k] =
      k === "properties" && v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, inline(defs, s, stack)]))
        : inline(defs, v, stack);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

export function apiVersionOf(g: Gvk): string {
  return g.group === "" ? g.version : `${g.group}/${g.version}`;
}

/** kubeconform's file name for a kind: `<kind>-<first segment of group>-<version>.json`. */
export function schemaFileName(apiVersion: string, kind: string): string {
  const [groupOrVersion, version] = apiVersion.split("/");
  const suffix =
    version === undefined ? `-${groupOrVersion}` : `-${groupOrVersion!.split(".")[0]}-${version}`;
  return `${kind}${suffix}.json`.toLowerCase();
}

export function generateSchemas(
  swagger: { definitions: Record<string, Schema> },
  wanted: ReadonlySet<string>,
): Map<string, Schema> {
  const defs = { ...swagger.definitions };
  const quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
  if (defs[quantity]) defs[quantity] = { oneOf: [{ type: "string" }, { type: "number" }] };
  const out = new Map<string, Schema>();
  for (const [name, def] of Object.entries(defs)) {
    const gvks = def["x-kubernetes-group-version-kind"] as unknown as Gvk[] | undefined;
    for (const g of gvks ?? []) {
      const apiVersion = apiVersionOf(g);
      if (!wanted.has(`${apiVersion} ${g.kind}`)) continue;
      const schema = inline(defs, def, [name]) as Schema;
      const props = schema.properties as Record<string, Schema> | undefined;
      if (props?.apiVersion) props.apiVersion = { ...props.apiVersion, enum: [apiVersion] };
      if (props?.kind) props.kind = { ...props.kind, enum: [g.kind] };
      schema.$schema = "http://json-schema.org/schema#";
      out.set(schemaFileName(apiVersion, g.kind), schema);
    }
  }
  return out;
}

function main(): void {
  const [swaggerPath, outDir, version, ...dirs] = process.argv.slice(2);
  if (!swaggerPath || !outDir || !version || dirs.length === 0) {
    throw new Error(
      "usage: k8s-json-schema.ts <swagger.json> <out-dir> <k8s-version> <manifests-dir>...",
    );
  }
  const wanted = new Set<string>();
  for (const d of dirs) for (const o of readManifests(d)) wanted.add(`${o.apiVersion} ${o.kind}`);
  const swagger = JSON.parse(readFileSync(swaggerPath, "utf8")) as {
    definitions: Record<string, Schema>;
  };
  const schemas = generateSchemas(swagger, wanted);
  const target = join(
    outDir,
    `${version.startsWith("v") ? version : `v${version}`}-standalone-strict`,
  );
  mkdirSync(target, { recursive: true });
  for (const [file, schema] of schemas) writeFileSync(join(target, file), JSON.stringify(schema));
  const missing = [...wanted].filter((w) => {
    const [av, kind] = w.split(" ");
    return !schemas.has(schemaFileName(av!, kind!));
  });
  if (missing.length > 0) {
    throw new Error(`no schema in ${swaggerPath} for: ${missing.join("; ")}`);
  }
  console.error(`k8s-json-schema: ${schemas.size} schemas for ${wanted.size} kinds in ${target}`);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(`k8s-json-schema: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
}
