package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil/rpcerror"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	fieldManager          = "pulumi-kubernetes"
	annotationAutonamed   = "pulumi.com/autonamed"
	annotationSkipAwait   = "pulumi.com/skipAwait"
	defaultAwaitTimeout   = 10 * time.Minute
	defaultDeleteTimeout  = 10 * time.Minute
	providerConfigPrefix  = "kubernetes:config:"
	providerTypeTokenRoot = "kubernetes:"
)

type providerConfig struct {
	kubeconfig            string
	context               string
	cluster               string
	namespace             string
	secretMutable         bool
	configMapMutable      bool
	deleteUnreachable     bool
	skipUpdateUnreachable bool
	clusterIdentifier     string
}

type kubeProvider struct {
	pulumirpc.UnimplementedResourceProviderServer

	host *provider.HostClient

	mu         sync.Mutex
	cfg        providerConfig
	configured bool
	dyn        dynamic.Interface
	mapper     meta.ResettableRESTMapper
	namespace  string // default namespace for namespaced objects without one
	setupErr   error
	// unreachable is set when Configure could not reach the API server (as upstream: preview
	// goes on with the inputs; create/update/read/delete fail with this reason).
	unreachable string
}

func newProvider(host *provider.HostClient) *kubeProvider { return &kubeProvider{host: host} }

func (p *kubeProvider) logStatus(ctx context.Context, urn string, msg string) {
	if p.host != nil {
		_ = p.host.LogStatus(ctx, diag.Info, resource.URN(urn), msg)
	}
}

func (p *kubeProvider) warn(ctx context.Context, urn string, msg string) {
	if p.host != nil {
		_ = p.host.Log(ctx, diag.Warning, resource.URN(urn), msg)
	}
}

// ---- plugin, config --------------------------------------------------------------------------------

