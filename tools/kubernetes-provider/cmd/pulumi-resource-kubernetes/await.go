package main

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// readiness judges one observation of a live object: ready, a progress message, or a fatal error.
type readiness func(ctx context.Context, p *kubeProvider, obj *unstructured.Unstructured) (bool, string, error)

var awaiters = map[schema.GroupKind]readiness{
	{Group: "apps", Kind: "StatefulSet"}: statefulSetReady,
	{Group: "apps", Kind: "Deployment"}:  deploymentReady,
	{Group: "apps", Kind: "DaemonSet"}:   daemonSetReady,
	{Group: "", Kind: "Pod"}:             podReady,
	{Group: "batch", Kind: "Job"}:        jobReady,
	{Group: "", Kind: "Service"}:         serviceReady,
	{Group: "", Kind: "Namespace"}:       namespaceReady,
}

// await polls the object until its kind's readiness holds or the timeout passes; it returns the
// last observed object.
func (p *kubeProvider) await(ctx context.Context, urn string, live *unstructured.Unstructured,
	timeout time.Duration,
) (*unstructured.Unstructured, error) {
	check, ok := awaiters[live.GroupVersionKind().GroupKind()]
	if !ok || live.GetAnnotations()[annotationSkipAwait] == "true" {
		return live, nil
	}
	ri, _, err := p.resourceFor(live)
	if err != nil {
		return live, err
	}
	deadline := time.Now().Add(timeout)
	cur, lastMsg := live, ""
	for {
		ready, msg, err := check(ctx, p, cur)
		if err != nil {
			return cur, fmt.Errorf("%s failed: %w", describe(cur), err)
		}
		if ready {
			return cur, nil
		}
		if msg != lastMsg {
			p.logStatus(ctx, urn, msg)
			lastMsg = msg
		}
		if time.Now().After(deadline) {
			return cur, fmt.Errorf("timed out after %s waiting for %s to become ready: %s "+
				"(set customTimeouts, or the %s annotation to skip waiting)", timeout, describe(cur), msg, annotationSkipAwait)
		}
		select {
		case <-ctx.Done():
			return cur, ctx.Err()
		case <-time.After(time.Second):
		}
		next, err := ri.Get(ctx, cur.GetName(), metav1.GetOptions{})
		if err != nil {
			if apierrors.IsNotFound(err) {
				return cur, fmt.Errorf("%s was deleted while waiting for it to become ready", describe(cur))
			}
			continue
		}
		cur = next
	}
}

func i64(obj map[string]any, path ...string) int64 {
	v, _, _ := unstructured.NestedFieldNoCopy(obj, path...)
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

func str(obj map[string]any, path ...string) string {
	v, _, _ := unstructured.NestedString(obj, path...)
	return v
}

func replicas(obj map[string]any) int64 {
	if _, found, _ := unstructured.NestedFieldNoCopy(obj, "spec", "replicas"); !found {
		return 1
	}
	return i64(obj, "spec", "replicas")
}

func condition(obj map[string]any, typ string) (status, reason, message string) {
	conds, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == typ {
			s, _ := m["status"].(string)
			r, _ := m["reason"].(string)
			msg, _ := m["message"].(string)
			return s, r, msg
		}
	}
	return "", "", ""
}

func observed(obj *unstructured.Unstructured) bool {
	return i64(obj.Object, "status", "observedGeneration") >= obj.GetGeneration()
}

func statefulSetReady(_ context.Context, _ *kubeProvider, obj *unstructured.Unstructured) (bool, string, error) {
	o := obj.Object
	want := replicas(o)
	ready, updated := i64(o, "status", "readyReplicas"), i64(o, "status", "updatedReplicas")
	msg := fmt.Sprintf("Waiting for StatefulSet: %d/%d replicas ready, %d updated", ready, want, updated)
	if !observed(obj) {
		return false, "Waiting for the StatefulSet controller to observe the new generation", nil
	}
	if ready < want {
		return false, msg, nil
	}
	if str(o, "spec", "updateStrategy", "type") == "OnDelete" {
		return true, msg, nil
	}
	if updated < want || str(o, "status", "currentRevision") != str(o, "status", "updateRevision") {
		return false, msg + " (rolling update in progress)", nil
	}
	return true, msg, nil
}

