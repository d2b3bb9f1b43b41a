// Which cluster the stack's Kubernetes provider talks to, or none at all: the stack config names
// the target, and two local-run modes adjust it without editing Pulumi.<stack>.yaml.
// - KGENTS_KUBECONFIG / KGENTS_KUBE_CONTEXT: aim a stack at another cluster (e.g. prove prod on
//   the embedded local cluster); the program warns when this is active.
// - KGENTS_RENDER_DIR: render mode (`npm run render`): the upstream provider writes every object
//   as YAML into that folder (renderYamlToDirectory) and never contacts a cluster.
// Pure: the environment is passed in, so tests can call it alone.
import * as path from "node:path";

export interface ClusterTargetInputs {
  /** `kgents:kubeconfig` from the stack config ("" = ambient). */
  readonly kubeconfig: string;
  /** `kgents:kubeContext` from the stack config ("" = current). */
  readonly kubeContext: string;
}

export interface ClusterTarget {
  /** Provider arguments (only the keys that are set). */
  readonly providerArgs: {
    readonly kubeconfig?: string;
    readonly context?: string;
    readonly renderYamlToDirectory?: string;
  };
  /** What the program should warn about, one line each. */
  readonly warnings: readonly string[];
}

export function clusterTarget(
  cfg: ClusterTargetInputs,
  env: Readonly<Record<string, string | undefined>>,
): ClusterTarget {
  const renderDir = env.KGENTS_RENDER_DIR;
  if (renderDir !== undefined && renderDir !== "") {
    return {
      providerArgs: { renderYamlToDirectory: path.resolve(renderDir) },
      warnings: [
        `render mode: objects are written as YAML to ${renderDir}; no cluster is contacted`,
      ],
    };
  }
  const overridden = env.KGENTS_KUBECONFIG !== undefined || env.KGENTS_KUBE_CONTEXT !== undefined;
  const kubeconfig = env.KGENTS_KUBECONFIG ?? cfg.kubeconfig;
  const kubeContext = env.KGENTS_KUBE_CONTEXT ?? cfg.kubeContext;
  return {
    providerArgs: {
      ...(kubeconfig ? { kubeconfig: path.resolve(kubeconfig) } : {}),
      ...(kubeContext ? { context: kubeContext } : {}),
    },
    warnings: overridden
      ? [
          `cluster target overridden by environment: kubeconfig=${kubeconfig || "(ambient)"} context=${kubeContext || "(current)"}`,
        ]
      : [],
  };
}
