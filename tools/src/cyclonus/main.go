// cyclonus-check answers "is this traffic allowed by these NetworkPolicies?" with Cyclonus'
// policy matcher (github.com/mattfenwick/cyclonus/pkg/matcher), as an independent second opinion
// on the TypeScript connectivity core. It reads NetworkPolicies from a directory of YAML
// manifests (every *.yaml / *.yml file, multi-document; other kinds are ignored) and a JSON list
// of traffic queries on stdin, and writes one JSON answer per query to stdout.
//
//	cyclonus-check --manifests DIR < queries.json > answers.json
//
// Query:  {"source": Peer, "destination": Peer, "port": 4222, "portName": "client", "protocol": "TCP"}
// Peer:   {"namespace": "ns", "namespaceLabels": {...}, "podLabels": {...}, "ip": "10.0.0.1"}
// Answer: {"ingress": bool, "egress": bool, "allowed": bool}
//
// Rendered manifests are not defaulted by an API server, and Cyclonus expects policyTypes to be
// set (it panics otherwise), so this driver applies the API server's defaulting first: an empty
// policyTypes becomes [Ingress], plus Egress when the policy has egress rules.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

type peer struct {
	Namespace       string            `json:"namespace"`
	NamespaceLabels map[string]string `json:"namespaceLabels"`
	PodLabels       map[string]string `json:"podLabels"`
	IP              string            `json:"ip"`
}

type query struct {
	Source      peer   `json:"source"`
	Destination peer   `json:"destination"`
	Port        int    `json:"port"`
	PortName    string `json:"portName"`
	Protocol    string `json:"protocol"`
}

type answer struct {
	Ingress bool `json:"ingress"`
	Egress  bool `json:"egress"`
	Allowed bool `json:"allowed"`
}

func main() {
	dir := flag.String("manifests", "", "directory of YAML manifests holding the NetworkPolicies")
	flag.Parse()
	if *dir == "" {
		fail("--manifests DIR is required")
	}
	policies, err := readPolicies(*dir)
	if err != nil {
		fail(err.Error())
	}
	var queries []query
	in, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		fail("reading queries from stdin: " + err.Error())
	}
	if err := json.Unmarshal(in, &queries); err != nil {
		fail("queries on stdin are not a JSON list of queries: " + err.Error())
	}
	model := matcher.BuildNetworkPolicies(false, policies)
	answers := make([]answer, len(queries))
	for i, q := range queries {
		if q.Source.IP == "" || q.Destination.IP == "" {
			fail(fmt.Sprintf("query %d: source.ip and destination.ip are required (Cyclonus matches ipBlocks on them)", i))
		}
		res := model.IsTrafficAllowed(&matcher.Traffic{
			Source:           toPeer(q.Source),
			Destination:      toPeer(q.Destination),
			ResolvedPort:     q.Port,
			ResolvedPortName: q.PortName,
			Protocol:         v1.Protocol(q.Protocol),
		})
		answers[i] = answer{Ingress: res.Ingress.IsAllowed(), Egress: res.Egress.IsAllowed(), Allowed: res.IsAllowed()}
	}
	out, err := json.Marshal(map[string]any{"policies": len(policies), "answers": answers})
	if err != nil {
		fail(err.Error())
	}
	fmt.Println(string(out))
}

func toPeer(p peer) *matcher.TrafficPeer {
	return &matcher.TrafficPeer{
		IP: p.IP,
		Internal: &matcher.InternalPeer{
			Namespace:       p.Namespace,
			NamespaceLabels: nonNil(p.NamespaceLabels),
			PodLabels:       nonNil(p.PodLabels),
		},
	}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// readPolicies decodes every NetworkPolicy document of every YAML file under dir, in path order.
func readPolicies(dir string) ([]*networkingv1.NetworkPolicy, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading manifests directory %s: %w", dir, err)
	}
	sort.Strings(files)
	var out []*networkingv1.NetworkPolicy
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for i, doc := range splitDocuments(data) {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &head); err != nil {
				return nil, fmt.Errorf("%s document %d: %w", f, i, err)
			}
			if head.Kind != "NetworkPolicy" {
				continue
			}
			if head.APIVersion != "networking.k8s.io/v1" {
				return nil, fmt.Errorf("%s document %d: NetworkPolicy apiVersion %q is not networking.k8s.io/v1", f, i, head.APIVersion)
			}
			np := &networkingv1.NetworkPolicy{}
			if err := yaml.UnmarshalStrict(doc, np); err != nil {
				return nil, fmt.Errorf("%s document %d: %w", f, i, err)
			}
			defaultPolicyTypes(np)
			out = append(out, np)
		}
	}
	return out, nil
}

// defaultPolicyTypes applies the API server's defaulting of spec.policyTypes.
func defaultPolicyTypes(np *networkingv1.NetworkPolicy) {
	if len(np.Spec.PolicyTypes) > 0 {
		return
	}
	np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	if len(np.Spec.Egress) > 0 {
		np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
	}
}

func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, part := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		// a separator line may carry a comment or trailing spaces: drop the rest of that line
		if i := bytes.IndexByte(part, '\n'); i >= 0 && len(bytes.TrimSpace(part[:i])) > 0 && !bytes.Contains(part[:i], []byte(":")) {
			part = part[i+1:]
		}
		if len(bytes.TrimSpace(part)) > 0 {
			docs = append(docs, part)
		}
	}
	return docs
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "cyclonus-check: "+msg)
	os.Exit(2)
}
