// Recognising a NATS JetStream StatefulSet from what the stack declares: a container running a
// NATS server image, with JetStream turned on by a flag (`-js`, `--jetstream`) or by a
// `jetstream` block in a mounted ConfigMap or Secret (how the official Helm chart and our
// program configure it).
import { type WorkloadObj, configTexts, containersOf, mountsOf } from "./resources";
import type { StackIndex } from "./stack-index";
import { type Maybe, Unknown } from "./unknown";

/** Image name without registry, path, tag or digest: `docker.io/library/nats:2.10@sha…` → `nats`. */
export function imageBaseName(image: string): string {
  const noDigest = image.split("@")[0] as string;
  const lastSlash = noDigest.lastIndexOf("/");
  const tail = noDigest.slice(lastSlash + 1);
  const colon = tail.indexOf(":");
  return colon === -1 ? tail : tail.slice(0, colon);
}

const JS_FLAGS = new Set(["-js", "--js", "-jetstream", "--jetstream"]);
const JS_BLOCK = /^\s*jetstream\s*(\{|:|=)/m;

export interface JetStreamDetection {
  /** Image base names of NATS servers. */
  readonly images: readonly string[];
  /** Treat every NATS server StatefulSet as JetStream, without looking for the setting. */
  readonly assumeJetStream: boolean;
}

/** Whether the workload runs JetStream-enabled NATS servers. */
export function isJetStream(
  w: WorkloadObj,
  index: StackIndex,
  d: JetStreamDetection,
): Maybe<boolean> {
  const containers = containersOf(w);
  if (containers instanceof Unknown) return containers;
  let nats = false;
  for (const c of containers) {
    if (c.image instanceof Unknown) return c.image;
    if (c.image === undefined || !d.images.includes(imageBaseName(c.image))) continue;
    nats = true;
    if (c.argv instanceof Unknown) return c.argv;
    if (c.argv.some((a) => JS_FLAGS.has(a))) return true;
  }
  if (!nats) return false;
  if (d.assumeJetStream) return true;
  if (w.namespace instanceof Unknown) return w.namespace;
  const mounts = mountsOf(w);
  for (const [kind, names] of [
    ["ConfigMap", mounts.configMaps],
    ["Secret", mounts.secrets],
  ] as const) {
    if (names instanceof Unknown) return names;
    for (const name of names) {
      const cfg = index.config(w.namespace, kind, name, w.cluster);
      if (!cfg) continue;
      const texts = configTexts(cfg);
      if (texts instanceof Unknown) return texts;
      if (texts.some((t) => JS_BLOCK.test(t))) return true;
    }
  }
  return false;
}
