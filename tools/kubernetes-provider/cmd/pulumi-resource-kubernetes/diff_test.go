package main

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := marshal(resource.NewPropertyMapFromMap(m))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func statefulSet(storage, image string) map[string]any {
	return map[string]any{
		"apiVersion": "apps/v1", "kind": "StatefulSet",
		"metadata": map[string]any{"name": "nats", "namespace": "kgents-agents",
			"labels": map[string]any{"kgents.io/tier": "agents"}},
		"spec": map[string]any{
			"replicas": 3,
			"template": map[string]any{"spec": map[string]any{
				"containers": []any{map[string]any{"name": "nats", "image": image}}}},
			"volumeClaimTemplates": []any{map[string]any{
				"metadata": map[string]any{"name": "data"},
				"spec": map[string]any{"resources": map[string]any{
					"requests": map[string]any{"storage": storage}}}}},
		},
	}
}

func diff(t *testing.T, p *kubeProvider, olds, news map[string]any, ignore ...string) *pulumirpc.DiffResponse {
	t.Helper()
	resp, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn:           "urn:pulumi:dev::kgents::kubernetes:apps/v1:StatefulSet::nats",
		Olds:          mustStruct(t, olds),
		OldInputs:     mustStruct(t, olds),
		News:          mustStruct(t, news),
		IgnoreChanges: ignore,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestDiffInPlaceUpdate(t *testing.T) {
	p := newProvider(nil)
	resp := diff(t, p, statefulSet("10Gi", "nats:2.14.8"), statefulSet("10Gi", "nats:2.14.9"))
	if resp.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(resp.Replaces) != 0 {
		t.Fatalf("image change: want an in-place update, got %v replaces=%v", resp.Changes, resp.Replaces)
	}
	d := resp.DetailedDiff["spec.template.spec.containers[0].image"]
	if d == nil || d.Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Fatalf("detailed diff: %v", resp.DetailedDiff)
	}
}

func TestDiffVolumeClaimTemplatesReplace(t *testing.T) {
	p := newProvider(nil)
	resp := diff(t, p, statefulSet("10Gi", "nats:2.14.9"), statefulSet("20Gi", "nats:2.14.9"))
	want := "spec.volumeClaimTemplates[0].spec.resources.requests.storage"
	if len(resp.Replaces) != 1 || resp.Replaces[0] != want {
		t.Fatalf("replaces = %v, want [%s]", resp.Replaces, want)
	}
	if !resp.DeleteBeforeReplace {
		t.Fatal("a user-named StatefulSet must be deleted before it is replaced")
	}
	if resp := diff(t, p, statefulSet("10Gi", "x"), statefulSet("20Gi", "x"), "spec.volumeClaimTemplates"); resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("ignoreChanges: want no diff, got %v", resp.DetailedDiff)
	}
}

func TestDiffNoChangesAndNumbers(t *testing.T) {
	p := newProvider(nil)
	a := statefulSet("10Gi", "x")
	b := statefulSet("10Gi", "x")
	b["spec"].(map[string]any)["replicas"] = int64(3)
	if resp := diff(t, p, a, b); resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("want no changes, got %v", resp.DetailedDiff)
	}
}

func TestDiffLabelPathAndSecretData(t *testing.T) {
	p := newProvider(nil)
	a := statefulSet("10Gi", "x")
	b := statefulSet("10Gi", "x")
	b["metadata"].(map[string]any)["labels"] = map[string]any{"kgents.io/tier": "triad"}
	resp := diff(t, p, a, b)
	if _, ok := resp.DetailedDiff[`metadata.labels["kgents.io/tier"]`]; !ok || len(resp.Replaces) != 0 {
		t.Fatalf("label change: %v replaces=%v", resp.DetailedDiff, resp.Replaces)
	}
	secret := func(v string) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "Secret",
			"metadata": map[string]any{"name": "s-1234abcd", "namespace": "ns",
				"annotations": map[string]any{annotationAutonamed: "true"}},
			"stringData": map[string]any{"password": v}}
	}
	resp = diff(t, p, secret("a"), secret("b"))
	if len(resp.Replaces) != 1 || resp.DeleteBeforeReplace {
		t.Fatalf("autonamed Secret data change: want create-before-delete replace, got %v dbr=%v",
			resp.Replaces, resp.DeleteBeforeReplace)
	}
}

func TestGvkFromType(t *testing.T) {
	for typ, want := range map[string]string{
		"kubernetes:core/v1:Namespace":                  "/v1, Kind=Namespace",
		"kubernetes:apps/v1:StatefulSet":                "apps/v1, Kind=StatefulSet",
		"kubernetes:networking.k8s.io/v1:NetworkPolicy": "networking.k8s.io/v1, Kind=NetworkPolicy",
	} {
		gvk, ok := gvkFromType(typ)
		if !ok || gvk.String() != want {
			t.Errorf("%s: got %v %v, want %s", typ, gvk, ok, want)
		}
	}
}
