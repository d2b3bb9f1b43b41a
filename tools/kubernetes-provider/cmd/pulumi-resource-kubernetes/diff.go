package main

import (
	"reflect"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Fields whose change makes the Kubernetes API reject an update (or that the upstream provider
// treats so): changing them replaces the object. Paths use "*" for any list index.
var (
	selectorFields  = []string{"spec.selector"}
	containerFields = func(prefix string) []string {
		var out []string
		for _, f := range []string{"args", "command", "env", "image", "imagePullPolicy", "lifecycle",
			"livenessProbe", "ports", "readinessProbe", "resources", "securityContext", "stdin", "stdinOnce",
			"terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts",
			"workingDir"} {
			out = append(out, prefix+".*."+f)
		}
		return out
	}
	podFields = append(append([]string{
		"spec.affinity", "spec.automountServiceAccountToken", "spec.dnsConfig", "spec.dnsPolicy",
		"spec.enableServiceLinks", "spec.hostAliases", "spec.hostIPC", "spec.hostNetwork", "spec.hostPID",
		"spec.hostname", "spec.imagePullSecrets", "spec.nodeName", "spec.nodeSelector", "spec.overhead",
		"spec.preemptionPolicy", "spec.priority", "spec.priorityClassName", "spec.readinessGates",
		"spec.restartPolicy", "spec.runtimeClassName", "spec.schedulerName", "spec.securityContext",
		"spec.serviceAccount", "spec.serviceAccountName", "spec.shareProcessNamespace", "spec.subdomain",
		"spec.terminationGracePeriodSeconds", "spec.volumes",
	}, containerFields("spec.containers")...), containerFields("spec.initContainers")...)

	replaceFields = map[schema.GroupKind][]string{
		{Group: "apps", Kind: "StatefulSet"}: append([]string{"spec.podManagementPolicy",
			"spec.revisionHistoryLimit", "spec.serviceName", "spec.volumeClaimTemplates"}, selectorFields...),
		{Group: "apps", Kind: "Deployment"}:                              {"spec.selector"},
		{Group: "apps", Kind: "DaemonSet"}:                               {"spec.selector"},
		{Group: "batch", Kind: "Job"}:                                    {"spec.completions", "spec.parallelism", "spec.selector", "spec.template"},
		{Group: "", Kind: "Service"}:                                     {"spec.clusterIP"},
		{Group: "", Kind: "PersistentVolumeClaim"}:                       {"spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"},
		{Group: "", Kind: "Pod"}:                                         podFields,
		{Group: "", Kind: "ResourceQuota"}:                               {"spec.scopes"},
		{Group: "", Kind: "PersistentVolume"}:                            {"spec.hostPath", "spec.local", "spec.csi", "spec.nfs"},
		{Group: "storage.k8s.io", Kind: "StorageClass"}:                  {"parameters", "provisioner"},
		{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:        {"roleRef"},
		{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}: {"roleRef"},
	}
)

// replacePaths lists the replace-triggering fields of an object of the given kind. Secret and
// ConfigMap contents are immutable by default in the upstream provider (enableSecretMutable and
// enableConfigMapMutable default to false): changing them replaces the object.
func (p *kubeProvider) replacePaths(gvk schema.GroupVersionKind, obj map[string]any) []string {
	out := []string{"metadata.name", "metadata.namespace", "kind", "apiVersion"}
	gk := gvk.GroupKind()
	if gk.Group == "policy" && gvk.Version == "v1beta1" && gk.Kind == "PodDisruptionBudget" {
		out = append(out, "spec")
	}
	switch {
	case gk == schema.GroupKind{Kind: "Secret"}:
		out = append(out, "type")
		if !p.cfg.secretMutable || isImmutable(obj) {
			out = append(out, "data", "stringData")
		}
	case gk == schema.GroupKind{Kind: "ConfigMap"}:
		if !p.cfg.configMapMutable || isImmutable(obj) {
			out = append(out, "data", "binaryData")
		}
	default:
		out = append(out, replaceFields[gk]...)
	}
	return out
}

func isImmutable(obj map[string]any) bool {
	b, _ := obj["immutable"].(bool)
	return b
}

// pathMatches reports whether the diff path p lies at or under the field pattern.
func pathMatches(p []pathSeg, pattern string) bool {
	parts := strings.Split(pattern, ".")
	if len(parts) > len(p) {
		return false
	}
	for i, part := range parts {
		s := p[i]
		if part == "*" {
			if !s.isIdx {
				return false
			}
			continue
		}
		if s.isIdx || s.key != part {
			return false
		}
	}
	return true
}

type diffEntry struct {
	path []pathSeg
	kind pulumirpc.PropertyDiff_Kind
}

// diffValues lists the leaf differences between old and new plain values.
func diffValues(path []pathSeg, old, new any, out *[]diffEntry) {
	if reflect.DeepEqual(normalizeNumber(old), normalizeNumber(new)) {
		return
	}
	cp := func(extra pathSeg) []pathSeg {
		n := make([]pathSeg, len(path), len(path)+1)
		copy(n, path)
		return append(n, extra)
	}
	switch {
	case old == nil:
		*out = append(*out, diffEntry{path, pulumirpc.PropertyDiff_ADD})
		return
	case new == nil:
		*out = append(*out, diffEntry{path, pulumirpc.PropertyDiff_DELETE})
		return
	}
	om, ok1 := old.(map[string]any)
	nm, ok2 := new.(map[string]any)
	if ok1 && ok2 {
		for _, k := range sortedKeys(om) {
			diffValues(cp(pathSeg{key: k}), om[k], nm[k], out)
		}
		for _, k := range sortedKeys(nm) {
			if _, had := om[k]; !had {
				diffValues(cp(pathSeg{key: k}), nil, nm[k], out)
			}
		}
		return
	}
	oa, ok1 := old.([]any)
	na, ok2 := new.([]any)
	if ok1 && ok2 {
		n := len(oa)
		if len(na) > n {
			n = len(na)
		}
		for i := 0; i < n; i++ {
			var o, nv any
			if i < len(oa) {
				o = oa[i]
			}
			if i < len(na) {
				nv = na[i]
			}
			diffValues(cp(pathSeg{index: i, isIdx: true}), o, nv, out)
		}
		return
	}
	*out = append(*out, diffEntry{path, pulumirpc.PropertyDiff_UPDATE})
}

func normalizeNumber(v any) any {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case int:
		return float64(n)
	case map[string]any:
		out := make(map[string]any, len(n))
		for k, e := range n {
			out[k] = normalizeNumber(e)
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, e := range n {
			out[i] = normalizeNumber(e)
		}
		return out
	}
	return v
}

func replaceKind(k pulumirpc.PropertyDiff_Kind) pulumirpc.PropertyDiff_Kind {
	switch k {
	case pulumirpc.PropertyDiff_ADD:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case pulumirpc.PropertyDiff_DELETE:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	default:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	}
}