func (p *kubeProvider) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *kubeProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *kubeProvider) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *kubeProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *kubeProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"kubernetes","version":"` + Version + `"}`}, nil
}

func (p *kubeProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *kubeProvider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news := req.GetOldInputs(), req.GetNews()
	if olds == nil {
		olds = req.GetOlds()
	}
	var changed []string
	keys := map[string]bool{}
	for k := range olds.GetFields() {
		keys[k] = true
	}
	for k := range news.GetFields() {
		keys[k] = true
	}
	for k := range keys {
		if configString(olds, k) != configString(news, k) {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	sort.Strings(changed)
	// As upstream: pointing the provider at another cluster (another API server or CA, found by
	// reading both kubeconfigs) replaces it, and with it every resource it manages; an unchanged
	// clusterIdentifier says it is the same cluster.
	var replaces []string
	oldID, newID := configString(olds, "clusterIdentifier"), configString(news, "clusterIdentifier")
	switch {
	case oldID != newID:
		replaces = append(replaces, "clusterIdentifier")
	case newID != "":
	default:
		oldC, ok1 := activeCluster(configString(olds, "kubeconfig"), configString(olds, "context"), configString(olds, "cluster"))
		newC, ok2 := activeCluster(configString(news, "kubeconfig"), configString(news, "context"), configString(news, "cluster"))
		if ok1 && ok2 && oldC != newC {
			for _, k := range []string{"kubeconfig", "context", "cluster"} {
				if slices.Contains(changed, k) {
					replaces = append(replaces, k)
				}
			}
		}
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces}, nil
}

// activeCluster names the cluster a kubeconfig (path, content, or empty for KUBECONFIG) points
// at: its server and CA.
func activeCluster(kubeconfig, kubeContext, cluster string) (string, bool) {
	var raw *clientcmdapi.Config
	var err error
	switch {
	case kubeconfig == "":
		raw, err = clientcmd.NewDefaultClientConfigLoadingRules().Load()
	case !strings.Contains(kubeconfig, "\n") && !strings.HasPrefix(strings.TrimSpace(kubeconfig), "{"):
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rules.Precedence = filepath.SplitList(kubeconfig)
		raw, err = rules.Load()
	default:
		raw, err = clientcmd.Load([]byte(kubeconfig))
	}
	if err != nil || raw == nil {
		return "", false
	}
	ctxName := kubeContext
	if ctxName == "" {
		ctxName = raw.CurrentContext
	}
	clusterName := cluster
	if c, ok := raw.Contexts[ctxName]; ok && clusterName == "" {
		clusterName = c.Cluster
	}
	c, ok := raw.Clusters[clusterName]
	if !ok {
		return "", false
	}
	sum := sha256.Sum256(append([]byte(c.Server+"\x00"+c.CertificateAuthority+"\x00"), c.CertificateAuthorityData...))
	return hex.EncodeToString(sum[:]), true
}

// configString reads a provider config value, which the SDKs send as strings (JSON-encoded for
// non-string types) or as plain values.
func configString(s *structpb.Struct, key string) string {
	if s == nil {
		return ""
	}
	v, ok := s.GetFields()[key]
	if !ok {
		return ""
	}
	switch x := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		return x.StringValue
	case *structpb.Value_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *structpb.Value_NumberValue:
		return strconv.FormatFloat(x.NumberValue, 'f', -1, 64)
	case *structpb.Value_StructValue:
		// a secret or output wrapper: {"4dabf18193072939515e22adb298388d": sig, "value": v}
		if inner, ok := x.StructValue.GetFields()["value"]; ok {
			return configString(&structpb.Struct{Fields: map[string]*structpb.Value{key: inner}}, key)
		}
	}
	return ""
}

func (p *kubeProvider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	get := func(k string) string {
		if req.GetArgs() != nil {
			if v := configString(req.GetArgs(), k); v != "" {
				return v
			}
		}
		return req.GetVariables()[providerConfigPrefix+k]
	}
	cfg := providerConfig{
		kubeconfig: get("kubeconfig"),
		context:    get("context"),
		cluster:    get("cluster"),
		namespace:  get("namespace"),
	}
	cfg.secretMutable = get("enableSecretMutable") == "true"
	cfg.configMapMutable = get("enableConfigMapMutable") == "true"
	cfg.deleteUnreachable = get("deleteUnreachable") == "true" || os.Getenv("PULUMI_K8S_DELETE_UNREACHABLE") == "true"
	cfg.skipUpdateUnreachable = get("skipUpdateUnreachable") == "true" ||
		os.Getenv("PULUMI_K8S_SKIP_UPDATE_UNREACHABLE") == "true"
	if cfg.kubeconfig == "" {
		cfg.kubeconfig = os.Getenv("KUBECONFIG")
	}
	if v := os.Getenv("PULUMI_K8S_ENABLE_SECRET_MUTABLE"); v == "true" {
		cfg.secretMutable = true
	}
	if v := os.Getenv("PULUMI_K8S_ENABLE_CONFIGMAP_MUTABLE"); v == "true" {
		cfg.configMapMutable = true
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg = cfg
	p.configured = true
	p.setupErr = p.setupClients()
	p.unreachable = ""
	if p.setupErr != nil {
		p.unreachable = p.setupErr.Error()
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *kubeProvider) setupClients() error {
	overrides := &clientcmd.ConfigOverrides{CurrentContext: p.cfg.context}
	if p.cfg.cluster != "" {
		overrides.Context.Cluster = p.cfg.cluster
	}
	var cc clientcmd.ClientConfig
	kc := p.cfg.kubeconfig
	switch {
	case kc == "":
		cc = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), overrides)
	case !strings.Contains(kc, "\n") && !strings.HasPrefix(strings.TrimSpace(kc), "{"):
		// a path (or a KUBECONFIG-style list of paths)
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		paths := filepath.SplitList(kc)
		for i, path := range paths {
			if strings.HasPrefix(path, "~/") {
				home, _ := os.UserHomeDir()
				paths[i] = filepath.Join(home, path[2:])
			}
		}
		rules.ExplicitPath = ""
		rules.Precedence = paths
		cc = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	default:
		raw, err := clientcmd.Load([]byte(kc))
		if err != nil {
			return fmt.Errorf("failed to parse kubeconfig: %w", err)
		}
		cc = clientcmd.NewNonInteractiveClientConfig(*raw, p.cfg.context, overrides, nil)
	}
	rc, err := cc.ClientConfig()
	if err != nil {
		return fmt.Errorf("unable to load kubeconfig: %w", err)
	}
	rc = rest.CopyConfig(rc)
	rc.QPS, rc.Burst = 50, 100
	rc.UserAgent = "pulumi-kubernetes/" + Version + " (kgents)"
	ns, _, err := cc.Namespace()
	if err != nil || ns == "" {
		ns = "default"
	}
	if p.cfg.namespace != "" {
		ns = p.cfg.namespace
	}
	p.namespace = ns
	dc, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return err
	}
	probeCfg := rest.CopyConfig(rc)
	probeCfg.Timeout = 15 * time.Second
	probe, err := discovery.NewDiscoveryClientForConfig(probeCfg)
	if err != nil {
		return err
	}
	if _, err := probe.ServerVersion(); err != nil {
		return fmt.Errorf("cannot reach the API server at %s: %w", rc.Host, err)
	}
	p.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	p.dyn, err = dynamic.NewForConfig(rc)
	return err
}

func (p *kubeProvider) clients() (dynamic.Interface, meta.ResettableRESTMapper, string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.configured {
		return nil, nil, "", errors.New("the kubernetes provider was not configured")
	}
	if p.setupErr != nil {
		return nil, nil, "", fmt.Errorf("configured Kubernetes cluster is unreachable: %w", p.setupErr)
	}
	return p.dyn, p.mapper, p.namespace, nil
}

// resourceFor resolves the API resource of a kind (refreshing discovery once for new kinds).
func (p *kubeProvider) resourceFor(obj *unstructured.Unstructured) (dynamic.ResourceInterface, *meta.RESTMapping, error) {
	dyn, mapper, defNS, err := p.clients()
	if err != nil {
		return nil, nil, err
	}
	gvk := obj.GroupVersionKind()
	mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		mapper.Reset()
		mapping, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return nil, nil, fmt.Errorf("the cluster does not serve %s: %w", gvk, err)
		}
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		if obj.GetNamespace() == "" {
			obj.SetNamespace(defNS)
		}
		return dyn.Resource(mapping.Resource).Namespace(obj.GetNamespace()), mapping, nil
	}
	obj.SetNamespace("")
	return dyn.Resource(mapping.Resource), mapping, nil
}

// ---- type tokens and ids -------------------------------------------------------------------------

// gvkFromType maps kubernetes:apps/v1:StatefulSet to apps/v1 StatefulSet (core/v1 is the core group).
func gvkFromType(typ string) (schema.GroupVersionKind, bool) {
	if !strings.HasPrefix(typ, providerTypeTokenRoot) {
		return schema.GroupVersionKind{}, false
	}
	parts := strings.Split(strings.TrimPrefix(typ, providerTypeTokenRoot), ":")
	if len(parts) != 2 {
		return schema.GroupVersionKind{}, false
	}
	gv := strings.SplitN(parts[0], "/", 2)
	if len(gv) != 2 {
		return schema.GroupVersionKind{}, false
	}
	group := gv[0]
	if group == "core" {
		group = ""
	}
	return schema.GroupVersionKind{Group: group, Version: gv[1], Kind: parts[1]}, true
}

func typeOfURN(urn string) string { return string(resource.URN(urn).Type()) }

func objectID(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}

func parseID(id string) (ns, name string) {
	if i := strings.Index(id, "/"); i >= 0 {
		return id[:i], id[i+1:]
	}
	return "", id
}

// ---- Check ---------------------------------------------------------------------------------------

func (p *kubeProvider) Check(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if reason, skip := p.skipUnreachable(); skip && req.GetOlds() != nil && len(req.GetOlds().GetFields()) > 0 {
		p.warn(ctx, req.GetUrn(), "Cluster is unreachable but skipUpdateUnreachable is set, skipping... ("+reason+")")
		return &pulumirpc.CheckResponse{Inputs: req.GetOlds()}, nil
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	typ := req.GetType()
	if typ == "" {
		typ = typeOfURN(req.GetUrn())
	}
	gvk, ok := gvkFromType(typ)
	if !ok || strings.HasSuffix(gvk.Kind, "Patch") || strings.HasSuffix(gvk.Kind, "List") {
		return &pulumirpc.CheckResponse{Failures: []*pulumirpc.CheckFailure{{
			Reason: fmt.Sprintf("resource type %q is not supported by this local provider (see docs/toolchain.md)", typ),
		}}}, nil
	}
	if _, has := news["apiVersion"]; !has {
		news["apiVersion"] = resource.NewProperty(gvk.GroupVersion().String())
	}
	if _, has := news["kind"]; !has {
		news["kind"] = resource.NewProperty(gvk.Kind)
	}

	// Autonaming: <resource name>-<8 random chars>, kept across updates.
	md := resource.PropertyMap{}
	if v, ok := news["metadata"]; ok && v.IsObject() {
		md = v.ObjectValue().Copy()
	}
	_, hasName := md["name"]
	_, hasGenerate := md["generateName"]
	if !hasName && !hasGenerate {
		name := ""
		if om, ok := olds["metadata"]; ok && om.IsObject() {
			if ann, ok := om.ObjectValue()["annotations"]; ok && ann.IsObject() {
				if a, ok := ann.ObjectValue()[annotationAutonamed]; ok && a.IsString() && a.StringValue() == "true" {
					if n, ok := om.ObjectValue()["name"]; ok && n.IsString() {
						name = n.StringValue()
					}
				}
			}
		}
		if name == "" {
			if an := req.GetAutonaming(); an != nil && an.GetProposedName() != "" {
				name = an.GetProposedName()
			} else {
				seed := req.GetRandomSeed()
				if len(seed) == 0 {
					seed = []byte(req.GetUrn() + time.Now().String())
				}
				sum := sha256.Sum256(append([]byte(req.GetUrn()), seed...))
				name = resource.URN(req.GetUrn()).Name() + "-" + hex.EncodeToString(sum[:])[:8]
			}
		}
		md["name"] = resource.NewProperty(strings.ToLower(name))
		ann := resource.PropertyMap{}
		if a, ok := md["annotations"]; ok && a.IsObject() {
			ann = a.ObjectValue().Copy()
		}
		ann[annotationAutonamed] = resource.NewProperty("true")
		md["annotations"] = resource.NewProperty(ann)
	}
	news["metadata"] = resource.NewProperty(md)

	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs}, nil
}

// ---- Diff ----------------------------------------------------------------------------------------

func (p *kubeProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldInputsStruct := req.GetOldInputs()
	if oldInputsStruct == nil {
		oldInputsStruct = req.GetOlds()
	}
	oldInputs, err := unmarshal(oldInputsStruct)
	if err != nil {
		return nil, err
	}
	newInputs, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	oldState, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	oldPlain, _ := mapToPlain(oldInputs)
	newPlain, _ := mapToPlain(newInputs)
	statePlain, _ := mapToPlain(oldState)

	// The namespace defaults to the provider's: an omitted namespace equals the live one.
	liveNS := nestedString(statePlain, "metadata", "namespace")
	for _, m := range []map[string]any{oldPlain, newPlain} {
		if md, ok := m["metadata"].(map[string]any); ok {
			if ns, _ := md["namespace"].(string); ns == "" && liveNS != "" {
				md["namespace"] = liveNS
			}
		}
	}

	var entries []diffEntry
	diffValues(nil, oldPlain, newPlain, &entries)

	gvk := schema.FromAPIVersionAndKind(nestedString(newPlain, "apiVersion"), nestedString(newPlain, "kind"))
	replacePatterns := p.replacePaths(gvk, newPlain)

	detailed := map[string]*pulumirpc.PropertyDiff{}
	var replaces, diffs []string
	seenTop := map[string]bool{}
	for _, e := range entries {
		path := formatPath(e.path)
		ignored := false
		for _, ig := range req.GetIgnoreChanges() {
			if path == ig || strings.HasPrefix(path, ig+".") || strings.HasPrefix(path, ig+"[") {
				ignored = true
			}
		}
		if ignored || len(e.path) == 0 {
			continue
		}
		kind := e.kind
		for _, pat := range replacePatterns {
			if pathMatches(e.path, pat) {
				kind = replaceKind(kind)
				replaces = append(replaces, path)
				break
			}
		}
		detailed[path] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		if top := e.path[0].key; !seenTop[top] {
			seenTop[top] = true
			diffs = append(diffs, top)
		}
	}
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		DetailedDiff:    detailed,
		HasDetailedDiff: true,
		Diffs:           diffs,
		Replaces:        replaces,
	}
	if len(detailed) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	if len(replaces) > 0 {
		// Two objects of one name cannot coexist: a user-named object is deleted first.
		newName := nestedString(newPlain, "metadata", "name")
		autonamed := nestedString(newPlain, "metadata", "annotations", annotationAutonamed) == "true"
		sameNS := nestedString(newPlain, "metadata", "namespace") == liveNS
		resp.DeleteBeforeReplace = newName != "" && newName != unknownMarker && !autonamed &&
			newName == nestedString(statePlain, "metadata", "name") && sameNS
	}
	return resp, nil
}

func nestedString(m map[string]any, path ...string) string {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[k]
	}
	s, _ := cur.(string)
	return s
}

// ---- Create / Update -----------------------------------------------------------------------------

func timeoutOf(seconds float64, def time.Duration) time.Duration {
	if seconds > 0 {
		return time.Duration(seconds * float64(time.Second))
	}
	return def
}

func (p *kubeProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, outs, err := p.applyAndAwait(ctx, req.GetUrn(), inputs, req.GetPreview(), true,
		timeoutOf(req.GetTimeout(), defaultAwaitTimeout))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: outs}, nil
}

func (p *kubeProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	inputs, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	_, outs, err := p.applyAndAwait(ctx, req.GetUrn(), inputs, req.GetPreview(), false,
		timeoutOf(req.GetTimeout(), defaultAwaitTimeout))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: outs}, nil
}

func (p *kubeProvider) applyAndAwait(ctx context.Context, urn string, inputs resource.PropertyMap, preview, create bool,
	timeout time.Duration,
) (string, *structpb.Struct, error) {
	obj, unknown, err := toObject(inputs)
	if err != nil {
		return "", nil, err
	}
	if preview {
		outs := inputs
		// A replacement that keeps the name is created after the old object is deleted: a dry
		// run now would hit the old object, so it is skipped.
		if !unknown && !(create && p.exists(ctx, obj)) {
			// Server-side dry run: the API server validates and defaults the object. A missing
			// namespace (created by this same update) is expected; other errors fail the preview.
			if live, err := p.apply(ctx, obj, true); err == nil {
				outs = objectToProps(live.Object, inputs)
			} else if !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) && !apierrors.IsAlreadyExists(err) &&
				!isNoCluster(err) {
				return "", nil, fmt.Errorf("preview of %s failed: %w", describe(obj), err)
			}
		}
		s, err := marshal(outs)
		return "", s, err
	}
	if unknown {
		return "", nil, fmt.Errorf("%s has inputs that are still unknown at apply time", describe(obj))
	}
	live, err := p.apply(ctx, obj, false)
	if err != nil {
		return "", nil, fmt.Errorf("failed to apply %s: %w", describe(obj), err)
	}
	id := objectID(live)
	final, awaitErr := p.await(ctx, urn, live, timeout)
	if final == nil {
		final = live
	}
	outs, err := marshal(objectToProps(final.Object, inputs))
	if err != nil {
		return "", nil, err
	}
	if awaitErr != nil {
		// The object exists: report it so the engine records it, and fail the step.
		in, _ := marshal(inputs)
		return "", nil, rpcerror.WithDetails(
			rpcerror.New(codes.Unknown, awaitErr.Error()),
			&pulumirpc.ErrorResourceInitFailed{Id: id, Properties: outs, Reasons: []string{awaitErr.Error()}, Inputs: in},
		)
	}
	return id, outs, nil
}

func (p *kubeProvider) skipUnreachable() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unreachable, p.unreachable != "" && p.cfg.skipUpdateUnreachable
}

func (p *kubeProvider) deleteWhenUnreachable() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unreachable, p.unreachable != "" && p.cfg.deleteUnreachable
}

func (p *kubeProvider) exists(ctx context.Context, obj *unstructured.Unstructured) bool {
	o := obj.DeepCopy()
	ri, _, err := p.resourceFor(o)
	if err != nil {
		return false
	}
	_, err = ri.Get(ctx, o.GetName(), metav1.GetOptions{})
	return err == nil
}

func isNoCluster(err error) bool {
	return strings.Contains(err.Error(), "cluster is unreachable") ||
		strings.Contains(err.Error(), "connection refused")
}

func describe(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() != "" {
		return fmt.Sprintf("%s %s/%s", obj.GetKind(), obj.GetNamespace(), obj.GetName())
	}
	return fmt.Sprintf("%s %s", obj.GetKind(), obj.GetName())
}

// apply performs a server-side apply of the whole object with the provider's field manager.
func (p *kubeProvider) apply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	obj = obj.DeepCopy()
	ri, _, err := p.resourceFor(obj)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(obj.Object)
	if err != nil {
		return nil, err
	}
	force := true
	opts := metav1.PatchOptions{FieldManager: fieldManager, Force: &force}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, b, opts)
}

// ---- Read / Delete -------------------------------------------------------------------------------

func (p *kubeProvider) objectRef(id, urn string, props resource.PropertyMap) *unstructured.Unstructured {
	plain, _ := mapToPlain(props)
	obj := &unstructured.Unstructured{Object: map[string]any{}}
	apiVersion, kind := nestedString(plain, "apiVersion"), nestedString(plain, "kind")
	if apiVersion == "" || kind == "" {
		if gvk, ok := gvkFromType(typeOfURN(urn)); ok {
			apiVersion, kind = gvk.GroupVersion().String(), gvk.Kind
		}
	}
	obj.SetAPIVersion(apiVersion)
	obj.SetKind(kind)
	ns, name := parseID(id)
	obj.SetNamespace(ns)
	obj.SetName(name)
	return obj
}

func (p *kubeProvider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetInputs())
	if err != nil {
		return nil, err
	}
	if reason, ok := p.deleteWhenUnreachable(); ok {
		p.warn(ctx, req.GetUrn(), "configured Kubernetes cluster is unreachable and deleteUnreachable is set: "+
			"removing the resource from the state ("+reason+")")
		return &pulumirpc.ReadResponse{Id: ""}, nil
	}
	ref := p.objectRef(req.GetId(), req.GetUrn(), state)
	ri, _, err := p.resourceFor(ref)
	if err != nil {
		return nil, err
	}
	live, err := ri.Get(ctx, ref.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return &pulumirpc.ReadResponse{Id: ""}, nil
	}
	if err != nil {
		return nil, err
	}
	outs, err := marshal(objectToProps(live.Object, inputs))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: objectID(live), Properties: outs, Inputs: req.GetInputs()}, nil
}

func (p *kubeProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if reason, ok := p.deleteWhenUnreachable(); ok {
		p.warn(ctx, req.GetUrn(), "configured Kubernetes cluster is unreachable and deleteUnreachable is set: "+
			"removing the resource from the state ("+reason+")")
		return &emptypb.Empty{}, nil
	}
	ref := p.objectRef(req.GetId(), req.GetUrn(), state)
	ri, _, err := p.resourceFor(ref)
	if err != nil {
		return nil, err
	}
	policy := metav1.DeletePropagationBackground
	err = ri.Delete(ctx, ref.GetName(), metav1.DeleteOptions{PropagationPolicy: &policy})
	if apierrors.IsNotFound(err) {
		return &emptypb.Empty{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to delete %s: %w", describe(ref), err)
	}
	deadline := time.Now().Add(timeoutOf(req.GetTimeout(), defaultDeleteTimeout))
	for {
		_, err := ri.Get(ctx, ref.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return &emptypb.Empty{}, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("timed out waiting for %s to be deleted", describe(ref))
		}
		p.logStatus(ctx, req.GetUrn(), "Waiting for deletion of "+describe(ref))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (p *kubeProvider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, rpcerror.New(codes.Unimplemented,
		fmt.Sprintf("function %q is not supported by this local provider (see docs/toolchain.md)", req.GetTok()))
}
