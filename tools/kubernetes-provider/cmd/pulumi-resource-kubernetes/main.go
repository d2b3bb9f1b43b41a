// Command pulumi-resource-kubernetes is this project's stand-in for the Pulumi Kubernetes provider,
// for local runs against the kwok cluster (scripts/cluster.sh).
//
// Why it exists: the upstream provider module (github.com/pulumi/pulumi-kubernetes/provider/v4)
// is refused by the Go module proxy reachable here at every version tried (docs/toolchain.md),
// and nothing else may be downloaded. The npm SDK @pulumi/kubernetes 4.32.0 only registers
// resources by type token (kubernetes:<group>/<version>:<Kind>) with the object's fields as
// inputs, so a provider that applies those objects to a real API server reproduces what matters
// for this project's tests: real validation and admission (Pod Security), server-side apply,
// readiness waits with custom timeouts, partial-failure state, deletion waits.
//
// What it implements, after the upstream provider's documented behaviour:
//   - provider config: kubeconfig (path or content), context, cluster, namespace; server-side
//     apply always (field manager "pulumi-kubernetes"); other keys are accepted and ignored;
//   - Check: apiVersion/kind from the type token, autonaming (<name>-<8 chars>, annotation
//     pulumi.com/autonamed) when metadata.name is absent;
//   - Diff: old inputs vs new inputs with a detailed diff; the upstream replace-triggering fields
//     (identity, immutable StatefulSet/Deployment/Job/Service/PVC/Pod fields, Secret and
//     ConfigMap contents unless mutable) and delete-before-replace for user-named objects;
//   - Create/Update: server-side apply (dry-run during preview when the inputs are known), then
//     readiness waits (Deployment, StatefulSet, DaemonSet, Pod, Job, Service endpoints,
//     Namespace) honouring customTimeouts and the pulumi.com/skipAwait annotation;
//   - Read (refresh/import), Delete (waits until the object is gone).
//
// Not implemented: Helm, YAML/Kustomize components and invokes, Patch resources, Construct,
// GetSchema.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Version is set at build time (-X main.Version=...): the @pulumi/kubernetes release whose
// protocol this provider serves.
var Version = "4.32.0"

func main() {
	for _, a := range os.Args[1:] {
		if a == "--version" || a == "-version" {
			fmt.Println(Version)
			return
		}
	}
	err := provider.MainContext(context.Background(), "kubernetes",
		func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
			return newProvider(host), nil
		})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}
