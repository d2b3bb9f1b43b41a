// The picture: a box per workload in its tier's column, an arrow per allowed pair with its
// ports, unintended arrows in red and blocked intended ones dashed grey.
import { beforeAll, describe, expect, it } from "vitest";
import { flowTable } from "../../lib/flows";
import type { KubeObject } from "../../lib/connectivity/objects";
import { analyze } from "../../lib/connectivity/report";
import { renderSvg } from "../../lib/connectivity/svg";
import { renderedObjects } from "../support/rendered";
import { policy, withoutPolicy } from "./support";

const flows = flowTable({ ingressNamespace: "ingress-nginx", gatewayPort: 8080 });
const run = (objects: readonly KubeObject[]) =>
  renderSvg(analyze({ title: "t", objects, flows, namespacePrefix: "kgents" }));

/** Tags opened and not closed (or closed and not opened), in order: a well-formedness check. */
function unbalancedTags(xml: string): string[] {
  const stack: string[] = [];
  const bad: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose) continue;
    if (!close) stack.push(name!);
    else if (stack.pop() !== name) bad.push(`</${name}>`);
  }
  return [...bad, ...stack];
}

describe("connectivity SVG", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderedObjects("dev");
  });

  it("is well-formed XML with tier columns, every workload and the allowed ports", () => {
    const svg = run(objects);
    expect(unbalancedTags(svg)).toEqual([]);
    expect(svg.startsWith("<svg xmlns=")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const col of [
      "tier agents",
      "tier triad",
      "tier gateway",
      "tier observability",
      "outside the tier",
    ]) {
      expect(svg).toContain(`>${col}</text>`);
    }
    expect(svg).toContain(">4222/TCP 6222/TCP</text>"); // nats -> nats
    expect(svg).toContain(">8080/TCP</text>"); // ingress -> gateway
    expect(svg).not.toMatch(/<path [^>]*stroke="#d00000"/);
    expect(svg).not.toContain("blocked:");
  });

  it("draws unintended flows red and blocked ones dashed", () => {
    const svg = run([
      ...withoutPolicy(objects, "kgents-triad", "allow-dns-egress"),
      policy("kgents-triad", "allow-all-ingress", { podSelector: {}, ingress: [{}] }),
    ]);
    expect(svg).toMatch(/<path [^>]*stroke="#d00000" stroke-width="2"/);
    expect(svg).toContain(">blocked: 53/TCP 53/UDP</text>");
  });
});