func deploymentReady(_ context.Context, _ *kubeProvider, obj *unstructured.Unstructured) (bool, string, error) {
	o := obj.Object
	want := replicas(o)
	updated, available := i64(o, "status", "updatedReplicas"), i64(o, "status", "availableReplicas")
	if s, r, m := condition(o, "Progressing"); s == "False" && r == "ProgressDeadlineExceeded" {
		return false, "", fmt.Errorf("progress deadline exceeded: %s", m)
	}
	msg := fmt.Sprintf("Waiting for Deployment: %d/%d replicas available, %d updated", available, want, updated)
	return observed(obj) && updated >= want && available >= want &&
		i64(o, "status", "replicas") == updated, msg, nil
}

func daemonSetReady(_ context.Context, _ *kubeProvider, obj *unstructured.Unstructured) (bool, string, error) {
	o := obj.Object
	desired := i64(o, "status", "desiredNumberScheduled")
	ready, updated := i64(o, "status", "numberReady"), i64(o, "status", "updatedNumberScheduled")
	msg := fmt.Sprintf("Waiting for DaemonSet: %d/%d pods ready, %d updated", ready, desired, updated)
	return observed(obj) && ready >= desired && updated >= desired, msg, nil
}

func podReady(_ context.Context, _ *kubeProvider, obj *unstructured.Unstructured) (bool, string, error) {
	o := obj.Object
	switch str(o, "status", "phase") {
	case "Succeeded":
		return true, "", nil
	case "Failed":
		return false, "", fmt.Errorf("pod failed: %s", str(o, "status", "message"))
	}
	if s, _, _ := condition(o, "Ready"); s == "True" {
		return true, "", nil
	}
	if s, r, m := condition(o, "PodScheduled"); s == "False" {
		return false, fmt.Sprintf("Waiting for Pod to be scheduled: %s %s", r, m), nil
	}
	return false, "Waiting for Pod to become ready", nil
}

func jobReady(_ context.Context, _ *kubeProvider, obj *unstructured.Unstructured) (bool, string, error) {
	if s, _, _ := condition(obj.Object, "Complete"); s == "True" {
		return true, "", nil
	}
	if s, r, m := condition(obj.Object, "Failed"); s == "True" {
		return false, "", fmt.Errorf("job failed: %s %s", r, m)
	}
	return false, "Waiting for Job to complete", nil
}

func namespaceReady(_ context.Context, _ *kubeProvider, obj *unstructured.Unstructured) (bool, string, error) {
	return str(obj.Object, "status", "phase") != "Terminating", "Waiting for Namespace", nil
}

// serviceReady: a Service with a selector (not headless, not ExternalName) is ready once its
// EndpointSlices list at least one ready endpoint and none that is not ready.
func serviceReady(ctx context.Context, p *kubeProvider, obj *unstructured.Unstructured) (bool, string, error) {
	o := obj.Object
	sel, _, _ := unstructured.NestedMap(o, "spec", "selector")
	if len(sel) == 0 || str(o, "spec", "clusterIP") == "None" || str(o, "spec", "type") == "ExternalName" {
		return true, "", nil
	}
	if str(o, "spec", "type") == "LoadBalancer" {
		ing, _, _ := unstructured.NestedSlice(o, "status", "loadBalancer", "ingress")
		if len(ing) == 0 {
			return false, "Waiting for the Service to be allocated an IP address", nil
		}
	}
	slices := &unstructured.Unstructured{}
	slices.SetAPIVersion("discovery.k8s.io/v1")
	slices.SetKind("EndpointSlice")
	slices.SetNamespace(obj.GetNamespace())
	ri, _, err := p.resourceFor(slices)
	if err != nil {
		return false, "", err
	}
	list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + obj.GetName()})
	if err != nil {
		return false, "Waiting for the Service's endpoints", nil
	}
	ready, notReady := 0, 0
	for _, s := range list.Items {
		eps, _, _ := unstructured.NestedSlice(s.Object, "endpoints")
		for _, e := range eps {
			m, _ := e.(map[string]any)
			if r, found, _ := unstructured.NestedBool(m, "conditions", "ready"); !found || r {
				ready++
			} else {
				notReady++
			}
		}
	}
	msg := fmt.Sprintf("Waiting for the Service to target ready Pods (%d ready, %d not ready endpoints)", ready, notReady)
	return ready > 0 && notReady == 0, msg, nil
}
