// Shared plumbing for the e2e suites: run commands with the repo's toolchain environment
// (scripts/env.sh), talk to the local cluster with @kubernetes/client-node, save artifacts.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";

export const ROOT = path.resolve(__dirname, "..", "..");
export const ARTIFACTS = path.join(ROOT, "artifacts", "e2e");
export const KUBECONFIG = path.join(ROOT, ".local", "kubeconfig");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a bash command in the repo with scripts/env.sh sourced (toolchain on PATH, local backend). */
export function sh(
  command: string,
  env: Record<string, string | undefined> = {},
  timeoutMs = 900_000,
): Result {
  const t0 = performance.now();
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env }))
    if (v !== undefined) merged[k] = v;
  const r = spawnSync("bash", ["-c", `source scripts/env.sh && ${command}`], {
    cwd: ROOT,
    env: merged,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    ms: performance.now() - t0,
  };
}

/** Like sh, but throws with the command's output when it fails. */
export function must(
  command: string,
  env: Record<string, string | undefined> = {},
  timeoutMs?: number,
): Result {
  const r = sh(command, env, timeoutMs);
  if (r.code !== 0) {
    throw new Error(
      `command failed (${r.code}): ${command}\n--- stdout\n${r.stdout.slice(-8000)}\n--- stderr\n${r.stderr.slice(-8000)}`,
    );
  }
  return r;
}

export function saveArtifact(name: string, text: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  fs.writeFileSync(file, text);
  return file;
}

export function kube() {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    policy: kc.makeApiClient(k8s.PolicyV1Api),
    net: kc.makeApiClient(k8s.NetworkingV1Api),
  };
}
export type Kube = ReturnType<typeof kube>;

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`,
  );
}

/** Evicts a pod through the eviction API; returns the HTTP status (201 accepted, 429 refused by a PDB). */
export async function evict(kc: Kube, namespace: string, name: string): Promise<number> {
  try {
    await kc.core.createNamespacedPodEviction({
      name,
      namespace,
      body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
    });
    return 201;
  } catch (e) {
    if (e instanceof k8s.ApiException) return (e as k8s.ApiException<unknown>).code;
    throw e;
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
