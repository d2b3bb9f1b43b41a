// The Kubernetes objects of a stack as the program registers them under mocks (what a render
// writes), for tests that need objects without the render command or a cluster.
import type { KubeObject } from "../../lib/connectivity/objects";
import { asKubeObject } from "../../lib/connectivity/objects";
import { runProgram } from "./program";
import type { StackName } from "./stack-files";

export async function renderedObjects(stack: StackName): Promise<KubeObject[]> {
  const resources = await runProgram(stack);
  return resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
    .map((r) => asKubeObject(r.inputs, r.urn));
}
