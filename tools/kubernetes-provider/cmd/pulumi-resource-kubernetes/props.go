package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// unknownMarker stands for a value that is not known yet (preview) in plain objects.
const unknownMarker = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

var unmarshalOpts = plugin.MarshalOptions{
	KeepUnknowns: true, KeepSecrets: true, SkipNulls: true, KeepOutputValues: false,
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, unmarshalOpts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
}

// toPlain turns a property value into plain JSON data; unknowns become unknownMarker and are
// reported.
func toPlain(v resource.PropertyValue) (any, bool) {
	switch {
	case v.IsNull():
		return nil, false
	case v.IsBool():
		return v.BoolValue(), false
	case v.IsNumber():
		return v.NumberValue(), false
	case v.IsString():
		return v.StringValue(), false
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		unknown := false
		for _, e := range v.ArrayValue() {
			p, u := toPlain(e)
			unknown = unknown || u
			out = append(out, p)
		}
		return out, unknown
	case v.IsObject():
		return mapToPlain(v.ObjectValue())
	case v.IsSecret():
		return toPlain(v.SecretValue().Element)
	case v.IsComputed():
		return unknownMarker, true
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return unknownMarker, true
		}
		return toPlain(o.Element)
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		if id, ok := ref.IDString(); ok {
			return id, false
		}
		return string(ref.URN), false
	default:
		return fmt.Sprintf("%v", v.V), false
	}
}

func mapToPlain(m resource.PropertyMap) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	unknown := false
	for k, v := range m {
		if strings.HasPrefix(string(k), "__") {
			continue
		}
		p, u := toPlain(v)
		unknown = unknown || u
		if p == nil {
			continue
		}
		out[string(k)] = p
	}
	return out, unknown
}

// toObject converts resource inputs into a Kubernetes object (integers as int64).
func toObject(m resource.PropertyMap) (*unstructured.Unstructured, bool, error) {
	plain, unknown := mapToPlain(m)
	b, err := json.Marshal(plain)
	if err != nil {
		return nil, unknown, err
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(b); err != nil {
		return nil, unknown, err
	}
	return obj, unknown, nil
}

// objectToProps converts a live object into resource outputs. Secret-ness of inputs is carried
// over to the matching top-level outputs; a Secret's data is always secret.
func objectToProps(obj map[string]any, inputs resource.PropertyMap) resource.PropertyMap {
	out := resource.NewPropertyMapFromMap(obj)
	for k, v := range inputs {
		if v.ContainsSecrets() {
			if o, ok := out[k]; ok && !o.IsSecret() {
				out[k] = resource.MakeSecret(o)
			}
		}
	}
	if kind, _ := obj["kind"].(string); kind == "Secret" {
		for _, k := range []resource.PropertyKey{"data", "stringData"} {
			if o, ok := out[k]; ok && !o.IsSecret() {
				out[k] = resource.MakeSecret(o)
			}
		}
	}
	return out
}

// ---- property paths in Pulumi's syntax (a.b[0]["x.y"]) --------------------------------------------

type pathSeg struct {
	key   string
	index int
	isIdx bool
}

func formatPath(p []pathSeg) string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.isIdx:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case isSimpleKey(s.key):
			if i > 0 {
				b.WriteString(".")
			}
			b.WriteString(s.key)
		default:
			b.WriteString("[" + strconv.Quote(s.key) + "]")
		}
	}
	return b.String()
}

func isSimpleKey(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
