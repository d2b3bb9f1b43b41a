// What the pack cannot read is reported, never passed in silence: a Helm Release installs
// objects the engine never sees; a yaml/v2, Helm v4 or kustomize/v2 component shows its objects
// as child resources, unless its input is unknown at preview (then it has no children yet).
import { classify } from "../resources";
import type { StackIndex } from "../stack-index";
import type { Finding } from "./common";

/**
 * Findings on resources whose objects the pack cannot read. `resource` mode reports what one
 * resource shows (a Helm Release); `stack` mode what needs the stack (components without
 * children). `acknowledged` lists `type::name` the user accepts.
 */
export function opaqueFindings(
  idx: StackIndex,
  acknowledged: readonly string[],
  mode: "resource" | "stack",
): Finding[] {
  const ok = new Set(acknowledged);
  const out: Finding[] = [];
  for (const r of idx.opaque) {
    const c = classify(r.type);
    if (!c || c.class !== "Opaque" || ok.has(`${r.type}::${r.name}`)) continue;
    if (!c.childrenVisible && mode === "resource") {
      out.push({
        urn: r.urn,
        message:
          `${r.type} ${r.name} installs Kubernetes objects the engine never sees, so the pack cannot ` +
          `judge their NetworkPolicies, workloads or budgets. Use kubernetes:helm.sh/v4:Chart (its ` +
          `objects are resources of the stack), or accept it with acknowledgedUnreadable: ["${r.type}::${r.name}"].`,
      });
    } else if (c.childrenVisible && mode === "stack") {
      out.push({
        urn: r.urn,
        message:
          `${r.type} ${r.name} shows no child objects to the pack (its input is probably unknown ` +
          `until apply), so what it creates cannot be judged. Make its input known at preview, ` +
          `or accept it with acknowledgedUnreadable: ["${r.type}::${r.name}"].`,
      });
    }
  }
  return out;
}
